-- The infra id a cluster gets when its create names none: spec.gcp.infraId, the --infra-id of
-- `hypershift create infra|iam gcp`. The backfill of clusters stored before infra ids existed
-- (Backfills/0008_cluster_infra_ids.sql) and the benchmarks' seed call it.
--
-- derive_infra_id is the SQL twin of the Api's InfraIds.Derive (Validation/InfraIds.cs); a test
-- holds the two to the same answers. The name's prefix: ASCII lower-cased (translate, not lower(),
-- so the database's locale cannot matter), only [a-z0-9-] kept, runs of '-' collapsed, leading
-- non-letters dropped, 'c' if nothing is left or before a leading 'gcp' (Google reserves "gcp-"),
-- cut to 7 and trailing '-' trimmed; then '-' and 5 hex digits of the SHA-256 of the id's RFC 4122
-- (big-endian) bytes, which uuid_send gives. sha256(bytea) is built in since PostgreSQL 11, so no
-- pgcrypto is needed.
CREATE OR REPLACE FUNCTION derive_infra_id(cluster_id uuid, cluster_name text) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT rtrim(left(CASE WHEN prefix = '' THEN 'c' WHEN prefix LIKE 'gcp%' THEN 'c' || prefix ELSE prefix END, 7), '-')
        || '-' || left(encode(sha256(uuid_send(cluster_id)), 'hex'), 5)
    FROM (
        SELECT regexp_replace(
                   regexp_replace(
                       regexp_replace(translate(cluster_name, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz'), '[^a-z0-9-]', '', 'g'),
                       '-+', '-', 'g'),
                   '^[^a-z]+', '') AS prefix
    ) AS cleaned
$$;
