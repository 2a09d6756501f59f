-- Who archived or restored a version, when and why: an append-only history next to the version's current status.
-- An archived version can be restored to 'ready' (MLflow's restore); enforced compliance archives without a row here.
CREATE TABLE registry.version_status_changes (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    model_name  text        NOT NULL,
    version     integer     NOT NULL,
    from_status text        NOT NULL,
    to_status   text        NOT NULL,
    changed_by  text        NOT NULL,
    reason      text        NOT NULL,
    changed_at  timestamptz NOT NULL DEFAULT now(),
    FOREIGN KEY (model_name, version) REFERENCES registry.model_versions (model_name, version)
);
CREATE INDEX version_status_changes_by_version ON registry.version_status_changes (model_name, version, id);

CREATE FUNCTION registry.refuse_status_history_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'registry.version_status_changes is append-only';
END;
$$;

CREATE TRIGGER version_status_changes_are_append_only BEFORE UPDATE OR DELETE ON registry.version_status_changes
    FOR EACH ROW EXECUTE FUNCTION registry.refuse_status_history_change();
