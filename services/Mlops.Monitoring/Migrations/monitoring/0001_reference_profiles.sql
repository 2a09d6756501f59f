-- What each model version saw in training: the baseline drift and performance are measured against.
CREATE SCHEMA IF NOT EXISTS monitoring;

CREATE TABLE monitoring.reference_profiles (
    model_name      text        NOT NULL,
    version         integer     NOT NULL,
    artifact_sha256 text        NOT NULL,
    profile         jsonb       NOT NULL,
    captured_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (model_name, version)
);
