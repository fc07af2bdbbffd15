-- One aggregated condition; lastTransitionTime carries over from the previous status while the
-- condition's status stays the same.
CREATE OR REPLACE FUNCTION aggregated_condition(condition_type text, is_true boolean, reason text, message text,
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
