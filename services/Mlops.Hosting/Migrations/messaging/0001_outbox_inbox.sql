-- The transactional outbox and inbox every service shares (see Outbox/ in Mlops.Hosting).
CREATE SCHEMA IF NOT EXISTS messaging;

-- Messages a service has committed to send. The dispatcher of the producing service sends them in
-- sequence order once deliver_after has passed (a deadline is an outbox row with a later deliver_after)
-- and stamps delivered_at; delivered rows are removed after a retention period.
CREATE TABLE messaging.outbox (
    sequence_number     bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    producer            text        NOT NULL,
    message_id          uuid        NOT NULL,
    destination_address text        NOT NULL,
    message_type        text        NOT NULL,
    content_type        text        NOT NULL,
    body                text        NOT NULL,
    headers             text,
    properties          text,
    conversation_id     uuid,
    correlation_id      uuid,
    initiator_id        uuid,
    request_id          uuid,
    source_address      text,
    response_address    text,
    fault_address       text,
    expiration_time     timestamptz,
    sent_time           timestamptz NOT NULL,
    scheduling_token_id uuid,
    deliver_after       timestamptz NOT NULL DEFAULT now(),
    attempts            integer     NOT NULL DEFAULT 0,
    last_error          text,
    delivered_at        timestamptz,
    created_at          timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX outbox_pending ON messaging.outbox (producer, deliver_after, sequence_number) WHERE delivered_at IS NULL;
CREATE INDEX outbox_scheduling_token ON messaging.outbox (scheduling_token_id) WHERE scheduling_token_id IS NOT NULL AND delivered_at IS NULL;
CREATE INDEX outbox_delivered ON messaging.outbox (delivered_at) WHERE delivered_at IS NOT NULL;

-- Messages a consumer has processed, by (consumer, message id): written in the consumer's own
-- transaction, so a redelivered message is recognised and changes nothing twice.
CREATE TABLE messaging.inbox (
    consumer     text        NOT NULL,
    message_id   uuid        NOT NULL,
    message_type text,
    processed_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (consumer, message_id)
);

CREATE INDEX inbox_processed_at ON messaging.inbox (processed_at);
