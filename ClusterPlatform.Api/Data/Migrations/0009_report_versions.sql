-- Each controller's status entry gets a version, for optimistic concurrency on it (the rule and
-- its trigger: Functions/18_resource_status_next_version.sql; the check: Functions/08_report_refusal.sql).

-- Rows stored before count as one report: nothing records how many there were, and the controllers
-- read the version from the status, which is backfilled below to match.
ALTER TABLE resource_statuses ADD COLUMN version bigint NOT NULL DEFAULT 1;

-- The stored statuses carry the entries' versions from now on; those written before get the 1 above.
UPDATE clusters
   SET status = jsonb_set(status, '{controllers}',
                          (SELECT coalesce(jsonb_agg(c || '{"version": 1}'::jsonb ORDER BY position), '[]'::jsonb)
                             FROM jsonb_array_elements(status -> 'controllers') WITH ORDINALITY AS x(c, position)))
 WHERE jsonb_typeof(status -> 'controllers') = 'array';

UPDATE node_pools
   SET status = jsonb_set(status, '{controllers}',
                          (SELECT coalesce(jsonb_agg(c || '{"version": 1}'::jsonb ORDER BY position), '[]'::jsonb)
                             FROM jsonb_array_elements(status -> 'controllers') WITH ORDINALITY AS x(c, position)))
 WHERE jsonb_typeof(status -> 'controllers') = 'array';
