-- API.md "Aggregation": Ready, Progressing, Degraded, phase and observedGeneration of one resource
-- from its controllers' reports, with every report listed in status.controllers[] (its version
-- included, which controllers send back as the version their next report was made from).
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
