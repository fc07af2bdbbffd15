-- The status ("True", "False", "Unknown") of a condition type in a conditions array, or NULL when
-- it is absent: the field every aggregation and transition rule asks about.
CREATE OR REPLACE FUNCTION condition_status(conditions jsonb, condition_type text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
    SELECT condition_field(conditions, condition_type, 'status')
$$;
