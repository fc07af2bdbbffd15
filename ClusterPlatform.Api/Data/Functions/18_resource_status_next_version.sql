-- Optimistic concurrency on each controller's own status entry (Kubernetes' resourceVersion
-- discipline: https://kubernetes.io/docs/reference/using-api/api-concepts/#resource-versions and
-- https://github.com/kubernetes/community/blob/master/contributors/devel/sig-architecture/api-conventions.md#concurrency-control-and-consistency).
-- Each entry gets a version: 1 with the controller's first stored report (the column's default),
-- one more with every stored report after. A report names the version it was made from (0: none);
-- one made from another version is refused as report-conflict (report_refusal), so two replicas of
-- a controller that read the same entry cannot both store: the second re-reads and reconciles again.
--
-- Every update of an entry is a stored report, so the version rises here, in one place, whichever
-- statement (store_report's upsert, a repair by hand) wrote it.
CREATE OR REPLACE FUNCTION resource_status_next_version() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    NEW.version := OLD.version + 1;
    RETURN NEW;
END
$$;

CREATE OR REPLACE TRIGGER resource_status_next_version BEFORE UPDATE ON resource_statuses
    FOR EACH ROW EXECUTE FUNCTION resource_status_next_version();
