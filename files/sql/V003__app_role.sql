-- Group role holding exactly what the Lambda functions need. The deployment creates the login
-- user named in the Secrets Manager secret and grants it this role (GRANT payments_app TO <user>);
-- the alternating-users rotation creates <user>_clone IN ROLE <user>, so it inherits the same.
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'payments_app') THEN
        CREATE ROLE payments_app NOLOGIN;
    END IF;
END
$$;

GRANT SELECT ON customers TO payments_app;
-- SELECT ... FOR UPDATE (the daily-limit lock) needs UPDATE on at least one column.
GRANT UPDATE (updated_at) ON customers TO payments_app;
GRANT SELECT, INSERT ON customer_daily_spend TO payments_app;
