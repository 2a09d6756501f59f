-- Durable leases for long pipeline steps (see Steps/ in Mlops.Hosting). A consumer records the step here in its short
-- transaction and acknowledges the command; a worker of the same service takes the lease, works with no transaction and
-- no unacknowledged message open, renews expires_at by heartbeat, and completes the lease in the transaction that writes
-- the step's results and replies. A lease whose owner died expires and is taken again; attempt makes every take and the
-- completion a compare-and-swap, so a step completes once however many workers tried it.
CREATE SCHEMA IF NOT EXISTS steps;

CREATE TABLE steps.step_leases (
    pipeline_run_id uuid        NOT NULL,
    step            text        NOT NULL,
    -- open: waiting for a worker or being worked on (owner set and expires_at in the future); done: results committed,
    -- replies kept to answer a repeated command; failed: set aside for a non-transient reason (last_error).
    status          text        NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'done', 'failed')),
    command_type    text        NOT NULL,
    command         text        NOT NULL,
    trace_parent    text,
    owner           text,
    attempt         integer     NOT NULL DEFAULT 0,
    heartbeat_at    timestamptz,
    expires_at      timestamptz NOT NULL DEFAULT now(),
    replies         text,
    last_error      text,
    created_at      timestamptz NOT NULL DEFAULT now(),
    finished_at     timestamptz,
    PRIMARY KEY (pipeline_run_id, step)
);

CREATE INDEX step_leases_due ON steps.step_leases (step, expires_at) WHERE status = 'open';
CREATE INDEX step_leases_finished ON steps.step_leases (finished_at) WHERE finished_at IS NOT NULL;
