-- Upstream lineage: every model version trained on a feature table version, or (through it) on a raw batch.
CREATE INDEX model_versions_by_feature_version ON registry.model_versions (feature_table, feature_version);
CREATE INDEX model_versions_by_raw_batch ON registry.model_versions USING gin (raw_batch_ids);
