-- Scheduled retraining (Pipeline:Models:N:Schedule, a cron expression in UTC): the occurrence each model's schedule last
-- fired for. A scheduler claims an occurrence by moving last_occurrence forward under the row's lock, in the transaction
-- that writes the trigger's outbox row: an occurrence fires once, however many orchestrators run and however often they
-- restart. A schedule seen for the first time (or changed) starts from its latest past occurrence without firing it.
CREATE TABLE pipeline.schedules (
    model_name      text        NOT NULL,
    environment     text        NOT NULL,
    expression      text        NOT NULL,
    last_occurrence timestamptz NOT NULL,
    fired_at        timestamptz,
    updated_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (model_name, environment)
);
