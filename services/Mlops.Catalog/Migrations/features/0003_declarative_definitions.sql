-- Feature tables defined in YAML (docs/features.md). Each registration that changes a table's meaning (expressions, rules,
-- description) is a new definition version; its output columns never change (that needs a new feature table). The YAML is
-- kept as written with the source columns it was checked against: a refresh compiles it again, never runs stored SQL.
CREATE TABLE features.definitions (
    table_name           text        NOT NULL REFERENCES features.tables (name),
    version              integer     NOT NULL,
    document             text        NOT NULL,
    fingerprint          text        NOT NULL,
    source_columns       jsonb       NOT NULL,
    label_source_columns jsonb       NOT NULL DEFAULT '[]',
    registered_by        text        NOT NULL,
    registered_at        timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (table_name, version)
);

-- The definition version a table computes now (null: a table from before YAML definitions, computed by nothing until one
-- is registered), and the one each feature table version was computed with.
ALTER TABLE features.tables ADD COLUMN definition_version integer;
ALTER TABLE features.table_versions ADD COLUMN definition_version integer;

-- Labels observed apart from the feature rows (their own raw table or their own time), one set per feature table version.
-- Training joins each to the entity's latest feature row at or before label_time (point in time).
CREATE TABLE features.labels (
    table_name text             NOT NULL,
    version    integer          NOT NULL,
    entity_id  bigint           NOT NULL,
    label_time timestamptz      NOT NULL,
    label      double precision,
    FOREIGN KEY (table_name, version) REFERENCES features.table_versions (table_name, version) DEFERRABLE INITIALLY DEFERRED
);
CREATE INDEX labels_by_version ON features.labels (table_name, version, entity_id);
