-- A field (status, message, lastTransitionTime, ...) of a condition type in a conditions array, or
-- NULL when the array has no condition of that type. A NULL array counts as an empty one.
CREATE OR REPLACE FUNCTION condition_field(conditions jsonb, condition_type text, field text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
    SELECT c ->> field FROM jsonb_array_elements(coalesce(conditions, '[]'::jsonb)) AS c WHERE c ->> 'type' = condition_type LIMIT 1
$$;
