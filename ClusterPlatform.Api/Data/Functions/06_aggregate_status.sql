-- API.md "Aggregation": Ready, Progressing, Degraded, phase, observedGeneration and version of one
-- resource from its controllers' reports, with every report listed in status.controllers[] (its
-- version included, which controllers send back as the version their next report was made from).
-- p_desired is the version the resource's spec asks for (a cluster's spec.release.version, a node
-- pool's spec.version); NULL gives no status.version (only the function's tests pass none).
CREATE OR REPLACE FUNCTION aggregate_status(p_resource_id uuid, p_generation bigint, p_deleting boolean, p_required text[],
                                            p_previous jsonb, p_at timestamptz, p_desired text) RETURNS jsonb
LANGUAGE plpgsql STABLE AS $$
DECLARE
    v_reports     jsonb;
    v_unavailable text[];  -- required controllers whose latest report (of any generation) is not Available=True
    v_unreported  text[];  -- required controllers without a report at this generation
    v_progressing text[];  -- required controllers reporting Progressing=True at this generation
    v_degraded    text[];  -- "controller: message" of every controller reporting Degraded=True at this generation
    v_upgrading   text;    -- the message of the first required controller reporting Progressing=True, reason Upgrading
    v_version     jsonb;   -- the operator client's data.version: what HyperShift reports of the running version
    v_urls        jsonb;   -- the operator client's data: where the cluster answers (apiUrl, consoleUrl)
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
           coalesce(bool_or(observed_generation = p_generation), false),
           -- The operator client's report carries HyperShift's status.version (docs/api.md "Upgrades").
           (array_agg(data -> 'version') FILTER (WHERE controller = 'operator-client-controller'))[1],
           (array_agg(data) FILTER (WHERE controller = 'operator-client-controller'))[1]
      INTO v_reports, v_degraded, v_progressing, v_any_current, v_version, v_urls
      FROM resource_statuses
     WHERE resource_id = p_resource_id;

    -- Readiness is the latest report of each required controller, whatever its generation: a spec
    -- change alone (an upgrade) does not make a serving control plane unready; a report of
    -- Available=False does, at the new generation as at any other.
    SELECT coalesce(array_agg(r.name ORDER BY r.position) FILTER (
               WHERE s.controller IS NULL OR condition_status(s.conditions, 'Available') IS DISTINCT FROM 'True'), '{}'),
           coalesce(array_agg(r.name ORDER BY r.position) FILTER (WHERE s.controller IS NULL OR s.observed_generation <> p_generation), '{}'),
           coalesce(min(coalesce(s.observed_generation, 0)), 0),
           (array_agg(condition_field(s.conditions, 'Progressing', 'message') ORDER BY r.position) FILTER (
               WHERE condition_status(s.conditions, 'Progressing') = 'True' AND condition_field(s.conditions, 'Progressing', 'reason') = 'Upgrading'))[1]
      INTO v_unavailable, v_unreported, v_observed, v_upgrading
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
                -- Ready's observedGeneration is the oldest generation a required controller confirmed it at.
                WHEN v_ready AND v_observed = p_generation THEN aggregated_condition('Ready', true, 'AllControllersAvailable',
                    'Every required controller reports Available at generation ' || p_generation || '.', p_generation, p_previous, p_at)
                WHEN v_ready THEN aggregated_condition('Ready', true, 'AllControllersAvailable',
                    'Every required controller reports Available; generation ' || p_generation || ' is not yet reported by '
                        || array_to_string(v_unreported, ', ') || '.', v_observed, p_previous, p_at)
                ELSE aggregated_condition('Ready', false, 'WaitingForControllers',
                    'Waiting for ' || array_to_string(v_unavailable, ', ') || ' to report Available at generation ' || p_generation || '.',
                    p_generation, p_previous, p_at)
            END,
            CASE
                WHEN NOT p_deleting AND v_upgrading IS NOT NULL THEN
                    aggregated_condition('Progressing', true, 'Upgrading', v_upgrading, p_generation, p_previous, p_at)
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
        'controllers', v_reports,
        'version', version_status(p_desired, v_version),
        -- docs/api.md "Where the cluster answers": a cluster's only, as the operator client last reported them
        -- (checked at the report edge, Validation/ClusterUrlReports.cs); null until reported, always null on a node pool.
        'apiUrl', CASE WHEN jsonb_typeof(v_urls -> 'apiUrl') = 'string'
                            AND NOT EXISTS (SELECT 1 FROM node_pools n WHERE n.id = p_resource_id) THEN v_urls -> 'apiUrl' ELSE 'null'::jsonb END,
        'consoleUrl', CASE WHEN jsonb_typeof(v_urls -> 'consoleUrl') = 'string'
                                AND NOT EXISTS (SELECT 1 FROM node_pools n WHERE n.id = p_resource_id) THEN v_urls -> 'consoleUrl' ELSE 'null'::jsonb END);
END
$$;

-- The callers whose resource row already holds the spec (status reports, deletes): the desired
-- version is read from it.
CREATE OR REPLACE FUNCTION aggregate_status(p_resource_id uuid, p_generation bigint, p_deleting boolean, p_required text[],
                                            p_previous jsonb, p_at timestamptz) RETURNS jsonb
LANGUAGE sql STABLE AS $$
    SELECT aggregate_status(p_resource_id, p_generation, p_deleting, p_required, p_previous, p_at,
        coalesce((SELECT c.spec #>> '{release,version}' FROM clusters c WHERE c.id = p_resource_id),
                 (SELECT n.spec ->> 'version' FROM node_pools n WHERE n.id = p_resource_id)))
$$;
