-- Ed25519 keys for object integrity proofs (FEP-8b32, eddsa-jcs-2022), published in each
-- actor's assertionMethod (FEP-521a): a Delete signed with one can be verified against its
-- author whoever forwards it. A local account's key pair is made at its first use.
ALTER TABLE accounts
    ADD COLUMN assertion_key_id text,
    ADD COLUMN assertion_key text,
    ADD COLUMN assertion_private_key text,
    ADD CONSTRAINT accounts_remote_assertion_private_key CHECK (domain IS NULL OR assertion_private_key IS NULL);

-- Inboxes an activity goes to beyond its addressees (a Delete: those who boosted the post and
-- their followers known here), and, for a forwarded activity, its payload is set when recorded
-- and sent as it is.
ALTER TABLE activities ADD COLUMN extra_inboxes text[] NOT NULL DEFAULT '{}';
