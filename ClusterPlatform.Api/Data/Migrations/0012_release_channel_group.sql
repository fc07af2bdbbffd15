-- Clusters created before spec.release.channelGroup existed are in the group every create now
-- defaults to, stable: the Api always answers with a complete spec, and a replace compares specs, so
-- the stored spec must carry it (else the first PUT would look like a spec change).
UPDATE clusters
   SET spec = jsonb_set(spec, '{release,channelGroup}', '"stable"')
 WHERE NOT (spec -> 'release') ? 'channelGroup';
