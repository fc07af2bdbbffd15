-- status.version (docs/api.md "Upgrades"): the desired version from the spec, and current and
-- history from the operator client's report of HyperShift's status.version (p_reported, its
-- data.version, shape checked when the report came in: Validation/VersionReports.cs). Times are
-- rewritten as every stored time is (rfc3339), so a status reads the same whoever computed it.
-- NULL without a desired version.
CREATE OR REPLACE FUNCTION version_status(p_desired text, p_reported jsonb) RETURNS jsonb
LANGUAGE sql STABLE AS $$
    SELECT CASE WHEN p_desired IS NULL THEN NULL ELSE jsonb_build_object(
        'current', CASE WHEN jsonb_typeof(p_reported -> 'current') = 'string' THEN p_reported -> 'current' ELSE 'null'::jsonb END,
        'desired', p_desired,
        'history', coalesce((
            SELECT jsonb_agg(jsonb_build_object(
                       'version', h -> 'version',
                       'state', h -> 'state',
                       'startedAt', rfc3339((h ->> 'startedAt')::timestamptz),
                       'completedAt', CASE WHEN jsonb_typeof(h -> 'completedAt') = 'string'
                                           THEN to_jsonb(rfc3339((h ->> 'completedAt')::timestamptz)) ELSE 'null'::jsonb END)
                   ORDER BY position)
              FROM jsonb_array_elements(CASE WHEN jsonb_typeof(p_reported -> 'history') = 'array' THEN p_reported -> 'history' ELSE '[]'::jsonb END)
                   WITH ORDINALITY AS e(h, position)), '[]'::jsonb)) END
$$;
