-- The one way to queue an event: an outbox row, written in the transaction of the change it
-- announces, which the relay (Events/OutboxRelay.cs) publishes once that transaction has committed.
-- Every writer calls this, the Api's statements, the report and scheduler functions and the
-- benchmarks alike, so the outbox row has one shape. p_id NULL: a new uuidv7(), time-ordered like
-- the ids the Api makes itself. p_at is the event's occurred_at: the time of the change.
-- It queues only; waking the relays is the caller's, after its commit (Events/OutboxSignal.cs).
-- PL/pgSQL, not LANGUAGE sql: PL/pgSQL keeps the INSERT's plan for the session, where a sql function
-- plans it again in every statement that calls it. In pgbench's create (ClusterPlatform.Benchmarks/
-- PgbenchScripts.cs), sql functions here and in audit() cost about a fifth of the throughput of the
-- INSERTs written inline; PL/pgSQL ones stayed within the noise of them.
CREATE OR REPLACE FUNCTION enqueue_event(p_type text, p_cluster_id uuid, p_node_pool_id uuid, p_generation bigint,
                                         p_traceparent text, p_at timestamptz DEFAULT now(), p_id uuid DEFAULT NULL) RETURNS void
LANGUAGE plpgsql VOLATILE AS $$
BEGIN
    INSERT INTO outbox (id, type, cluster_id, node_pool_id, generation, occurred_at, traceparent)
    VALUES (coalesce(p_id, uuidv7()), p_type, p_cluster_id, p_node_pool_id, p_generation, p_at, p_traceparent);
END
$$;
