-- Optimistic concurrency on each controller's own status entry (Kubernetes' resourceVersion
-- discipline: https://kubernetes.io/docs/reference/using-api/api-concepts/#resource-versions and
-- https://github.com/kubernetes/community/blob/master/contributors/devel/sig-architecture/api-conventions.md#concurrency-control-and-consistency).
-- Each entry gets a version: 1 with the controller's first stored report, one more with every
-- stored report after. A report names the version it was made from (0: none); one made from
-- another version is refused as report-conflict, so two replicas of a controller that read the
-- same entry cannot both store: the second re-reads and reconciles again. A report without a
-- version (NULL) is unconditional, as before.
--
-- What changes: the column; report_refusal (the version check); aggregate_status (the version in
-- status.controllers[]); the two report functions, which take p_version. The functions are whole
-- copies of 0004's with only those lines changed, since CREATE OR REPLACE cannot patch a body.
-- The report functions' old signatures stay, as wrappers without a version, so an Api of the
-- previous release keeps reporting (unconditionally) during a rolling update.

-- Rows stored before count as one report: nothing records how many there were, and the controllers
-- read the version from the status, which is backfilled below to match.
ALTER TABLE resource_statuses ADD COLUMN version bigint NOT NULL DEFAULT 1;

-- Every update of an entry is a stored report, so the version rises here, in one place, whichever
-- statement (store_report's upsert, a repair by hand) wrote it.
CREATE FUNCTION resource_status_next_version() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    NEW.version := OLD.version + 1;
    RETURN NEW;
END
$$;

CREATE TRIGGER resource_status_next_version BEFORE UPDATE ON resource_statuses
    FOR EACH ROW EXECUTE FUNCTION resource_status_next_version();

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
DROP FUNCTION report_refusal(uuid, text, bigint, bigint);
CREATE FUNCTION report_refusal(p_id uuid, p_controller text, p_observed_generation bigint, p_version bigint, p_generation bigint) RETURNS text
LANGUAGE sql STABLE AS $$
    SELECT CASE
        WHEN p_version <> coalesce(s.version, 0) THEN 'report-conflict'
        WHEN p_observed_generation < s.observed_generation THEN 'stale-report'
        WHEN p_observed_generation > p_generation THEN 'future-generation'
    END
    FROM (SELECT p_id, p_controller) AS r(id, controller)
    LEFT JOIN resource_statuses s ON s.resource_id = r.id AND s.controller = r.controller
$$;

-- status.controllers[] gains each entry's version; the rest is 0004's aggregate_status.
CREATE OR REPLACE FUNCTION aggregate_status(p_resource_id uuid, p_generation bigint, p_deleting boolean, p_required text[],
                                 p_previous jsonb, p_at timestamptz) RETURNS jsonb
LANGUAGE plpgsql STABLE AS $$
DECLARE
    v_reports     jsonb;
    v_unavailable text[];  -- required controllers without Available=True at this generation
    v_unreported  text[];  -- required controllers without a report at this generation
    v_progressing text[];  -- required controllers reporting Progressing=True at this generation
    v_degraded    text[];  -- "controller: message" of every controller reporting Degraded=True at this generation
    v_any_current boolean;
    v_observed    bigint;
    v_ready       boolean;
    v_phase       text;
BEGIN
    SELECT coalesce(jsonb_agg(jsonb_build_object(
               'name', controller, 'observedGeneration', observed_generation, 'version', version, 'lastReportTime', rfc3339(last_report_time),
               'conditions', conditions, 'data', data) ORDER BY controller), '[]'::jsonb),
           coalesce(array_agg(controller || coalesce(': ' || nullif(condition_field(conditions, 'Degraded', 'message'), ''), '') ORDER BY controller)
                        FILTER (WHERE observed_generation = p_generation AND condition_status(conditions, 'Degraded') = 'True'), '{}'),
           coalesce(array_agg(controller ORDER BY controller)
                        FILTER (WHERE observed_generation = p_generation AND controller = ANY (p_required)
                                AND condition_status(conditions, 'Progressing') = 'True'), '{}'),
           coalesce(bool_or(observed_generation = p_generation), false)
      INTO v_reports, v_degraded, v_progressing, v_any_current
      FROM resource_statuses
     WHERE resource_id = p_resource_id;

    SELECT coalesce(array_agg(r.name ORDER BY r.position) FILTER (
               WHERE s.controller IS NULL OR s.observed_generation <> p_generation OR condition_status(s.conditions, 'Available') IS DISTINCT FROM 'True'), '{}'),
           coalesce(array_agg(r.name ORDER BY r.position) FILTER (WHERE s.controller IS NULL OR s.observed_generation <> p_generation), '{}'),
           coalesce(min(coalesce(s.observed_generation, 0)), 0)
      INTO v_unavailable, v_unreported, v_observed
      FROM unnest(p_required) WITH ORDINALITY AS r(name, position)
      LEFT JOIN resource_statuses s ON s.resource_id = p_resource_id AND s.controller = r.name;

    v_ready := NOT p_deleting AND cardinality(v_unavailable) = 0;
    v_phase := CASE
        WHEN p_deleting THEN 'Deleting'
        WHEN cardinality(v_degraded) > 0 THEN 'Failed'
        WHEN v_ready THEN 'Ready'
        WHEN v_any_current THEN 'Provisioning'
        ELSE 'Pending' END;

    RETURN jsonb_build_object(
        'phase', v_phase,
        'observedGeneration', v_observed,
        'conditions', jsonb_build_array(
            CASE
                WHEN p_deleting THEN aggregated_condition('Ready', false, 'Deleting', 'The resource is being deleted.', p_generation, p_previous, p_at)
                WHEN v_ready THEN aggregated_condition('Ready', true, 'AllControllersAvailable',
                    'Every required controller reports Available at generation ' || p_generation || '.', p_generation, p_previous, p_at)
                ELSE aggregated_condition('Ready', false, 'WaitingForControllers',
                    'Waiting for ' || array_to_string(v_unavailable, ', ') || ' to report Available at generation ' || p_generation || '.',
                    p_generation, p_previous, p_at)
            END,
            CASE
                WHEN cardinality(v_unreported) > 0 THEN aggregated_condition('Progressing', true, 'WaitingForControllers',
                    'Not yet reported at generation ' || p_generation || ': ' || array_to_string(v_unreported, ', ') || '.', p_generation, p_previous, p_at)
                WHEN cardinality(v_progressing) > 0 THEN aggregated_condition('Progressing', true, 'ControllersProgressing',
                    'Progressing: ' || array_to_string(v_progressing, ', ') || '.', p_generation, p_previous, p_at)
                ELSE aggregated_condition('Progressing', false, 'Settled',
                    'Every required controller has settled at generation ' || p_generation || '.', p_generation, p_previous, p_at)
            END,
            CASE
                WHEN cardinality(v_degraded) > 0 THEN aggregated_condition('Degraded', true, 'ControllersDegraded',
                    array_to_string(v_degraded[1:3], '; ')
                        || CASE WHEN cardinality(v_degraded) > 3 THEN '; and ' || (cardinality(v_degraded) - 3) || ' more' ELSE '' END,
                    p_generation, p_previous, p_at)
                ELSE aggregated_condition('Degraded', false, 'AsExpected', 'No controller reports a degradation.', p_generation, p_previous, p_at)
            END),
        'controllers', v_reports);
END
$$;

-- The report functions with the version read (NULL: unconditional); the rest is 0004's. Outcomes
-- add report-conflict.
DROP FUNCTION report_cluster_status(uuid, text, bigint, jsonb, jsonb, text[], text[], text, interval, interval, text);
DROP FUNCTION report_node_pool_status(uuid, text, bigint, jsonb, jsonb, text[], text[], text[], text, text);

CREATE FUNCTION report_cluster_status(
    p_id uuid, p_controller text, p_observed_generation bigint, p_version bigint, p_conditions jsonb, p_data jsonb,
    p_required text[], p_known text[], p_traceparent text, p_ready_after interval, p_not_ready_after interval, p_actor text)
RETURNS TABLE (outcome text, status jsonb, finalized boolean)
LANGUAGE plpgsql AS $$
DECLARE
    v_cluster clusters%ROWTYPE;
    v_refusal text;
    v_changed boolean;
    v_status  jsonb;
    v_now     timestamptz;
BEGIN
    IF NOT p_controller = ANY (p_known) THEN
        RETURN QUERY SELECT 'unknown-controller', NULL::jsonb, false;
        RETURN;
    END IF;

    -- The row lock serializes concurrent reports on one cluster, so none is lost.
    SELECT * INTO v_cluster FROM clusters WHERE id = p_id FOR UPDATE;
    IF NOT FOUND THEN
        RETURN QUERY SELECT 'not-found', NULL::jsonb, false;
        RETURN;
    END IF;
    -- The report's time is read once the lock is held (now() is when the statement began, before any
    -- wait), so reports applied one after another get increasing lastReportTime/lastTransitionTime.
    v_now := clock_timestamp();

    v_refusal := report_refusal(p_id, p_controller, p_observed_generation, p_version, v_cluster.generation);
    IF v_refusal IS NOT NULL THEN
        RETURN QUERY SELECT v_refusal, v_cluster.status, false;
        RETURN;
    END IF;

    v_changed := store_report(p_id, p_controller, p_observed_generation, p_conditions, p_data, v_now);
    INSERT INTO audit_log (cluster_id, action, actor, generation, at) VALUES (p_id, 'status-report', p_actor, p_observed_generation, v_now);
    IF v_changed THEN
        INSERT INTO outbox (id, type, cluster_id, node_pool_id, generation, occurred_at, traceparent)
        VALUES (uuidv7(), 'cluster.reconcile', p_id, NULL, v_cluster.generation, v_now, p_traceparent);
    END IF;

    v_status := aggregate_status(p_id, v_cluster.generation, v_cluster.deletion_timestamp IS NOT NULL, p_required, v_cluster.status, v_now);
    UPDATE clusters
       SET status = v_status,
           phase = v_status ->> 'phase',
           -- A change of readiness resets the scheduler's clock for this cluster.
           next_reconcile_at = CASE WHEN v_status ->> 'phase' IS DISTINCT FROM v_cluster.phase
                                    THEN v_now + CASE WHEN v_status ->> 'phase' = 'Ready' THEN p_ready_after ELSE p_not_ready_after END
                                    ELSE next_reconcile_at END
     WHERE id = p_id;

    RETURN QUERY SELECT 'ok', v_status, finalize_cluster_if_done(p_id, p_required, p_actor);
