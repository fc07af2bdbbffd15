-- Status reports and the audit trail. Their functions (Data/Functions: store_report,
-- aggregate_status, report_status, finalize_cluster_if_done, audit) key every statement by a
-- resource id, so a report costs the same however many clusters exist.

-- The latest report of each controller on each resource (cluster or node pool; ids are UUIDs and
-- never collide). Conditions carry their lastTransitionTime and observedGeneration.
CREATE TABLE resource_statuses (
    resource_id         uuid        NOT NULL,
    controller          text        NOT NULL,
    observed_generation bigint      NOT NULL,
    last_report_time    timestamptz NOT NULL,
    conditions          jsonb       NOT NULL,
    data                jsonb,
    PRIMARY KEY (resource_id, controller)
);

-- Every accepted write, append-only (Functions/17_audit_log_append_only.sql): who did what to which
-- resource at which generation, and when. Written through audit() (Functions/11_audit.sql).
CREATE TABLE audit_log (
    id           bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    cluster_id   uuid        NOT NULL,
    node_pool_id uuid,
    action       text        NOT NULL,
    actor        text        NOT NULL,
    generation   bigint      NOT NULL,
    reason       text,
    -- clock_timestamp(), not now(): writers insert after taking the resource's row lock, so entries of
    -- one cluster get increasing times in id order even when their transactions began in another order.
    at           timestamptz NOT NULL DEFAULT clock_timestamp()
);

CREATE INDEX audit_log_cluster_id_idx ON audit_log (cluster_id, id);
