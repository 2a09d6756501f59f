-- Attempts are written outside the consumer's transaction (it rolls back on failure); done rows inside it.
CREATE TABLE hosting_tests.flaky_attempts (flaky_id uuid NOT NULL, attempted_at timestamptz NOT NULL DEFAULT now());
CREATE TABLE hosting_tests.flaky_done (flaky_id uuid PRIMARY KEY);