END
$$;

CREATE FUNCTION report_node_pool_status(
    p_id uuid, p_controller text, p_observed_generation bigint, p_version bigint, p_conditions jsonb, p_data jsonb,
    p_required text[], p_cluster_required text[], p_known text[], p_traceparent text, p_actor text)
RETURNS TABLE (outcome text, status jsonb, finalized boolean)
LANGUAGE plpgsql AS $$
DECLARE
    v_pool    node_pools%ROWTYPE;
    v_refusal text;
    v_changed boolean;
    v_status  jsonb;
    v_now     timestamptz;
BEGIN
    IF NOT p_controller = ANY (p_known) THEN
        RETURN QUERY SELECT 'unknown-controller', NULL::jsonb, false;
        RETURN;
    END IF;

    SELECT * INTO v_pool FROM node_pools WHERE id = p_id FOR UPDATE;
    IF NOT FOUND THEN
        RETURN QUERY SELECT 'not-found', NULL::jsonb, false;
        RETURN;
    END IF;
    v_now := clock_timestamp(); -- once the lock is held, as for clusters

    v_refusal := report_refusal(p_id, p_controller, p_observed_generation, p_version, v_pool.generation);
    IF v_refusal IS NOT NULL THEN
        RETURN QUERY SELECT v_refusal, v_pool.status, false;
        RETURN;
    END IF;

    v_changed := store_report(p_id, p_controller, p_observed_generation, p_conditions, p_data, v_now);
    INSERT INTO audit_log (cluster_id, node_pool_id, action, actor, generation, at)
    VALUES (v_pool.cluster_id, p_id, 'status-report', p_actor, p_observed_generation, v_now);
    IF v_changed THEN
        -- Node pools are reconciled with their cluster.
        INSERT INTO outbox (id, type, cluster_id, node_pool_id, generation, occurred_at, traceparent)
        SELECT uuidv7(), 'cluster.reconcile', c.id, NULL, c.generation, v_now, p_traceparent FROM clusters c WHERE c.id = v_pool.cluster_id;
    END IF;

    v_status := aggregate_status(p_id, v_pool.generation, v_pool.deletion_timestamp IS NOT NULL, p_required, v_pool.status, v_now);
    UPDATE node_pools SET status = v_status, phase = v_status ->> 'phase' WHERE id = p_id;

    IF v_pool.deletion_timestamp IS NOT NULL AND all_finalized(p_id, v_pool.generation, p_required) THEN
        DELETE FROM resource_statuses WHERE resource_id = p_id;
        DELETE FROM node_pools WHERE id = p_id;
        INSERT INTO audit_log (cluster_id, node_pool_id, action, actor, generation)
        VALUES (v_pool.cluster_id, p_id, 'finalize', p_actor, v_pool.generation);
        PERFORM finalize_cluster_if_done(v_pool.cluster_id, p_cluster_required, p_actor);
        RETURN QUERY SELECT 'ok', v_status, true;
        RETURN;
    END IF;

    RETURN QUERY SELECT 'ok', v_status, false;
