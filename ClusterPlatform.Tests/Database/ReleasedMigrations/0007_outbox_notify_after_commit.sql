-- The relays are now woken by a NOTIFY the Api sends after each event-writing transaction has
-- committed, in a transaction of its own that does not wait for its WAL flush (Events/OutboxSignal.cs).
-- A NOTIFY inside the writing transaction, as this trigger sent, holds PostgreSQL's database-wide
-- notify lock from commit until the WAL flush, so every event-writing transaction committed alone:
-- about one create per fsync, however many clients wrote.
DROP TRIGGER outbox_notify ON outbox;
DROP FUNCTION outbox_notify();
