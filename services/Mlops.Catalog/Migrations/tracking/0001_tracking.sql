-- Experiment tracking: runs with parameters, metrics, code and data versions, and content-addressed artifacts.
CREATE SCHEMA IF NOT EXISTS tracking;

CREATE TABLE tracking.runs (
    run_id          uuid        PRIMARY KEY,
    experiment      text        NOT NULL,
    pipeline_run_id uuid,
    status          text        NOT NULL CHECK (status IN ('running', 'finished', 'failed')),
    trainer         text        NOT NULL,
    code_version    text        NOT NULL,
    parameters      jsonb       NOT NULL,
    metrics         jsonb       NOT NULL DEFAULT '{}',
    feature_table   text        NOT NULL,
    feature_version integer     NOT NULL,
    principal       text        NOT NULL,
    trace_id        text,
    error           text,
    started_at      timestamptz NOT NULL DEFAULT now(),
    finished_at     timestamptz
);
CREATE INDEX runs_by_experiment ON tracking.runs (experiment, started_at DESC);

-- One row per distinct content; its key is the sha256 of the bytes, checked again on every load.
CREATE TABLE tracking.artifact_blobs (
    sha256     text        PRIMARY KEY CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    content    bytea       NOT NULL,
    size_bytes bigint      NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE tracking.run_artifacts (
    run_id uuid NOT NULL REFERENCES tracking.runs (run_id),
    name   text NOT NULL,
    sha256 text NOT NULL REFERENCES tracking.artifact_blobs (sha256),
    PRIMARY KEY (run_id, name)
);
