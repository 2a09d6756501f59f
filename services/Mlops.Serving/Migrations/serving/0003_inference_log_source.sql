-- Batch scoring writes its predictions to the inference log too, so monitoring computes drift over them like over served
-- ones; source tells them apart (a batch row has no serving latency worth a percentile).
ALTER TABLE serving.inference_log ADD COLUMN source text NOT NULL DEFAULT 'online' CHECK (source IN ('online', 'batch'));
