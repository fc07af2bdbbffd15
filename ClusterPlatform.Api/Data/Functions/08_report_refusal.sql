-- Why a report must be refused, or NULL. The caller holds the resource's row lock. In this order:
--   report-conflict: the version read is not the stored entry's (0 when there is none): a report
--     was stored since this one's reading. First, as Kubernetes checks resourceVersion before it
--     judges an update: whatever else is wrong, the reading is out of date and the answer is to read
--     again. A reading is overtaken whether the newer report is at a later generation or the same
--     one, and its provider work may have landed after the newer reading's, so the controller must
--     redo it either way. A report whose version matches is never stale (the entry it read had at
--     most the generation it read), so stale-report is what unconditional reports get.
--   stale-report: older than the controller's stored generation.
--   future-generation: ahead of the resource's generation.
-- A NULL version skips the first check.
CREATE OR REPLACE FUNCTION report_refusal(p_id uuid, p_controller text, p_observed_generation bigint, p_version bigint, p_generation bigint) RETURNS text
LANGUAGE sql STABLE AS $$
    SELECT CASE
        WHEN p_version <> coalesce(s.version, 0) THEN 'report-conflict'
        WHEN p_observed_generation < s.observed_generation THEN 'stale-report'
        WHEN p_observed_generation > p_generation THEN 'future-generation'
    END
    FROM (SELECT p_id, p_controller) AS r(id, controller)
    LEFT JOIN resource_statuses s ON s.resource_id = r.id AND s.controller = r.controller
$$;
