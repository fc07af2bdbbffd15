-- The one way to write the audit trail: one audit_log row for an accepted write (who did what to
-- which resource at which generation, and why when a reason is required, as for a force delete).
-- p_at defaults to clock_timestamp(), as the column does, and for the column's reason: writers
-- audit after taking the resource's row lock, so entries of one cluster get increasing times in id
-- order even when their transactions began in another order (now() is when the transaction began).
-- PL/pgSQL for its cached plan, as enqueue_event.
CREATE OR REPLACE FUNCTION audit(p_cluster_id uuid, p_node_pool_id uuid, p_action text, p_actor text, p_generation bigint,
                                 p_reason text DEFAULT NULL, p_at timestamptz DEFAULT clock_timestamp()) RETURNS void
LANGUAGE plpgsql VOLATILE AS $$
BEGIN
    INSERT INTO audit_log (cluster_id, node_pool_id, action, actor, generation, reason, at)
    VALUES (p_cluster_id, p_node_pool_id, p_action, p_actor, p_generation, p_reason, p_at);
END
$$;
