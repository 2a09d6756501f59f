-- Batch scoring (services/Mlops.BatchScoring): a job scores a feature table version, or a list of its entity keys, with one
-- model version, chunk by chunk. Each chunk's predictions, its row in job_chunks and the job's progress commit in one
-- transaction, so a restarted job resumes at the first chunk without a row and writes no prediction twice.
CREATE SCHEMA IF NOT EXISTS scoring;

CREATE TABLE scoring.jobs (
    job_id          uuid        PRIMARY KEY,
    correlation_id  uuid        NOT NULL,
    model_name      text        NOT NULL,
    environment     text        NOT NULL,
    -- Resolved once, when the job is planned (the champion then, or the version asked for): a job that resumes after the
    -- champion moved still scores with the version it started with.
    model_version   integer,
    feature_table   text,
    feature_version integer,
    -- The keys asked for (NULL: every entity of the version), kept sorted and distinct.
    entity_keys     bigint[],
    trigger         text        NOT NULL CHECK (trigger IN ('on_demand', 'schedule', 'pipeline')),
    requested_by    text        NOT NULL,
    state           text        NOT NULL DEFAULT 'queued' CHECK (state IN ('queued', 'running', 'completed', 'failed')),
    chunk_size      integer     CHECK (chunk_size > 0),
    chunk_count     integer,
    chunks_done     integer     NOT NULL DEFAULT 0,
    rows_scored     bigint      NOT NULL DEFAULT 0,
    -- What the job could not do without failing (unknown keys), and why it failed.
    errors          jsonb       NOT NULL DEFAULT '[]',
    failure         text,
    created_at      timestamptz NOT NULL DEFAULT now(),
    started_at      timestamptz,
    finished_at     timestamptz
);

CREATE INDEX jobs_by_model ON scoring.jobs (model_name, created_at);

CREATE TABLE scoring.job_chunks (
    job_id       uuid        NOT NULL REFERENCES scoring.jobs (job_id) ON DELETE CASCADE,
    chunk        integer     NOT NULL,
    row_count    integer     NOT NULL,
    -- The inference log batch the chunk's rows went to (serving.inference_log.log_batch_id), announced by PredictionsLogged.
    log_batch_id uuid        NOT NULL,
    committed_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (job_id, chunk)
);

CREATE TABLE scoring.predictions (
    job_id        uuid             NOT NULL REFERENCES scoring.jobs (job_id) ON DELETE CASCADE,
    entity_id     bigint           NOT NULL,
    model_name    text             NOT NULL,
    model_version integer          NOT NULL,
    prediction    double precision NOT NULL,
    scored_at     timestamptz      NOT NULL,
    PRIMARY KEY (job_id, entity_id)
);

-- The batch scheduler's claim: the occurrence each configured schedule last fired for (as pipeline.schedules).
CREATE TABLE scoring.schedules (
    model_name      text        PRIMARY KEY,
    expression      text        NOT NULL,
    last_occurrence timestamptz NOT NULL,
    fired_at        timestamptz,
    updated_at      timestamptz NOT NULL DEFAULT now()
);
