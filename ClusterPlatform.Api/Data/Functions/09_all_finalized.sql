-- True when every required controller reports Finalized=True at the resource's (deletion)
-- generation: what a deleting resource waits for before it is hard-deleted.
CREATE OR REPLACE FUNCTION all_finalized(p_resource_id uuid, p_generation bigint, p_required text[]) RETURNS boolean
LANGUAGE sql STABLE AS $$
    SELECT NOT EXISTS (
        SELECT 1 FROM unnest(p_required) AS r(name)
        WHERE NOT EXISTS (
            SELECT 1 FROM resource_statuses s
            WHERE s.resource_id = p_resource_id AND s.controller = r.name
              AND s.observed_generation = p_generation AND condition_status(s.conditions, 'Finalized') = 'True'))
$$;
