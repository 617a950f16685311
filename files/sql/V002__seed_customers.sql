-- Seed customers for non-production environments and tests (idempotent).
INSERT INTO customers (customer_id, status, daily_limit_minor) VALUES
    ('cust-active-001', 'ACTIVE', 500000),
    ('cust-active-002', 'ACTIVE', 2000000),
    ('cust-low-limit', 'ACTIVE', 10000),
    ('cust-suspended', 'SUSPENDED', 500000),
    ('cust-closed', 'CLOSED', 500000)
ON CONFLICT (customer_id) DO NOTHING;
