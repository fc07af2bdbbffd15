-- PUT /api/v1/nodepools/{id}/status (Data/StatusStore.cs): report_status for a node pool, with the
-- cluster's required controllers for finalizing the cluster after its last node pool. As for
-- clusters, the signature is the one the previous release's Api calls.
CREATE OR REPLACE FUNCTION report_node_pool_status(
    p_id uuid, p_controller text, p_observed_generation bigint, p_version bigint, p_conditions jsonb, p_data jsonb,
    p_required text[], p_cluster_required text[], p_known text[], p_traceparent text, p_actor text)
RETURNS TABLE (outcome text, status jsonb, queued boolean)
LANGUAGE sql AS $$
    SELECT * FROM report_status('node_pool', p_id, p_controller, p_observed_generation, p_version, p_conditions, p_data,
                                p_required, p_cluster_required, p_known, p_traceparent, NULL, NULL, p_actor)
$$;
