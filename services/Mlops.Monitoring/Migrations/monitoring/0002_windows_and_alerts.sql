-- The closed loop: per-window state kept up to date as predictions are logged, ground truth, results per window, alerts.

-- One row per model, version and fixed time window [window_start, window_end). Histograms are binned by the version's
-- reference, so the row costs O(bins) however many predictions the window holds; raw_values keeps the finite values of
-- numeric features and predictions only while row_count is small enough to sort (null beyond), for exact KS and W1.
-- revision counts changes (rows merged, labels landed); a window is due for evaluation while evaluated_revision lags.
CREATE TABLE monitoring.windows (
    model_name         text        NOT NULL,
    version            integer     NOT NULL,
    window_start       timestamptz NOT NULL,
    window_end         timestamptz NOT NULL,
    row_count          bigint      NOT NULL,
    first_served_at    timestamptz NOT NULL,
    last_served_at     timestamptz NOT NULL,
    histograms         jsonb       NOT NULL,
    raw_values         jsonb,
    revision           bigint      NOT NULL DEFAULT 1,
    evaluated_revision bigint,
    evaluated_at       timestamptz,
    created_at         timestamptz NOT NULL DEFAULT now(),
    updated_at         timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (model_name, version, window_start),
    CHECK (window_end > window_start)
);

CREATE INDEX windows_due ON monitoring.windows (window_end) WHERE evaluated_revision IS DISTINCT FROM revision;

-- Log batches already merged into windows: PredictionsLogged announced again under a new message id counts nothing twice.
CREATE TABLE monitoring.processed_batches (
    batch_id     uuid        PRIMARY KEY,
    model_name   text        NOT NULL,
    row_count    bigint      NOT NULL,
    processed_at timestamptz NOT NULL DEFAULT now()
);

-- True outcomes of served predictions, by the request id Serving returned and the row's index in that request.
-- Kept even when no such prediction is logged (yet): labels may arrive before the batch that holds their prediction.
CREATE TABLE monitoring.ground_truth (
    request_id uuid             NOT NULL,
    row_index  integer          NOT NULL,
    model_name text             NOT NULL,
    label      double precision NOT NULL CHECK (label IN (0, 1)),
    landed_at  timestamptz      NOT NULL DEFAULT now(),
    PRIMARY KEY (request_id, row_index)
);

-- Every metric of every evaluated window. subject_kind: feature (subject = feature name), prediction or model
-- (accuracy, auc, latency_p99). status: breached, ok (judged against threshold), measured (no threshold),
-- too_few_rows (fewer values than the minimum: not judged), not_computable (reason says why).
-- For accuracy and auc, threshold is the largest allowed drop below baseline.
CREATE TABLE monitoring.metric_results (
    model_name   text             NOT NULL,
    version      integer          NOT NULL,
    subject_kind text             NOT NULL CHECK (subject_kind IN ('feature', 'prediction', 'model')),
    subject      text             NOT NULL,
    metric       text             NOT NULL,
    window_start timestamptz      NOT NULL,
    window_end   timestamptz      NOT NULL,
    status       text             NOT NULL CHECK (status IN ('breached', 'ok', 'measured', 'too_few_rows', 'not_computable')),
    value        double precision,
    threshold    double precision,
    breached     boolean          NOT NULL,
    baseline     double precision,
    p_value      double precision,
    method       text,
    sample_size  bigint           NOT NULL,
    reason       text,
    evaluated_at timestamptz      NOT NULL DEFAULT now(),
    PRIMARY KEY (model_name, version, subject_kind, subject, metric, window_start)
);

CREATE INDEX metric_results_by_window ON monitoring.metric_results (model_name, window_start);

-- A sustained breach, open from the window that confirmed it until a window no longer breaches. At most one open alert
-- per model, version, subject and metric: the event that announced it is published once, a recurrence opens a new one.
CREATE TABLE monitoring.alerts (
    id                  uuid             PRIMARY KEY,
    model_name          text             NOT NULL,
    version             integer          NOT NULL,
    kind                text             NOT NULL CHECK (kind IN ('drift', 'data_quality', 'performance')),
    subject_kind        text             NOT NULL,
    subject             text             NOT NULL,
    metric              text             NOT NULL,
    value               double precision NOT NULL,
    threshold           double precision NOT NULL,
    window_start        timestamptz      NOT NULL,
    window_end          timestamptz      NOT NULL,
    windows_breached    integer          NOT NULL,
    windows_considered  integer          NOT NULL,
    opened_at           timestamptz      NOT NULL DEFAULT now(),
    closed_at           timestamptz,
    closed_window_start timestamptz
);

CREATE UNIQUE INDEX alerts_one_open ON monitoring.alerts (model_name, version, subject_kind, subject, metric) WHERE closed_at IS NULL;
CREATE INDEX alerts_by_model ON monitoring.alerts (model_name, opened_at);
