-- A status report (PUT /api/v1/clusters/{id}/status, PUT /api/v1/nodepools/{id}/status) in one call
-- and one transaction: validate, store, audit, queue a reconcile on a transition, aggregate, and
-- finalize a deletion. report_cluster_status and report_node_pool_status are this with their kind
-- ('cluster' or 'node_pool'), so the two kinds cannot drift apart.
--
-- A report identical to the controller's stored entry at the current generation writes nothing
-- (report_unchanged, below): no row, audit, aggregation or event; the answer is the stored status.
--
-- p_actor is who sent the report (the controller itself, or an admin reporting on its behalf) and
-- goes into the audit trail. Outcomes: ok, not-found, unknown-controller, report-conflict,
-- stale-report, future-generation. With ok comes the aggregated status, with a refusal the stored
-- one; queued says whether a reconcile event was queued, so the caller wakes the relays only then.
--
-- What differs by kind:
--   - a node pool's audit entries name its cluster, and node pools are reconciled with their
--     cluster: the event is the cluster's, at the cluster's generation;
--   - a change of a cluster's phase resets the scheduler's clock for it (p_ready_after,
--     p_not_ready_after; unused for node pools);
--   - a finalized node pool is hard-deleted here, and its cluster with it when that was the last
--     thing the cluster's deletion waited for (p_cluster_required); a cluster is hard-deleted by
--     finalize_cluster_if_done.
-- Whether a report says exactly what the controller's stored entry says: the same observedGeneration,
-- the same conditions as store_report would store them (type, status, reason, message with '' for
-- none, in the report's order; the times and observedGeneration it stamps are left out) and the same
-- data (jsonb equality: key order and whitespace do not count). False when there is no entry.
CREATE OR REPLACE FUNCTION report_unchanged(p_id uuid, p_controller text, p_observed_generation bigint, p_conditions jsonb, p_data jsonb) RETURNS boolean
LANGUAGE sql STABLE AS $$
    SELECT coalesce((
        SELECT s.observed_generation = p_observed_generation
           AND s.data IS NOT DISTINCT FROM p_data
           AND (SELECT jsonb_agg(jsonb_build_array(c ->> 'type', c ->> 'status', c ->> 'reason', coalesce(c ->> 'message', '')) ORDER BY position)
                  FROM jsonb_array_elements(s.conditions) WITH ORDINALITY AS x(c, position))
               = (SELECT jsonb_agg(jsonb_build_array(c ->> 'type', c ->> 'status', c ->> 'reason', coalesce(c ->> 'message', '')) ORDER BY position)
                    FROM jsonb_array_elements(p_conditions) WITH ORDINALITY AS x(c, position))
          FROM resource_statuses s
         WHERE s.resource_id = p_id AND s.controller = p_controller), false)
$$;

CREATE OR REPLACE FUNCTION report_status(
    p_kind text, p_id uuid, p_controller text, p_observed_generation bigint, p_version bigint, p_conditions jsonb, p_data jsonb,
    p_required text[], p_cluster_required text[], p_known text[], p_traceparent text,
    p_ready_after interval, p_not_ready_after interval, p_actor text)
RETURNS TABLE (outcome text, status jsonb, queued boolean)
LANGUAGE plpgsql AS $$
DECLARE
    v_cluster_id   uuid;   -- the resource itself, or the node pool's cluster
    v_node_pool_id uuid;   -- NULL for a cluster
    v_generation   bigint;
    v_deleting     boolean;
    v_stored       jsonb;  -- the status stored before this report
    v_phase        text;   -- the phase stored before this report
    v_refusal      text;
    v_changed      boolean;
    v_status       jsonb;
    v_moved        int;    -- 1 when the aggregated status differs from the stored one, else 0
    v_now          timestamptz;
BEGIN
    IF NOT p_controller = ANY (p_known) THEN
        RETURN QUERY SELECT 'unknown-controller', NULL::jsonb, false;
        RETURN;
    END IF;

    -- The row lock serializes concurrent reports on one resource, so none is lost.
    IF p_kind = 'cluster' THEN
        SELECT c.id, NULL, c.generation, c.deletion_timestamp IS NOT NULL, c.status, c.phase
          INTO v_cluster_id, v_node_pool_id, v_generation, v_deleting, v_stored, v_phase
          FROM clusters c WHERE c.id = p_id FOR UPDATE;
    ELSIF p_kind = 'node_pool' THEN
        SELECT n.cluster_id, n.id, n.generation, n.deletion_timestamp IS NOT NULL, n.status, n.phase
          INTO v_cluster_id, v_node_pool_id, v_generation, v_deleting, v_stored, v_phase
          FROM node_pools n WHERE n.id = p_id FOR UPDATE;
    ELSE
        RAISE EXCEPTION 'report_status: unknown kind %', p_kind;
    END IF;
    IF NOT FOUND THEN
        RETURN QUERY SELECT 'not-found', NULL::jsonb, false;
        RETURN;
    END IF;
    -- The report's time is read once the lock is held (now() is when the statement began, before any
    -- wait), so reports applied one after another get increasing lastReportTime/lastTransitionTime.
    v_now := clock_timestamp();

    v_refusal := report_refusal(p_id, p_controller, p_observed_generation, p_version, v_generation);
    IF v_refusal IS NOT NULL THEN
        RETURN QUERY SELECT v_refusal, v_stored, false;
        RETURN;
    END IF;

    -- A report that would change nothing is answered without a write: the same observedGeneration,
    -- conditions (type, status, reason, message, in order) and data as this controller's stored
    -- entry. Storing it would rewrite the entry with nothing new but lastReportTime and a higher
    -- version, append an audit entry, aggregate to the same status and queue no event (no
    -- transition); most of a lifecycle's reports are such repeats (each event is handled by every
    -- controller). The answer is the stored status, which is what a GET returns. Not stored, the
    -- entry keeps its version (a stored report raises it; this one is not stored) and its
    -- lastReportTime, which is therefore the time of the last report that changed something;
    -- nothing reads it as liveness. Only at the resource's current generation and while it is not
    -- deleting: a report from an older reading is stored as before, so its version still rises and a
    -- replica that read the same entry at the newer generation is refused and redoes its work
    -- (docs/controllers.md, "Running at N replicas"); and a deleting resource's reports keep going
    -- through finalization.
    IF p_observed_generation = v_generation AND NOT v_deleting AND report_unchanged(p_id, p_controller, p_observed_generation, p_conditions, p_data) THEN
        RETURN QUERY SELECT 'ok', v_stored, false;
        RETURN;
    END IF;

    v_changed := store_report(p_id, p_controller, p_observed_generation, p_conditions, p_data, v_now);
    PERFORM audit(v_cluster_id, v_node_pool_id, 'status-report', p_actor, p_observed_generation, NULL, v_now);
    IF v_changed THEN
        -- The cluster's event at the cluster's generation, for a node pool's report too.
        PERFORM enqueue_event('cluster.reconcile', c.id, NULL, c.generation, p_traceparent, v_now) FROM clusters c WHERE c.id = v_cluster_id;
    END IF;

    v_status := aggregate_status(p_id, v_generation, v_deleting, p_required, v_stored, v_now);
    -- The ETag is the resource version, and a strong validator must change whenever the representation
    -- does (RFC 9110 section 8.8.1), the status included: otherwise If-None-Match would answer 304 to a
    -- client whose copy shows an old phase. Kubernetes' resourceVersion moves with status writes for the
    -- same reason (kubernetes/community, contributors/devel/sig-architecture/api-conventions.md,
    -- "Concurrency Control and Consistency"). A stored report that aggregates to the same status leaves
    -- it alone, so a writer's If-Match is refused only when what it read is really out of date.
    v_moved := CASE WHEN v_status IS DISTINCT FROM v_stored THEN 1 ELSE 0 END;
    IF v_node_pool_id IS NULL THEN
        UPDATE clusters
           SET status = v_status,
               phase = v_status ->> 'phase',
               resource_version = resource_version + v_moved,
               -- A change of readiness resets the scheduler's clock for this cluster.
               next_reconcile_at = CASE WHEN v_status ->> 'phase' IS DISTINCT FROM v_phase
                                        THEN v_now + CASE WHEN v_status ->> 'phase' = 'Ready' THEN p_ready_after ELSE p_not_ready_after END
                                        ELSE next_reconcile_at END
         WHERE id = p_id;
        PERFORM finalize_cluster_if_done(p_id, p_required, p_actor);
    ELSE
        UPDATE node_pools
           SET status = v_status, phase = v_status ->> 'phase',
               resource_version = resource_version + v_moved
         WHERE id = p_id;
        IF v_deleting AND all_finalized(p_id, v_generation, p_required) THEN
            DELETE FROM resource_statuses WHERE resource_id = p_id;
            DELETE FROM node_pools WHERE id = p_id;
            PERFORM audit(v_cluster_id, p_id, 'finalize', p_actor, v_generation);
            PERFORM finalize_cluster_if_done(v_cluster_id, p_cluster_required, p_actor);
        END IF;
    END IF;

    RETURN QUERY SELECT 'ok', v_status, v_changed;
END
$$;
