-- PUT /api/v1/clusters/{id}/status (Data/StatusStore.cs): report_status for a cluster. Its own
-- parameter list, so a cluster report passes what a cluster needs (the scheduler's delays) and
-- nothing a node pool needs; the signature is also the one the previous release's Api calls, so its
-- replicas keep reporting during a rolling update (they read outcome and status, which stay).
CREATE OR REPLACE FUNCTION report_cluster_status(
    p_id uuid, p_controller text, p_observed_generation bigint, p_version bigint, p_conditions jsonb, p_data jsonb,
    p_required text[], p_known text[], p_traceparent text, p_ready_after interval, p_not_ready_after interval, p_actor text)
RETURNS TABLE (outcome text, status jsonb, queued boolean)
LANGUAGE sql AS $$
    SELECT * FROM report_status('cluster', p_id, p_controller, p_observed_generation, p_version, p_conditions, p_data,
                                p_required, NULL, p_known, p_traceparent, p_ready_after, p_not_ready_after, p_actor)
$$;
