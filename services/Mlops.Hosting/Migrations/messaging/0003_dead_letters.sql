-- The single place an operator looks for messages that failed for good on any endpoint (poison, or a non-transient
-- failure after every delayed redelivery). `mlops errors list | show | replay` reads and replays them; a replay sends
-- the message back to its queue through the outbox of the service that consumes it (`service`) with the same MessageId.
CREATE TABLE messaging.dead_letters (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    queue          text        NOT NULL,
    message_id     uuid,
    message_type   text,
    reason         text        NOT NULL,
    exception_type text,
    headers        jsonb,
    body           text,
    failed_at      timestamptz NOT NULL DEFAULT now(),
    redeliveries   int         NOT NULL DEFAULT 0,
    replayed_at    timestamptz,
    replayed_by    text,
    service        text,
    content_type   text,
    input_address  text
);

CREATE INDEX dead_letters_unreplayed ON messaging.dead_letters (queue, failed_at) WHERE replayed_at IS NULL;
CREATE INDEX dead_letters_replayed ON messaging.dead_letters (replayed_at) WHERE replayed_at IS NOT NULL;
