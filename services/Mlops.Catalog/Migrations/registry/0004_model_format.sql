-- The format of a version's model artifact: the portable JSON document or ONNX (docs/model-format.md). Every version
-- registered before this migration is a portable document.
ALTER TABLE registry.model_versions
    ADD COLUMN model_format text NOT NULL DEFAULT 'mlops.model/v1' CHECK (model_format IN ('mlops.model/v1', 'onnx'));
