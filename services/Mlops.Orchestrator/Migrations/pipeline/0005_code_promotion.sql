-- Code promotion (docs/environments.md): code runs in an environment only once a run of it completed in the environment
-- before it in Pipeline:Promotion:Chain. A completed run is a row of the saga table in state Completed; this index finds
-- the one that lets a code version of a model into the next environment.
CREATE INDEX deploy_code_pipeline_runs_completed_code ON pipeline.deploy_code_pipeline_runs
    ((data->>'modelName'), (data->>'codeVersion')) WHERE current_state = 'Completed';
