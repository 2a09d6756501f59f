-- Webhooks: subscriptions, the events they can receive, and one delivery row per (event, subscription), written in the
-- transaction of the consumer that saw the event, so a webhook is never lost.
CREATE SCHEMA IF NOT EXISTS notifications;

-- The event types a subscription may name: the API validates against this table, the service's consumers raise these names.
CREATE TABLE notifications.event_types (
    name        text PRIMARY KEY,
    description text NOT NULL,
    -- An event about no model (security.alert) only reaches registry-wide subscriptions.
    model_scoped boolean NOT NULL
);

INSERT INTO notifications.event_types (name, description, model_scoped) VALUES
    ('model_version.created', 'A new model version was registered (ModelRegistered).', true),
    ('alias.set', 'An alias (champion) moved to a version: promotion or rollback (ModelPromoted, ModelRolledBack).', true),
    ('alias.deleted', 'An alias was removed (ModelAliasDeleted).', true),
    ('run.finished', 'A pipeline run ended: Completed, Rejected, Failed, TimedOut or Cancelled (PipelineRunFinished).', true),
    ('rollback.failed', 'A rollback could not be done (RollbackFailed).', true),
    ('approval.requested', 'A promotion waits for a person''s approval (ApprovalRequested).', true),
    ('approval.reminder', 'A pending approval''s deadline is near (ApprovalDeadlineApproaching).', true),
    ('drift.detected', 'Monitoring confirmed drift (DriftDetected).', true),
    ('performance.degraded', 'Monitoring confirmed a drop in accuracy or AUC (ModelPerformanceDegraded).', true),
    ('data_quality.violated', 'Data failed a quality check, at feature refresh or in monitoring (DataQualityViolated).', true),
    ('latency.breached', 'Monitoring confirmed a serving latency p99 above its threshold (LatencyBreached).', true),
    ('security.alert', 'A principal was refused too often within a short window (SecurityAlert).', false);

CREATE TABLE notifications.subscriptions (
    id               uuid        PRIMARY KEY,
    url              text        NOT NULL,
    -- Null: registry-wide (every model, and events about no model).
    model_name       text,
    event_types      text[]      NOT NULL CHECK (cardinality(event_types) > 0),
    -- AES-256-GCM under Secrets:Key, bound to the id (SecretBox); never the plaintext.
    secret_encrypted bytea       NOT NULL,
    description      text        NOT NULL DEFAULT '',
    created_by       text        NOT NULL,
    created_at       timestamptz NOT NULL DEFAULT now(),
    status           text        NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'disabled', 'deleted')),
    status_reason    text,
    status_changed_at timestamptz,
    -- The sequence number the next delivery of this subscription takes: taken under the row's lock, so sequence order is commit order.
    next_sequence    bigint      NOT NULL DEFAULT 1
);

CREATE INDEX subscriptions_active ON notifications.subscriptions (model_name) WHERE status = 'active';

CREATE TABLE notifications.events (
    -- The MessageId of the message it announces: a message seen twice is one event.
    id          uuid        PRIMARY KEY,
    event_type  text        NOT NULL REFERENCES notifications.event_types (name),
    model_name  text,
    occurred_at timestamptz NOT NULL,
    -- The exact bytes every delivery of the event sends and signs.
    body        text        NOT NULL
);

CREATE INDEX events_occurred ON notifications.events (occurred_at);

CREATE TABLE notifications.deliveries (
    id               uuid        PRIMARY KEY,
    subscription_id  uuid        NOT NULL REFERENCES notifications.subscriptions (id),
    sequence         bigint      NOT NULL,
    event_id         uuid        NOT NULL REFERENCES notifications.events (id),
    -- A replay is a new delivery (new id, at the end of the subscription's sequence) of an earlier delivery's event.
    replay_of        uuid        REFERENCES notifications.deliveries (id),
    status           text        NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'failed')),
    created_at       timestamptz NOT NULL DEFAULT now(),
    next_attempt_at  timestamptz NOT NULL DEFAULT now(),
    first_attempt_at timestamptz,
    lease_until      timestamptz,
    attempts         integer     NOT NULL DEFAULT 0,
    last_status_code integer,
    last_error       text,
    delivered_at     timestamptz,
    failed_at        timestamptz,
    UNIQUE (subscription_id, sequence)
);

CREATE INDEX deliveries_pending ON notifications.deliveries (subscription_id, sequence) WHERE status = 'pending';
CREATE INDEX deliveries_log ON notifications.deliveries (subscription_id, created_at);
CREATE INDEX deliveries_event ON notifications.deliveries (event_id);
