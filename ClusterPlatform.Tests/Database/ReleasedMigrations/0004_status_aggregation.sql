-- Status reports, their aggregation, deletion finalization and the audit trail.
-- Every statement here is keyed by a resource id, so a report costs the same however many
-- clusters exist.

-- The latest report of each controller on each resource (cluster or node pool; ids are UUIDs and
-- never collide). Conditions carry their lastTransitionTime and observedGeneration.
CREATE TABLE resource_statuses (
    resource_id         uuid        NOT NULL,
    controller          text        NOT NULL,
    observed_generation bigint      NOT NULL,
    last_report_time    timestamptz NOT NULL,
    conditions          jsonb       NOT NULL,
    data                jsonb,
    PRIMARY KEY (resource_id, controller)
);

-- Every accepted write, append-only: who did what to which resource at which generation, and when.
CREATE TABLE audit_log (
    id           bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    cluster_id   uuid        NOT NULL,
    node_pool_id uuid,
    action       text        NOT NULL,
    actor        text        NOT NULL,
    generation   bigint      NOT NULL,
    reason       text,
    -- clock_timestamp(), not now(): writers insert after taking the resource's row lock, so entries of
    -- one cluster get increasing times in id order even when their transactions began in another order.
    at           timestamptz NOT NULL DEFAULT clock_timestamp()
);

CREATE INDEX audit_log_cluster_id_idx ON audit_log (cluster_id, id);

CREATE FUNCTION audit_log_is_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only' USING ERRCODE = 'insufficient_privilege';
END
$$;

CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_is_append_only();

