-- Raw batches belong to one environment (dev, staging, prod): a run reads only its own environment's batches. Batches
-- landed before this migration belong to none and are read by no run; land them again, or set their environment by hand
-- (UPDATE raw.batches SET environment = 'prod' WHERE batch_id = ...) when you know where they came from.
ALTER TABLE raw.batches
    ADD COLUMN environment text CHECK (environment IN ('dev', 'staging', 'prod'));

CREATE INDEX batches_by_environment ON raw.batches (source_table, environment, landed_at DESC);
