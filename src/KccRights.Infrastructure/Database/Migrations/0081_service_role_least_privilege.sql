-- Least privilege (issue 9 item 8, Build 6; UK GDPR Art 32, Art 25): the running service connects as kccrights_app,
-- a login role that owns nothing and may only read and write rows. Migrations keep running as the owner (the embedded
-- cluster's superuser, or ConnectionStrings:Migrations). The app role may not change schema (no CREATE on the schema,
-- owns no table), may not update or delete the append-only logs, and cannot touch the audit chain's head except through
-- the chain trigger. Its password is set by the service at start (embedded cluster) or by the DBA (external server).
--
-- Roles belong to the whole cluster; grants belong to this database. The role is created only when the migrating user
-- may create roles; otherwise a DBA creates it first (CREATE ROLE kccrights_app LOGIN PASSWORD '...').
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'kccrights_app') THEN
        IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = current_user AND (rolsuper OR rolcreaterole)) THEN
            CREATE ROLE kccrights_app LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS;
        ELSE
            RAISE WARNING 'role kccrights_app does not exist and % may not create it: the service keeps the migration connection''s rights', current_user;
            RETURN;
        END IF;
    END IF;

    EXECUTE format('GRANT CONNECT, TEMPORARY ON DATABASE %I TO kccrights_app', current_database());

    -- No one but the owner creates objects in the schema (the default until PostgreSQL 15 let everyone).
    REVOKE CREATE ON SCHEMA public FROM PUBLIC;
    GRANT USAGE ON SCHEMA public TO kccrights_app;

    GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO kccrights_app;
    GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO kccrights_app;

    -- Tables and sequences later migrations create (as the same owner) are granted the same way. A later migration
    -- that adds an append-only table revokes UPDATE and DELETE on it, as below.
    ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO kccrights_app;
    ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO kccrights_app;

    -- Append-only: insert and read only.
    REVOKE UPDATE, DELETE, TRUNCATE ON audit_events, workflow_log FROM kccrights_app;
    -- The chain's head changes only in the SECURITY DEFINER chain trigger; the service may read it to verify.
    REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON audit_chain_head FROM kccrights_app;
    -- The migration journal is the owner's; the service only reads it (a start without a separate owner connection
    -- finds nothing to apply).
    REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON schemaversions FROM kccrights_app;
END
$$;
