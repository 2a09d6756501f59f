-- The orchestrator's schema: admission of triggers (lanes, the trigger log, released code) and the run saga.
CREATE SCHEMA IF NOT EXISTS pipeline;

-- One lane per model and environment, holding its newest run. Admission locks the row (SELECT ... FOR UPDATE),
-- so concurrent triggers for one model are decided one after the other. The run is active while its saga is not
-- in a final state; last_started_at is what a cooldown between automatic runs is measured from.
CREATE TABLE pipeline.lanes (
    model_name      text        NOT NULL,
    environment     text        NOT NULL,
    active_run_id   uuid,
    last_started_at timestamptz,
    updated_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (model_name, environment)
);

-- Every trigger admission saw and what became of it: the run it started or was recorded on, or why it was ignored.
-- A trigger that concerns several models (raw data) has a row per model; one that concerns none has no model.
CREATE TABLE pipeline.triggers (
    trigger_id   bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind         text        NOT NULL,
    message_id   uuid        NOT NULL,
    model_name   text,
    environment  text        NOT NULL,
    principal    text        NOT NULL,
    run_id       uuid,
    disposition  text        NOT NULL CHECK (disposition IN ('started', 'recorded', 'ignored')),
    detail       text        NOT NULL,
    received_at  timestamptz NOT NULL DEFAULT now(),
    CHECK ((disposition = 'ignored') = (run_id IS NULL))
);

CREATE INDEX triggers_by_run ON pipeline.triggers (run_id) WHERE run_id IS NOT NULL;
CREATE INDEX triggers_by_model ON pipeline.triggers (model_name, environment, received_at DESC);

-- The training code last released per model (TrainingCodeReleased): what data-triggered and manual runs train with.
CREATE TABLE pipeline.released_code (
    model_name   text        NOT NULL,
    environment  text        NOT NULL,
    code_version text        NOT NULL,
    trainer      text        NOT NULL,
    parameters   jsonb       NOT NULL DEFAULT '{}',
    description  text,
    tags         jsonb       NOT NULL DEFAULT '{}',
    released_by  text        NOT NULL,
    message_id   uuid        NOT NULL,
    released_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (model_name, environment)
);

-- The DeployCodePipeline saga (layout of Mlops.Hosting.Sagas.PostgresSagaTable); data holds the whole run as JSON.
CREATE TABLE pipeline.deploy_code_pipeline_runs (
    correlation_id uuid        PRIMARY KEY,
    current_state  text,
    version        integer     NOT NULL,
    data           jsonb       NOT NULL,
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX deploy_code_pipeline_runs_by_state ON pipeline.deploy_code_pipeline_runs (current_state, updated_at);
