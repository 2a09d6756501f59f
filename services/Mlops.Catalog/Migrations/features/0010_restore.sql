-- Restore (Delta's RESTORE TABLE ... VERSION AS OF / TIMESTAMP AS OF): a restore writes a NEW version whose rows are a
-- copy of an earlier version's, so history stays append-only and every version ever read can be read again. The new
-- version names the one it copies and why; it belongs to the same environment and keeps its raw batches (lineage).
ALTER TABLE features.table_versions
    ADD COLUMN restored_from  integer,
    ADD COLUMN restore_reason text,
    ADD CONSTRAINT table_versions_restored_from_fkey FOREIGN KEY (table_name, restored_from)
        REFERENCES features.table_versions (table_name, version),
    ADD CONSTRAINT table_versions_restore_has_reason CHECK ((restored_from IS NULL) = (restore_reason IS NULL));

-- "As of timestamp T": the newest version of a table in one environment created at or before T.
CREATE INDEX table_versions_as_of ON features.table_versions (table_name, environment, created_at DESC, version DESC);
