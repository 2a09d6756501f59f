-- Who may call the API: principals (people and service principals), the roles granted to them, and their API tokens.
-- A token is kept only as the SHA-256 of its 32 random bytes: whoever reads this table cannot call the API with it.
CREATE SCHEMA IF NOT EXISTS identity;

CREATE TABLE identity.principals (
    id          uuid        PRIMARY KEY,
    name        text        NOT NULL UNIQUE CHECK (name ~ '^[a-z0-9][a-z0-9._@-]{0,99}$'),
    kind        text        NOT NULL CHECK (kind IN ('user', 'service')),
    created_by  text        NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now()
);

-- Roles hold for every catalog; what each role may do in dev, staging and prod is the access matrix in code (AccessMatrix).
CREATE TABLE identity.role_grants (
    principal_id uuid        NOT NULL REFERENCES identity.principals (id),
    role         text        NOT NULL CHECK (role IN ('admin', 'data_scientist', 'ml_engineer', 'devops_engineer', 'model_consumer', 'rollback_override')),
    granted_by   text        NOT NULL,
    granted_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (principal_id, role)
);

CREATE TABLE identity.tokens (
    id           uuid        PRIMARY KEY,
    principal_id uuid        NOT NULL REFERENCES identity.principals (id),
    token_hash   bytea       NOT NULL UNIQUE CHECK (octet_length(token_hash) = 32),
    description  text        NOT NULL,
    created_by   text        NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    expires_at   timestamptz NOT NULL,
    revoked_at   timestamptz,
    revoked_by   text
);
CREATE INDEX tokens_by_principal ON identity.tokens (principal_id);

-- Security alerts raised for repeated refusals: at most one per principal per window.
CREATE TABLE identity.security_alerts (
    alert_id     uuid        PRIMARY KEY,
    principal    text        NOT NULL,
    refusals     integer     NOT NULL,
    raised_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX security_alerts_by_principal ON identity.security_alerts (principal, raised_at DESC);
