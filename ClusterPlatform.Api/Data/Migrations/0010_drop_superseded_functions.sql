-- Functions and triggers that earlier releases created and the current layout (Data/Functions)
-- no longer has. The run-always scripts can only create or replace; a function whose argument list
-- or result columns change, or that goes away, must be dropped once, here, on databases that have
-- it. IF EXISTS: a database created with this layout never had them.

-- Relays are woken after commit (Events/OutboxSignal.cs): a NOTIFY inside the writing transaction,
-- as this trigger sent, holds PostgreSQL's database-wide notify lock from commit until the WAL
-- flush, so every event-writing transaction committed alone.
DROP TRIGGER IF EXISTS outbox_notify ON outbox;
DROP FUNCTION IF EXISTS outbox_notify();

-- The status of a resource nobody had reported on; aggregate_status with no reports gives it.
DROP FUNCTION IF EXISTS initial_status(text[], bigint, timestamptz);

-- Before report versions: report_refusal without a version, and the report functions' wrappers for
-- the release before them.
DROP FUNCTION IF EXISTS report_refusal(uuid, text, bigint, bigint);
DROP FUNCTION IF EXISTS report_cluster_status(uuid, text, bigint, jsonb, jsonb, text[], text[], text, interval, interval, text);
DROP FUNCTION IF EXISTS report_node_pool_status(uuid, text, bigint, jsonb, jsonb, text[], text[], text[], text, text);

-- The report functions' result columns were (outcome, status, finalized); they are (outcome,
-- status, queued) now, and CREATE OR REPLACE cannot change a function's result type. Dropped and
-- created again in the same transaction as the function scripts (DatabaseMigrator), so other
-- replicas never find them missing.
DROP FUNCTION IF EXISTS report_cluster_status(uuid, text, bigint, bigint, jsonb, jsonb, text[], text[], text, interval, interval, text);
DROP FUNCTION IF EXISTS report_node_pool_status(uuid, text, bigint, bigint, jsonb, jsonb, text[], text[], text[], text, text);
