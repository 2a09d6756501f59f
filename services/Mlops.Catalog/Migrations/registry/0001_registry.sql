-- The model registry: models named catalog.schema.model, numbered versions, tags, and aliases (champion,
-- challenger) that move only by compare-and-swap and leave an append-only history.
CREATE SCHEMA IF NOT EXISTS registry;

CREATE TABLE registry.models (
    name        text        PRIMARY KEY,
    catalog     text        NOT NULL,
    schema_name text        NOT NULL,
    model       text        NOT NULL,
    description text,
    created_by  text        NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE registry.model_versions (
    model_name      text        NOT NULL REFERENCES registry.models (name),
    version         integer     NOT NULL,
    status          text        NOT NULL CHECK (status IN ('ready', 'archived')),
    description     text,
    signature       jsonb       NOT NULL,
    training_run_id uuid        NOT NULL,
    artifact_sha256 text        NOT NULL,
    code_version    text        NOT NULL,
    trainer         text        NOT NULL,
    feature_table   text        NOT NULL,
    feature_version integer     NOT NULL,
    raw_batch_ids   uuid[]      NOT NULL,
    metrics         jsonb       NOT NULL,
    pipeline_run_id uuid,
    trace_id        text,
    created_by      text        NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (model_name, version)
);
CREATE UNIQUE INDEX model_versions_by_run ON registry.model_versions (model_name, pipeline_run_id) WHERE pipeline_run_id IS NOT NULL;

CREATE TABLE registry.version_tags (
    model_name text        NOT NULL,
    version    integer     NOT NULL,
    key        text        NOT NULL,
    value      text        NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (model_name, version, key),
    FOREIGN KEY (model_name, version) REFERENCES registry.model_versions (model_name, version)
);

CREATE TABLE registry.aliases (
    model_name text        NOT NULL,
    alias      text        NOT NULL,
    version    integer     NOT NULL,
    updated_by text        NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (model_name, alias),
    FOREIGN KEY (model_name, version) REFERENCES registry.model_versions (model_name, version)
);

CREATE TABLE registry.alias_history (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    model_name      text        NOT NULL,
    alias           text        NOT NULL,
    from_version    integer,
    to_version      integer     NOT NULL,
    changed_by      text        NOT NULL,
    reason          text        NOT NULL,
    pipeline_run_id uuid,
    changed_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX alias_history_by_alias ON registry.alias_history (model_name, alias, id DESC);

CREATE FUNCTION registry.refuse_history_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'registry.alias_history is append-only';
END;
$$;

CREATE TRIGGER alias_history_is_append_only BEFORE UPDATE OR DELETE ON registry.alias_history
    FOR EACH ROW EXECUTE FUNCTION registry.refuse_history_change();
