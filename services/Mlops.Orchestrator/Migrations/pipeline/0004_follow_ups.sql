-- Follow-up runs. Triggers recorded on an active run are looked at again when it ends, and those that still apply start
-- one follow-up run. Whether they apply depends on what they said, so the trigger log keeps it: the version an alert was
-- measured against and the code version a release or a manual request named.
ALTER TABLE pipeline.triggers
    ADD COLUMN model_version integer,
    ADD COLUMN code_version  text,
    ADD COLUMN follow_up_of  uuid;

-- One follow-up decision per finished run (kind 'follow_up': the run it started, or why none), however often
-- PipelineRunFinished is delivered and however many orchestrators handle it. A follow-up the cooldown held back (a row
-- with recheck_at, decided again when it ends) is not a decision.
CREATE UNIQUE INDEX triggers_one_follow_up_per_run ON pipeline.triggers (follow_up_of) WHERE follow_up_of IS NOT NULL AND recheck_at IS NULL;
