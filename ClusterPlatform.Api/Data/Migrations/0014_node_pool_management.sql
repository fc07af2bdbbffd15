-- Node pools now carry spec.management (HyperShift's NodePool upgradeType and rollout bounds). The
-- Api fills in HyperShift's defaults at create (Validation/NodePoolManagementRules.cs); this fills
-- them into node pools stored before, so every stored spec and every response is complete and
-- controllers need no fallback. Replace with maxSurge 1 and maxUnavailable 0 is what those pools
-- already got: the operator client created every NodePool with upgradeType Replace and the CRD's
-- replace defaults. Neither generation nor ETag changes: the values are what the pool had implicitly.
-- Only specs lacking the field change, so running it again changes nothing.
UPDATE node_pools
SET spec = spec || '{"management": {"upgradeType": "Replace", "maxSurge": "1", "maxUnavailable": "0"}}'::jsonb
WHERE NOT spec ? 'management';
