CREATE SCHEMA hosting_tests;

-- Not idempotent on purpose: applied twice, this file would fail and so would the host that applied it.
CREATE TABLE hosting_tests.applications (id serial PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now());
INSERT INTO hosting_tests.applications DEFAULT VALUES;

CREATE TABLE hosting_tests.orders (order_id uuid PRIMARY KEY, quantity integer NOT NULL);
CREATE TABLE hosting_tests.order_events (message_id uuid NOT NULL, order_id uuid NOT NULL, received_at timestamptz NOT NULL DEFAULT now());
CREATE TABLE hosting_tests.pongs (ping_id uuid NOT NULL, trace_id text NOT NULL);

CREATE TABLE hosting_tests.pair_saga (
    correlation_id uuid PRIMARY KEY, current_state text, version integer NOT NULL, data jsonb NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(), updated_at timestamptz NOT NULL DEFAULT now());

CREATE TABLE hosting_tests.reminder_saga (
    correlation_id uuid PRIMARY KEY, current_state text, version integer NOT NULL, data jsonb NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(), updated_at timestamptz NOT NULL DEFAULT now());
