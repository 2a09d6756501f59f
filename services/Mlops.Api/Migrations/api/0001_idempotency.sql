-- Responses to POSTs that carried an Idempotency-Key, per principal: the same key with the same body replays the stored
-- response; with another body it is refused. A row without a status is a request still in flight.
CREATE SCHEMA IF NOT EXISTS api;

CREATE TABLE api.idempotency_keys (
    principal_id  uuid        NOT NULL,
    key           text        NOT NULL,
    method        text        NOT NULL,
    path          text        NOT NULL,
    request_hash  text        NOT NULL,
    status_code   integer,
    content_type  text,
    body          bytea,
    created_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (principal_id, key)
);
CREATE INDEX idempotency_keys_by_age ON api.idempotency_keys (created_at);
