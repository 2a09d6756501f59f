-- The online store: the latest published features of each entity, for lookup by key at serving time. Each feature table
-- gets features_online."<name>" (created by OnlineStore on its first publication), keyed by (environment, entity): a
-- prod model never reads a dev version's values. Every row keeps the version it came from; a publication only replaces
-- a row with a newer version's, so a late or repeated publication changes nothing that is newer.
CREATE SCHEMA IF NOT EXISTS features_online;

-- The shape of each online table, so Serving needs no right on the offline feature tables to know the entity key and
-- columns it may look up. Feature tables never change their columns; neither do these.
CREATE TABLE features_online.tables (
    table_name    text        PRIMARY KEY,
    entity_column text        NOT NULL,
    columns       jsonb       NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now()
);

-- One row per version published into an environment; a publication found here is not applied again.
CREATE TABLE features_online.publications (
    table_name   text        NOT NULL REFERENCES features_online.tables (table_name),
    environment  text        NOT NULL CHECK (environment IN ('dev', 'staging', 'prod')),
    version      integer     NOT NULL,
    row_count    bigint      NOT NULL,
    rows_written bigint      NOT NULL,
    published_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (table_name, environment, version)
);
