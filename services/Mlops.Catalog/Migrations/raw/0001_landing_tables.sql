-- The landing zone upstream pipelines write into. Every batch is registered in raw.batches.
CREATE SCHEMA IF NOT EXISTS raw;

CREATE TABLE raw.batches (
    batch_id     uuid        PRIMARY KEY,
    source_table text        NOT NULL,
    row_count    bigint      NOT NULL,
    producer     text        NOT NULL,
    description  text,
    landed_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX batches_by_table ON raw.batches (source_table, landed_at DESC);

-- Customers of a subscription business, one snapshot per batch: the churn example's raw data.
CREATE TABLE raw.churn_customers (
    batch_id         uuid    NOT NULL REFERENCES raw.batches (batch_id),
    customer_id      bigint  NOT NULL,
    tenure_months    integer,
    monthly_charges  double precision,
    total_charges    double precision,
    support_calls    integer,
    contract_type    text,
    payment_method   text,
    internet_service text,
    age              integer,
    churned          boolean,
    PRIMARY KEY (batch_id, customer_id)
);
