-- Clusters now carry spec.upgradePolicy (automatic patch upgrades, opt in; AutoUpgrades/). The Api
-- fills it in at create and update; this fills it into clusters stored before, with the policy a
-- spec that names none gets (no automatic upgrades, no window), so every stored spec is complete.
-- Plain SQL, so a migration. It changes neither generation nor ETag: the value is what the cluster
-- had implicitly. Only specs lacking the field change, so it is harmless to run again.
UPDATE clusters
SET spec = spec || '{"upgradePolicy": {"automaticPatchUpgrades": false, "maintenanceWindow": null}}'::jsonb
WHERE NOT spec ? 'upgradePolicy';

-- Automatic upgrades (AutoUpgrades/AutomaticUpgradeStore.cs) page through the opted-in live clusters
-- in id order every AutomaticUpgrades:Interval: this index holds only those, so a pass costs what
-- the opted-in clusters cost, not the whole table. Its predicate is the statement's, word for word.
CREATE INDEX clusters_automatic_upgrades_idx ON clusters (id)
    WHERE (spec #>> '{upgradePolicy,automaticPatchUpgrades}') = 'true' AND deletion_timestamp IS NULL;
