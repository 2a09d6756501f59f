-- Re-checks of monitoring alerts held back by a cooldown. Monitoring raises one alert per sustained breach and does not
-- repeat it, so an alert ignored only because its model cools down comes back once the cooldown ends: admission
-- schedules the alert again (an outbox row due then, committed with the trigger record). A lane keeps at most one
-- pending re-check, so a storm of alerts during one cooldown brings back one; a run that starts clears it.
ALTER TABLE pipeline.lanes
    ADD COLUMN recheck_at    timestamptz,
    ADD COLUMN recheck_token uuid;

-- On the trigger that scheduled a re-check: when it is due and its scheduling token (messaging.outbox.scheduling_token_id,
-- and the MT-Scheduling-TokenId header the re-check comes back with).
ALTER TABLE pipeline.triggers
    ADD COLUMN recheck_at    timestamptz,
    ADD COLUMN recheck_token uuid,
    ADD CHECK ((recheck_at IS NULL) = (recheck_token IS NULL)),
    ADD CHECK (recheck_at IS NULL OR disposition = 'ignored');
