-- Every prediction Serving made: what it was asked, what it answered, with which version, how fast.
-- Written in batches by binary COPY; each batch is announced by PredictionsLogged with its log_batch_id.
CREATE SCHEMA IF NOT EXISTS serving;

CREATE TABLE serving.inference_log (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    log_batch_id  uuid             NOT NULL,
    request_id    uuid             NOT NULL,
    row_index     integer          NOT NULL,
    model_name    text             NOT NULL,
    model_version integer          NOT NULL,
    shadow        boolean          NOT NULL,
    features      jsonb            NOT NULL,
    prediction    double precision NOT NULL,
    latency_ms    double precision NOT NULL,
    served_at     timestamptz      NOT NULL
);

CREATE INDEX inference_log_by_batch ON serving.inference_log (log_batch_id);
CREATE INDEX inference_log_by_request ON serving.inference_log (request_id, row_index);
CREATE INDEX inference_log_by_model_time ON serving.inference_log (model_name, served_at);
