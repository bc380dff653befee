-- 0009: moderation. Reports (from local accounts, or from other nodes as Flag activities),
-- and what moderators can do to an account: silence it, suspend it, disable its login.

CREATE TABLE reports (
    id                          bigint PRIMARY KEY DEFAULT kith_next_id(),
    -- Who reported: a local account, or the remote node's actor that sent the Flag.
    account_id                  bigint REFERENCES accounts (id) ON DELETE SET NULL,
    target_account_id           bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    status_ids                  bigint[] NOT NULL DEFAULT '{}',
    comment                     text NOT NULL DEFAULT '',
    category                    text NOT NULL DEFAULT 'other' CHECK (category IN ('spam', 'legal', 'violation', 'other')),
    -- Sent on to the target's node as a Flag (by this node's application actor).
    forwarded                   boolean NOT NULL DEFAULT false,
    -- The Flag's id, for reports that came from another node.
    uri                         text,
    assigned_account_id         bigint REFERENCES accounts (id) ON DELETE SET NULL,
    action_taken_at             timestamptz,
    action_taken_by_account_id  bigint REFERENCES accounts (id) ON DELETE SET NULL,
    created_at                  timestamptz NOT NULL DEFAULT now(),
    updated_at                  timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX reports_uri_key ON reports (uri) WHERE uri IS NOT NULL;
CREATE INDEX reports_open_idx ON reports (id DESC) WHERE action_taken_at IS NULL;
CREATE INDEX reports_target_idx ON reports (target_account_id);

ALTER TABLE accounts
    -- Suspended: the account cannot sign in, its posts are hidden, and (remote) nothing from it is accepted.
    ADD COLUMN suspended_at timestamptz,
    -- Silenced: its posts stay out of public timelines.
    ADD COLUMN silenced_at timestamptz,
    -- Disabled: a local account that cannot sign in (its content stays).
    ADD COLUMN disabled_at timestamptz;

-- What a Flag carries besides its target: the reported posts and the report's text.
ALTER TABLE activities
    ADD COLUMN object_uris text[] NOT NULL DEFAULT '{}',
    ADD COLUMN content text;
