-- Clusters now carry spec.gcp.infraId (the --infra-id of `hypershift create infra|iam gcp`) and
-- spec.gcp.subnet. The Api fills both in at create; this fills them into clusters stored before,
-- so every stored spec is complete and controllers need no fallback.
--
-- derive_infra_id is the SQL twin of the Api's InfraIds.Derive (Validation/InfraIds.cs); a test
-- holds the two to the same answers. The name's prefix: ASCII lower-cased (translate, not lower(),
-- so the database's locale cannot matter), only [a-z0-9-] kept, runs of '-' collapsed, leading
-- non-letters dropped, 'c' if nothing is left or before a leading 'gcp' (Google reserves "gcp-"),
-- cut to 7 and trailing '-' trimmed; then '-' and 5 hex digits of the SHA-256 of the id's RFC 4122
-- (big-endian) bytes, which uuid_send gives. sha256(bytea) is built in since PostgreSQL 11, so no
-- pgcrypto is needed.
--
-- Written to be run again harmlessly (CREATE OR REPLACE, only specs lacking the fields change).
-- The backfill changes neither generation nor ETag: the values are what the cluster had implicitly,
-- and controllers pick them up on their next reconcile.
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

UPDATE clusters c
SET spec = jsonb_set(c.spec, '{gcp}', (c.spec -> 'gcp') || jsonb_build_object('infraId', filled.infra_id, 'subnet', filled.subnet))
FROM (
    SELECT id, infra_id, coalesce(spec #>> '{gcp,subnet}', infra_id || '-subnet') AS subnet
    FROM (SELECT id, spec, coalesce(spec #>> '{gcp,infraId}', derive_infra_id(id, name)) AS infra_id FROM clusters) AS ids
) AS filled
WHERE filled.id = c.id
  AND NOT ((c.spec -> 'gcp') ? 'infraId' AND (c.spec -> 'gcp') ? 'subnet');
