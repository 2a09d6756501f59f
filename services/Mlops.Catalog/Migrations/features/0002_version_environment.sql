-- A feature table's definition is code and the same in every environment; its versions are data and belong to the
-- environment whose raw batches they were computed from. Version numbers stay one sequence per table (a version's rows
-- are keyed by it), so dev and prod versions of a table interleave: v7 may be staging's and v8 prod's. Versions written
-- before this migration belong to none: no run reads them.
ALTER TABLE features.table_versions
    ADD COLUMN environment text CHECK (environment IN ('dev', 'staging', 'prod'));

ALTER TABLE features.quality_results
    ADD COLUMN environment text CHECK (environment IN ('dev', 'staging', 'prod'));

-- Upstream lineage: every feature version built from a raw batch.
CREATE INDEX table_versions_by_raw_batch ON features.table_versions USING gin (raw_batch_ids);
