-- 0006: the rest of what the Mastodon client API keeps per account: mutes, pinned posts
-- (ActivityPub's featured collection), profile fields (PropertyValue attachments), and which
-- followed accounts' new posts notify their follower (Mastodon's `notify` on follow).

-- Muting hides an account's posts and boosts from the muter's timelines and, when
-- hide_notifications, its notifications. Mutes are private: they never federate.
CREATE TABLE mutes (
    id                  bigint PRIMARY KEY DEFAULT kith_next_id(),
    account_id          bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    target_account_id   bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    hide_notifications  boolean NOT NULL DEFAULT true,
    expires_at          timestamptz,
    created_at          timestamptz NOT NULL DEFAULT now(),
    UNIQUE (account_id, target_account_id),
    CHECK (account_id <> target_account_id)
);
CREATE INDEX mutes_account_idx ON mutes (account_id, id DESC);

-- Posts an account shows at the top of its profile. Local pins are published as Add/Remove
-- to the actor's featured collection; remote ones are learnt from the same activities.
CREATE TABLE status_pins (
    id          bigint PRIMARY KEY DEFAULT kith_next_id(),
    account_id  bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    status_id   bigint NOT NULL REFERENCES statuses (id) ON DELETE CASCADE,
    created_at  timestamptz NOT NULL DEFAULT now(),
    UNIQUE (account_id, status_id)
);
CREATE INDEX status_pins_account_idx ON status_pins (account_id, id DESC);

-- Profile fields: [{"name": plain text, "value": HTML, "source": plain text (local only)}].
ALTER TABLE accounts ADD COLUMN fields jsonb NOT NULL DEFAULT '[]';

-- The follower asked to be notified of each new post of the followed account.
ALTER TABLE follows ADD COLUMN notify boolean NOT NULL DEFAULT false;
