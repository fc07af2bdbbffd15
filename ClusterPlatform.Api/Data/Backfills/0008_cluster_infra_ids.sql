-- Clusters now carry spec.gcp.infraId (the --infra-id of `hypershift create infra|iam gcp`) and
-- spec.gcp.subnet. The Api fills both in at create; this fills them into clusters stored before,
-- so every stored spec is complete and controllers need no fallback. The infra id is what
-- derive_infra_id (Functions/16_derive_infra_id.sql) gives, which is why this is a backfill: it
-- runs after the function scripts.
--
-- Written to be run again harmlessly (only specs lacking the fields change): a database migrated
-- before backfills had a folder of their own ran it as Migrations/0008 and runs it once more under
-- this name, changing nothing. The backfill changes neither generation nor ETag: the values are
-- what the cluster had implicitly, and controllers pick them up on their next reconcile.
UPDATE clusters c
SET spec = jsonb_set(c.spec, '{gcp}', (c.spec -> 'gcp') || jsonb_build_object('infraId', filled.infra_id, 'subnet', filled.subnet))
FROM (
    SELECT id, infra_id, coalesce(spec #>> '{gcp,subnet}', infra_id || '-subnet') AS subnet
    FROM (SELECT id, spec, coalesce(spec #>> '{gcp,infraId}', derive_infra_id(id, name)) AS infra_id FROM clusters) AS ids
) AS filled
WHERE filled.id = c.id
  AND NOT ((c.spec -> 'gcp') ? 'infraId' AND (c.spec -> 'gcp') ? 'subnet');
