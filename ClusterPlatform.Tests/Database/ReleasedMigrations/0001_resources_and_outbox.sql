-- Clusters and node pools, the transactional outbox and idempotency keys.
-- Every list, lookup and filter has an index so its cost does not grow with the table.

CREATE TABLE clusters (
    id                 uuid        PRIMARY KEY,
    organization       text        NOT NULL,
    name               text        NOT NULL,
    labels             jsonb       NOT NULL,
    spec               jsonb       NOT NULL,
    generation         bigint      NOT NULL,
    -- Bumped on every change of the user-owned part (labels, spec, deletion); the ETag is made from it.
    resource_version   bigint      NOT NULL,
    created_at         timestamptz NOT NULL,
    updated_at         timestamptz NOT NULL,
    created_by         text        NOT NULL,
    deletion_timestamp timestamptz,
    phase              text        NOT NULL,
    -- The aggregated status, computed when written and served as is.
    status             jsonb       NOT NULL,
    CONSTRAINT clusters_phase_check CHECK (phase IN ('Pending', 'Provisioning', 'Ready', 'Failed', 'Deleting'))
);

-- A name is unique among an organization's live clusters; a deleting cluster frees its name.
CREATE UNIQUE INDEX clusters_live_name_key ON clusters (organization, name) WHERE deletion_timestamp IS NULL;
-- Keyset pagination per organization, with and without a phase filter (admins page on the primary key).
CREATE INDEX clusters_organization_id_idx ON clusters (organization, id);
CREATE INDEX clusters_organization_phase_id_idx ON clusters (organization, phase, id);
CREATE INDEX clusters_phase_id_idx ON clusters (phase, id);
-- Label selectors: containment (k=v) and key existence (k, !k).
CREATE INDEX clusters_labels_idx ON clusters USING gin (labels);

CREATE TABLE node_pools (
    id                 uuid        PRIMARY KEY,
    -- RESTRICT: a cluster row can only go once its node pools are gone.
    cluster_id         uuid        NOT NULL REFERENCES clusters (id) ON DELETE RESTRICT,
    -- Copied from the cluster so tenant filters need no join.
    organization       text        NOT NULL,
    name               text        NOT NULL,
    labels             jsonb       NOT NULL,
    spec               jsonb       NOT NULL,
    generation         bigint      NOT NULL,
    resource_version   bigint      NOT NULL,
    created_at         timestamptz NOT NULL,
    updated_at         timestamptz NOT NULL,
    created_by         text        NOT NULL,
    deletion_timestamp timestamptz,
    phase              text        NOT NULL,
    status             jsonb       NOT NULL,
    CONSTRAINT node_pools_phase_check CHECK (phase IN ('Pending', 'Provisioning', 'Ready', 'Failed', 'Deleting'))
);

CREATE UNIQUE INDEX node_pools_live_name_key ON node_pools (cluster_id, name) WHERE deletion_timestamp IS NULL;
CREATE INDEX node_pools_cluster_id_id_idx ON node_pools (cluster_id, id);
CREATE INDEX node_pools_organization_id_idx ON node_pools (organization, id);
CREATE INDEX node_pools_organization_phase_id_idx ON node_pools (organization, phase, id);
CREATE INDEX node_pools_phase_id_idx ON node_pools (phase, id);
CREATE INDEX node_pools_labels_idx ON node_pools USING gin (labels);

-- One row per committed change, written in the same transaction as the change. No foreign keys:
-- an event outlives the row it is about (a hard delete still has to be announced).
CREATE TABLE outbox (
    id           uuid        PRIMARY KEY,
    type         text        NOT NULL,
    cluster_id   uuid        NOT NULL,
    node_pool_id uuid,
    generation   bigint      NOT NULL,
    occurred_at  timestamptz NOT NULL,
    -- W3C trace context of the request that caused the change, so one trace spans API to controller.
    traceparent  text
);

CREATE INDEX outbox_occurred_at_idx ON outbox (occurred_at);

-- Idempotency-Key on POST: the first response per caller, kind and key, kept 24 hours.
CREATE TABLE idempotency_keys (
    scope           text        NOT NULL,
    key             text        NOT NULL,
    request_hash    bytea       NOT NULL,
    created_at      timestamptz NOT NULL,
    response_status integer,
    response_etag   text,
    response_body   text,
    PRIMARY KEY (scope, key)
);

CREATE INDEX idempotency_keys_created_at_idx ON idempotency_keys (created_at);
