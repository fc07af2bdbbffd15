-- RFC 3339 UTC, independent of the session's TimeZone setting: every time in a stored status is
-- written by this, so statuses read the same whoever computed them. The fraction is PostgreSQL's
-- microseconds with trailing zeros left out, and no fraction at all when it is zero, which is how
-- System.Text.Json writes a UTC DateTime: the Api copies a stored status through to its responses
-- (Endpoints/ResourceJson.cs), and that text is then what the serializer would have given.
-- Times stored before 2026-12-03 keep their six digits until a report rewrites them; both forms are
-- the same instant in RFC 3339.
CREATE OR REPLACE FUNCTION rfc3339(at timestamptz) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
    SELECT to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS')
        || coalesce(nullif('.' || rtrim(to_char(at AT TIME ZONE 'UTC', 'US'), '0'), '.'), '')
        || 'Z'
$$;
