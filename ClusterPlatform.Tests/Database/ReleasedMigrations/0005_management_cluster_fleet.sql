-- The fleet of HyperShift management clusters the placement controller chooses from, and which
-- cluster is placed where. Placement is sticky: a cluster keeps its management cluster until released.
CREATE TABLE management_clusters (
    name           text    PRIMARY KEY,
    region         text    NOT NULL,
    capacity       integer NOT NULL CHECK (capacity >= 0),
    load           integer NOT NULL DEFAULT 0 CHECK (load >= 0),
    api_endpoint   text    NOT NULL,
    ingress_target text    NOT NULL
);

CREATE INDEX management_clusters_region_idx ON management_clusters (region);

CREATE TABLE placements (
    cluster_id         uuid        PRIMARY KEY,
    management_cluster text        NOT NULL REFERENCES management_clusters (name),
    placed_at          timestamptz NOT NULL
);
