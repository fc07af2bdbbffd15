-- UUIDv7 (RFC 9562) for rows the database creates itself, such as the events of a cascade.
-- PostgreSQL 15 has no uuidv7(); this takes a random v4 UUID, writes the Unix time in
-- milliseconds into its first 48 bits and turns the version nibble from 4 into 7.
CREATE FUNCTION uuidv7() RETURNS uuid
LANGUAGE sql VOLATILE AS $$
    SELECT encode(
        set_bit(set_bit(
            overlay(uuid_send(gen_random_uuid())
                    PLACING substring(int8send(floor(extract(epoch FROM clock_timestamp()) * 1000)::bigint) FROM 3)
                    FROM 1 FOR 6),
            52, 1), 53, 1),
        'hex')::uuid
$$;

-- RFC 3339 UTC with microseconds, independent of the session's TimeZone setting.
CREATE FUNCTION rfc3339(at timestamptz) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
    SELECT to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')
$$;

-- The status of a resource no controller has reported on yet (API.md "Aggregation" with no reports):
-- Ready=False naming the required controllers, Progressing=True, Degraded=False, phase Pending.
CREATE FUNCTION initial_status(required_controllers text[], generation bigint, at timestamptz) RETURNS jsonb
LANGUAGE sql IMMUTABLE AS $$
    SELECT jsonb_build_object(
        'phase', 'Pending',
        'observedGeneration', 0,
        'conditions', jsonb_build_array(
            jsonb_build_object('type', 'Ready', 'status', 'False', 'reason', 'WaitingForControllers',
                'message', 'Waiting for ' || array_to_string(required_controllers, ', ') || ' to report Available at generation ' || generation || '.',
                'lastTransitionTime', rfc3339(at), 'observedGeneration', generation),
            jsonb_build_object('type', 'Progressing', 'status', 'True', 'reason', 'WaitingForControllers',
                'message', 'Not every required controller has reported at generation ' || generation || '.',
                'lastTransitionTime', rfc3339(at), 'observedGeneration', generation),
            jsonb_build_object('type', 'Degraded', 'status', 'False', 'reason', 'AsExpected',
                'message', 'No controller reports a degradation.',
                'lastTransitionTime', rfc3339(at), 'observedGeneration', generation)),
        'controllers', '[]'::jsonb)
$$;