END
$$;

-- The previous release's signatures, for its Api replicas during a rolling update: unconditional.
CREATE FUNCTION report_cluster_status(
    p_id uuid, p_controller text, p_observed_generation bigint, p_conditions jsonb, p_data jsonb,
    p_required text[], p_known text[], p_traceparent text, p_ready_after interval, p_not_ready_after interval, p_actor text)
RETURNS TABLE (outcome text, status jsonb, finalized boolean)
LANGUAGE sql AS $$
    SELECT * FROM report_cluster_status(p_id, p_controller, p_observed_generation, NULL, p_conditions, p_data,
                                        p_required, p_known, p_traceparent, p_ready_after, p_not_ready_after, p_actor)
$$;

CREATE FUNCTION report_node_pool_status(
    p_id uuid, p_controller text, p_observed_generation bigint, p_conditions jsonb, p_data jsonb,
    p_required text[], p_cluster_required text[], p_known text[], p_traceparent text, p_actor text)
RETURNS TABLE (outcome text, status jsonb, finalized boolean)
LANGUAGE sql AS $$
    SELECT * FROM report_node_pool_status(p_id, p_controller, p_observed_generation, NULL, p_conditions, p_data,
                                          p_required, p_cluster_required, p_known, p_traceparent, p_actor)
$$;
