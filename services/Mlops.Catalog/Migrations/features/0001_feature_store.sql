-- The feature store's catalogue. Each feature table's rows live in features."<name>" (created by FeatureStore when
-- the table is registered), keyed by (version, entity_id): every refresh writes a whole new version, and reading
-- "as of version N" returns exactly what was written then.
CREATE SCHEMA IF NOT EXISTS features;

CREATE TABLE features.tables (
    name          text        PRIMARY KEY,
    entity_column text        NOT NULL,
    columns       jsonb       NOT NULL,
    label_column  text,
    source_table  text        NOT NULL,
    description   text,
    created_at    timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE features.table_versions (
    table_name      text        NOT NULL REFERENCES features.tables (name),
    version         integer     NOT NULL,
    row_count       bigint      NOT NULL,
    raw_batch_ids   uuid[]      NOT NULL,
    pipeline_run_id uuid,
    statistics      jsonb       NOT NULL,
    created_by      text        NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (table_name, version)
);
CREATE UNIQUE INDEX table_versions_by_run ON features.table_versions (table_name, pipeline_run_id) WHERE pipeline_run_id IS NOT NULL;

-- Every refresh's data-quality verdict, including the ones that stopped a run (they have no version).
CREATE TABLE features.quality_results (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    table_name      text        NOT NULL,
    version         integer,
    pipeline_run_id uuid,
    raw_batch_ids   uuid[]      NOT NULL,
    passed          boolean     NOT NULL,
    violations      jsonb       NOT NULL,
    statistics      jsonb       NOT NULL,
    checked_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX quality_results_by_table ON features.quality_results (table_name, checked_at DESC);
