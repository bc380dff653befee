-- 0007: the audit log. Every admin and moderator action (domain policy, account actions,
-- reports, group moderation, roles, settings) is recorded here, in the same transaction as the
-- action: who, what, on what, when, from which address, and the state before and after.
-- Append-only: the triggers below refuse UPDATE, DELETE and TRUNCATE, whoever asks.

CREATE TABLE audit_log (
    id                bigint PRIMARY KEY DEFAULT kith_next_id(),
    -- The acting local account; NULL for the command line (actor_label says who ran it).
    actor_account_id  bigint,
    actor_label       text NOT NULL,
    action            text NOT NULL,
    target_type       text NOT NULL,
    target_id         text NOT NULL,
    address           text,
    before            jsonb,
    after             jsonb,
    created_at        timestamptz NOT NULL DEFAULT now()
);
-- No foreign key on actor_account_id: deleting an account must not touch its entries.
CREATE INDEX audit_log_actor_idx ON audit_log (actor_account_id, id DESC);
CREATE INDEX audit_log_action_idx ON audit_log (action, id DESC);

CREATE FUNCTION audit_log_is_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the audit log is append-only: % is not allowed', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$;

CREATE TRIGGER audit_log_no_update_or_delete BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_is_append_only();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_is_append_only();

-- Mastodon's domain blocks also say whether the domain is shown obfuscated in public lists.
ALTER TABLE domain_blocks ADD COLUMN obfuscate boolean NOT NULL DEFAULT false;
