-- Customers and the ledger behind the daily limit, read by transaction_processing.
-- Applied by payments_common.migrations (scripts/db_migrate.py); each file runs once, in order,
-- in its own transaction, and is recorded with its checksum in schema_migrations.

CREATE TABLE customers (
    customer_id       varchar(64) PRIMARY KEY,
    status            varchar(16) NOT NULL DEFAULT 'ACTIVE'
                      CHECK (status IN ('ACTIVE', 'SUSPENDED', 'CLOSED')),
    daily_limit_minor bigint      NOT NULL CHECK (daily_limit_minor >= 0),
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now()
);

-- One row per authorised transaction: the amount it counts against the customer's daily limit.
CREATE TABLE customer_daily_spend (
    transaction_id uuid        PRIMARY KEY,
    customer_id    varchar(64) NOT NULL REFERENCES customers (customer_id),
    spend_date     date        NOT NULL,
    currency       char(3)     NOT NULL,
    amount_minor   bigint      NOT NULL CHECK (amount_minor > 0),
    created_at     timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX customer_daily_spend_customer_day
    ON customer_daily_spend (customer_id, spend_date, currency);
