-- Issue 9 (Build 3): sessions follow the staff table. Each member of staff has a security stamp, copied into their
-- session cookie at sign-in; the service compares it with the table on every request (or within a short interval) and
-- refuses a cookie whose stamp no longer matches. The stamp changes on deactivation, on a change of role or team (here,
-- by trigger, so a change made by SQL or any tool counts too) and on sign-out (by the service).
ALTER TABLE staff_users ADD COLUMN security_stamp uuid NOT NULL DEFAULT gen_random_uuid();

CREATE FUNCTION staff_users_rotate_security_stamp() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.active IS DISTINCT FROM OLD.active OR NEW.role IS DISTINCT FROM OLD.role OR NEW.team IS DISTINCT FROM OLD.team
       OR NEW.subject IS DISTINCT FROM OLD.subject THEN
        NEW.security_stamp := gen_random_uuid();
    END IF;
    RETURN NEW;
END;
$$;

CREATE TRIGGER staff_users_security_stamp BEFORE UPDATE ON staff_users
    FOR EACH ROW EXECUTE FUNCTION staff_users_rotate_security_stamp();
