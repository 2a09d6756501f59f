-- The dispatcher claims a producer's undelivered rows in sequence order. outbox_due (producer, deliver_after, sequence_number)
-- could not give that order, so whenever the statistics lagged behind a burst of deliveries (they said "almost every row is
-- undelivered") the planner walked the primary key instead, over every delivered row kept for a day: 230-390 ms a claim at
-- 200,000 delivered rows. This index gives the order itself and holds only rows still to send; deliver_after rides along so
-- the health check's backlog figures and the dispatcher's next-due look are index-only scans.
CREATE INDEX outbox_claim ON messaging.outbox (producer, sequence_number) INCLUDE (deliver_after)
    WHERE delivered_at IS NULL AND parked_at IS NULL;
DROP INDEX messaging.outbox_due;

-- A queue table: every row is inserted, updated once or twice and deleted a day later. Analyse and vacuum it after a
-- thousand changed rows instead of a tenth of the table, so the planner's picture and the claim index stay current.
ALTER TABLE messaging.outbox SET (
    autovacuum_vacuum_scale_factor = 0, autovacuum_vacuum_threshold = 1000,
    autovacuum_analyze_scale_factor = 0, autovacuum_analyze_threshold = 1000);
