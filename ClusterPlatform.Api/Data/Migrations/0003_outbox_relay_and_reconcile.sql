-- Outbox relay: rows are marked published rather than deleted at once, so a change's event stays
-- inspectable for a while; a purge removes published rows after the retention period.
ALTER TABLE outbox ADD COLUMN published_at timestamptz;
DROP INDEX outbox_occurred_at_idx;
-- The relay's claim query reads only unpublished rows, oldest first: its cost follows the backlog,
-- not the table.
CREATE INDEX outbox_unpublished_idx ON outbox (occurred_at) WHERE published_at IS NULL;
CREATE INDEX outbox_published_at_idx ON outbox (published_at) WHERE published_at IS NOT NULL;

-- Reconcile scheduler: when each cluster is next due a cluster.reconcile. Every write pushes it
-- out (debounce); the scheduler claims due rows through this index, so a tick costs the same
-- however many clusters need nothing.
ALTER TABLE clusters ADD COLUMN next_reconcile_at timestamptz NOT NULL DEFAULT now();
CREATE INDEX clusters_next_reconcile_at_idx ON clusters (next_reconcile_at);
