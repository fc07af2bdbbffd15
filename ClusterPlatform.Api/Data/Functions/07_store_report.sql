-- Stores a controller's report as its one entry on the resource and says whether it is a
-- transition worth a reconcile event. Each condition keeps its lastTransitionTime while its status
-- stays the same, and takes the report's time when it changes.
--
-- A reconcile event only when a controller's Available or Finalized condition becomes True or stops
-- being True. Every controller waits on "is it True" (preconditions on Available, finalization order
-- on Finalized), so a change among False, Unknown and absent wakes nobody who could act. Counting the
-- first "PreconditionsNotMet" report of each controller as a transition tripled the events a cluster
-- makes on its way to Ready, each handled by all four controllers (docs/api-decisions.md).
--
-- The entry's version is not written here: the resource_status_next_version trigger raises it on
-- every update, and a first report gets the column's default, 1.
CREATE OR REPLACE FUNCTION store_report(p_resource_id uuid, p_controller text, p_observed_generation bigint,
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

    -- coalesce: an absent condition (or no previous report) is "not True", never NULL.
    RETURN coalesce(condition_status(v_previous, 'Available') = 'True', false) <> coalesce(condition_status(v_conditions, 'Available') = 'True', false)
        OR coalesce(condition_status(v_previous, 'Finalized') = 'True', false) <> coalesce(condition_status(v_conditions, 'Finalized') = 'True', false);
END
$$;
