-- The audit log: append-only and hash-chained. Entry n carries the hash of entry n-1 (previous_hash) and its own hash over
-- its fields and previous_hash, so editing, deleting or reordering entries breaks the chain where it happened (AuditVerifier).
-- seq is gapless: appenders take a transaction-scoped advisory lock and append max(seq)+1.
CREATE SCHEMA IF NOT EXISTS audit;

CREATE TABLE audit.entries (
    seq           bigint      PRIMARY KEY CHECK (seq > 0),
    at            timestamptz NOT NULL,
    principal     text        NOT NULL,
    action        text        NOT NULL,
    resource      text        NOT NULL,
    outcome       text        NOT NULL CHECK (outcome IN ('succeeded', 'denied', 'failed')),
    detail        text        NOT NULL DEFAULT '',
    trace_id      text,
    request_id    text,
    previous_hash text        NOT NULL,
    hash          text        NOT NULL
);
CREATE INDEX entries_by_principal ON audit.entries (principal, at);
CREATE INDEX entries_by_resource ON audit.entries (resource, at);
CREATE INDEX entries_by_time ON audit.entries (at);

CREATE FUNCTION audit.refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit.entries is append-only: % refused', TG_OP;
END;
$$;

CREATE TRIGGER entries_are_append_only BEFORE UPDATE OR DELETE ON audit.entries
    FOR EACH ROW EXECUTE FUNCTION audit.refuse_change();
CREATE TRIGGER entries_are_not_truncated BEFORE TRUNCATE ON audit.entries
    FOR EACH STATEMENT EXECUTE FUNCTION audit.refuse_change();
