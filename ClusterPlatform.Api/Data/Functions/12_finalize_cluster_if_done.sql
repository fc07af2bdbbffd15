-- Hard-deletes a deleting cluster once its controllers have finalized it and its node pools are gone,
-- and says whether it did. Called after every cluster report, after a node pool's finalization (its
-- cluster may have waited only for that) and after a node pool's force delete. The caller holds the
-- cluster's row lock or takes it here.
CREATE OR REPLACE FUNCTION finalize_cluster_if_done(p_cluster_id uuid, p_required text[], p_actor text) RETURNS boolean
LANGUAGE plpgsql AS $$
DECLARE
    v_cluster clusters%ROWTYPE;
BEGIN
    SELECT * INTO v_cluster FROM clusters WHERE id = p_cluster_id FOR UPDATE;
    IF NOT FOUND OR v_cluster.deletion_timestamp IS NULL
       OR EXISTS (SELECT 1 FROM node_pools WHERE cluster_id = p_cluster_id)
       OR NOT all_finalized(p_cluster_id, v_cluster.generation, p_required) THEN
        RETURN false;
    END IF;

    DELETE FROM resource_statuses WHERE resource_id = p_cluster_id;
    DELETE FROM clusters WHERE id = p_cluster_id;
    PERFORM audit(p_cluster_id, NULL, 'finalize', p_actor, v_cluster.generation);
    RETURN true;
END
$$;