-- The status ("True", "False", "Unknown") or another field of a condition type in a conditions array.
CREATE FUNCTION condition_field(conditions jsonb, condition_type text, field text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
    SELECT c ->> field FROM jsonb_array_elements(coalesce(conditions, '[]'::jsonb)) AS c WHERE c ->> 'type' = condition_type LIMIT 1
$$;

CREATE FUNCTION condition_status(conditions jsonb, condition_type text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
    SELECT condition_field(conditions, condition_type, 'status')
$$;

-- One aggregated condition; lastTransitionTime carries over from the previous status while the
-- condition's status stays the same.
CREATE FUNCTION aggregated_condition(condition_type text, is_true boolean, reason text, message text,
                                     generation bigint, previous jsonb, at timestamptz) RETURNS jsonb
LANGUAGE sql IMMUTABLE AS $$
    SELECT jsonb_build_object(
        'type', condition_type,
        'status', CASE WHEN is_true THEN 'True' ELSE 'False' END,
        'reason', reason,
        'message', message,
        'lastTransitionTime',
            CASE WHEN condition_status(previous -> 'conditions', condition_type) = CASE WHEN is_true THEN 'True' ELSE 'False' END
                 THEN condition_field(previous -> 'conditions', condition_type, 'lastTransitionTime')
                 ELSE rfc3339(at) END,
        'observedGeneration', generation)
$$;

-- API.md "Aggregation": Ready, Progressing, Degraded, phase and observedGeneration of one resource
-- from its controllers' reports.
CREATE FUNCTION aggregate_status(p_resource_id uuid, p_generation bigint, p_deleting boolean, p_required text[],
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
               'name', controller, 'observedGeneration', observed_generation, 'lastReportTime', rfc3339(last_report_time),
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

-- Stores one controller's report, keeping each condition's lastTransitionTime while its status is
-- unchanged. Returns whether the controller's Available or Finalized status changed (a reconcile
-- should follow at once).
CREATE FUNCTION store_report(p_resource_id uuid, p_controller text, p_observed_generation bigint,
                             p_conditions jsonb, p_data jsonb, p_at timestamptz) RETURNS boolean
LANGUAGE plpgsql AS $$
DECLARE
    v_previous jsonb;
    v_conditions jsonb;
BEGIN
    SELECT conditions INTO v_previous FROM resource_statuses WHERE resource_id = p_resource_id AND controller = p_controller;

    SELECT jsonb_agg(jsonb_build_object(
               'type', c ->> 'type', 'status', c ->> 'status', 'reason', c ->> 'reason', 'message', coalesce(c ->> 'message', ''),
               'lastTransitionTime', CASE WHEN condition_status(v_previous, c ->> 'type') = c ->> 'status'
                                          THEN condition_field(v_previous, c ->> 'type', 'lastTransitionTime')
                                          ELSE rfc3339(p_at) END,
               'observedGeneration', p_observed_generation) ORDER BY position)
      INTO v_conditions
      FROM jsonb_array_elements(p_conditions) WITH ORDINALITY AS x(c, position);

    INSERT INTO resource_statuses (resource_id, controller, observed_generation, last_report_time, conditions, data)
    VALUES (p_resource_id, p_controller, p_observed_generation, p_at, v_conditions, p_data)
    ON CONFLICT (resource_id, controller) DO UPDATE
        SET observed_generation = excluded.observed_generation, last_report_time = excluded.last_report_time,
            conditions = excluded.conditions, data = excluded.data;

    -- A first report counts as a change from Unknown.
    RETURN coalesce(condition_status(v_previous, 'Available'), 'Unknown') IS DISTINCT FROM coalesce(condition_status(v_conditions, 'Available'), 'Unknown')
        OR coalesce(condition_status(v_previous, 'Finalized'), 'Unknown') IS DISTINCT FROM coalesce(condition_status(v_conditions, 'Finalized'), 'Unknown');
END
$$;

-- Why a report must be refused, or NULL: older than this controller's stored report (stale), or
-- ahead of the resource's generation. The caller holds the resource's row lock.
CREATE FUNCTION report_refusal(p_id uuid, p_controller text, p_observed_generation bigint, p_generation bigint) RETURNS text
LANGUAGE sql STABLE AS $$
    SELECT CASE
        WHEN p_observed_generation < (SELECT observed_generation FROM resource_statuses WHERE resource_id = p_id AND controller = p_controller)
            THEN 'stale-report'
        WHEN p_observed_generation > p_generation THEN 'future-generation'
    END
$$;

-- True when every required controller reports Finalized=True at the resource's (deletion) generation.
CREATE FUNCTION all_finalized(p_resource_id uuid, p_generation bigint, p_required text[]) RETURNS boolean
LANGUAGE sql STABLE AS $$
    SELECT NOT EXISTS (
        SELECT 1 FROM unnest(p_required) AS r(name)
        WHERE NOT EXISTS (
            SELECT 1 FROM resource_statuses s
            WHERE s.resource_id = p_resource_id AND s.controller = r.name
              AND s.observed_generation = p_generation AND condition_status(s.conditions, 'Finalized') = 'True'))
$$;

-- Hard-deletes a deleting cluster once its controllers have finalized it and its node pools are gone.
-- The caller holds the cluster's row lock or takes it here.
CREATE FUNCTION finalize_cluster_if_done(p_cluster_id uuid, p_required text[], p_actor text) RETURNS boolean
LANGUAGE plpgsql AS $$
DECLARE
    v_cluster clusters%ROWTYPE;
BEGIN
    SELECT * INTO v_cluster FROM clusters WHERE id = p_cluster_id FOR UPDATE;
    IF NOT FOUND OR v_cluster.deletion_timestamp IS NULL
       OR EXISTS (SELECT 1 FROM node_pools WHERE cluster_id = p_cluster_id)
       OR NOT all_finalized(p_cluster_id, v_cluster.generation, p_required) THEN
        RETURN false;
    END IF;

    DELETE FROM resource_statuses WHERE resource_id = p_cluster_id;
    DELETE FROM clusters WHERE id = p_cluster_id;
    INSERT INTO audit_log (cluster_id, action, actor, generation) VALUES (p_cluster_id, 'finalize', p_actor, v_cluster.generation);
    RETURN true;
END
$$;

-- PUT /api/v1/clusters/{id}/status, in one call and one transaction. p_actor is who sent the report
-- (the controller itself, or an admin reporting on its behalf) and goes into the audit trail. Outcomes: ok, not-found,
-- unknown-controller, stale-report, future-generation. On ok it returns the aggregated status and
-- whether the cluster was finalized (hard-deleted).
CREATE FUNCTION report_cluster_status(
    p_id uuid, p_controller text, p_observed_generation bigint, p_conditions jsonb, p_data jsonb,
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

    v_refusal := report_refusal(p_id, p_controller, p_observed_generation, v_cluster.generation);
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

-- PUT /api/v1/nodepools/{id}/status: as for clusters. A finalized node pool is hard-deleted, and
-- its cluster with it when that was the last thing the cluster's deletion waited for.
CREATE FUNCTION report_node_pool_status(
    p_id uuid, p_controller text, p_observed_generation bigint, p_conditions jsonb, p_data jsonb,
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

    v_refusal := report_refusal(p_id, p_controller, p_observed_generation, v_pool.generation);
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

DROP FUNCTION initial_status(text[], bigint, timestamptz);
