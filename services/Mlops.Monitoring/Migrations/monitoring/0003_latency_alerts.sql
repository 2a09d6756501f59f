-- A confirmed breach of the serving latency p99 opens an alert too, announced by LatencyBreached.
ALTER TABLE monitoring.alerts DROP CONSTRAINT alerts_kind_check;
ALTER TABLE monitoring.alerts ADD CONSTRAINT alerts_kind_check CHECK (kind IN ('drift', 'data_quality', 'performance', 'latency'));
