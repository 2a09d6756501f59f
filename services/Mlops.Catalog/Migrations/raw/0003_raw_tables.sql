-- The register of landing tables: each raw table's columns (name, PostgreSQL type, required), entity key and event time,
-- as registered through the API (POST /api/raw/tables). Registration creates the physical table raw."name" beside it.
CREATE TABLE raw.tables (
    name          text        PRIMARY KEY,
    columns       jsonb       NOT NULL,
    key_columns   text[]      NOT NULL,
    event_time    text,
    registered_by text        NOT NULL,
    registered_at timestamptz NOT NULL DEFAULT now()
);

-- The churn example's landing table, created by 0001, lands the same way as any other (it has no event-time column:
-- each batch is a snapshot, its time the batch's landed_at).
INSERT INTO raw.tables (name, columns, key_columns, event_time, registered_by) VALUES (
    'churn_customers',
    '[{"name": "customer_id", "type": "bigint", "required": true},
      {"name": "tenure_months", "type": "integer", "required": false},
      {"name": "monthly_charges", "type": "double precision", "required": false},
      {"name": "total_charges", "type": "double precision", "required": false},
      {"name": "support_calls", "type": "integer", "required": false},
      {"name": "contract_type", "type": "text", "required": false},
      {"name": "payment_method", "type": "text", "required": false},
      {"name": "internet_service", "type": "text", "required": false},
      {"name": "age", "type": "integer", "required": false},
      {"name": "churned", "type": "boolean", "required": false}]',
    ARRAY['customer_id'], NULL, 'migration');
