-- Clusters now carry spec.upgradePolicy (automatic patch upgrades, opt in; AutoUpgrades/). The Api
-- fills it in at create and update; this fills it into clusters stored before, with the policy a
-- spec that names none gets (no automatic upgrades, no window), so every stored spec is complete.
-- Plain SQL, so a migration. It changes neither generation nor ETag: the value is what the cluster
-- had implicitly. Only specs lacking the field change, so it is harmless to run again.
UPDATE clusters
SET spec = spec || '{"upgradePolicy": {"automaticPatchUpgrades": false, "maintenanceWindow": null}}'::jsonb
WHERE NOT spec ? 'upgradePolicy';
