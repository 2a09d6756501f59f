-- Poison never blocks: a row that can never be sent (its headers or body cannot be read back, its destination is not
-- an address, the broker refuses it) is parked with its reason instead of being retried, and the rows behind it go on.
-- Transient failures (the broker is down) are retried for ever and never park a row.
ALTER TABLE messaging.outbox ADD COLUMN parked_at timestamptz;

-- What the dispatcher claims and the backlog health check counts: undelivered, unparked rows of a producer.
CREATE INDEX outbox_due ON messaging.outbox (producer, deliver_after, sequence_number) WHERE delivered_at IS NULL AND parked_at IS NULL;
CREATE INDEX outbox_parked ON messaging.outbox (parked_at) WHERE parked_at IS NOT NULL AND delivered_at IS NULL;
DROP INDEX messaging.outbox_pending;
