-- The version catalog: the OpenShift versions the platform offers, per channel group, as the update
-- graph last said (Versions/VersionCatalogRefresher.cs). Reads come from here only, so a read never
-- waits on the graph and keeps answering while it is down: this table is the cache.
CREATE TABLE versions (
    channel_group text        NOT NULL CHECK (channel_group IN ('stable', 'fast', 'candidate')),
    version       text        NOT NULL,
    minor         text        NOT NULL,
    -- The graph's word: false when the refresher was told the version is not to be offered.
    graph_enabled boolean     NOT NULL DEFAULT true,
    -- The admin's override (PUT /api/v1/versions/{version}); null when none. Refreshes never touch it,
    -- so a version an admin disabled stays disabled however often the graph is read again.
    admin_enabled boolean,
    is_default    boolean     NOT NULL DEFAULT false,
    end_of_life   timestamptz,
    release_image text        NOT NULL,
    -- The versions the graph has an edge to from this one (same channel group), for upgrade checks.
    upgrades      text[]      NOT NULL DEFAULT '{}',
    refreshed_at  timestamptz NOT NULL,
    PRIMARY KEY (channel_group, version)
);

-- Who changed a version's override, when, and to what. Not audit_log: that trail is per cluster.
CREATE TABLE version_audit (
    id      bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    version text        NOT NULL,
    enabled boolean     NOT NULL,
    actor   text        NOT NULL,
    at      timestamptz NOT NULL DEFAULT clock_timestamp()
);
