-- RFC 3339 UTC with microseconds, independent of the session's TimeZone setting: every time in a
-- stored status is written by this, so statuses read the same whoever computed them.
CREATE OR REPLACE FUNCTION rfc3339(at timestamptz) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
    SELECT to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')
$$;
