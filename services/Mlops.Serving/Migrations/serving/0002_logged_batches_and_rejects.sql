-- One row per inference-log batch, written in the batch's own transaction: a retried or replayed batch whose commit did
-- happen (its acknowledgement lost) finds its id here and writes nothing twice.
CREATE TABLE serving.logged_batches (
    batch_id   uuid        PRIMARY KEY,
    model_name text        NOT NULL,
    row_count  integer     NOT NULL,
    logged_at  timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX logged_batches_by_time ON serving.logged_batches (logged_at);

-- Rows PostgreSQL refused to store in serving.inference_log, set aside so the rows behind them go on. row_json is the whole
-- row as JSON with every character the database refuses escaped, so this table can always take it.
CREATE TABLE serving.inference_log_rejects (
    id            bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    request_id    uuid        NOT NULL,
    row_index     integer     NOT NULL,
    model_version integer     NOT NULL,
    served_at     timestamptz NOT NULL,
    sqlstate      text,
    reason        text        NOT NULL,
    row_json      text        NOT NULL,
    rejected_at   timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX inference_log_rejects_by_time ON serving.inference_log_rejects (rejected_at);
