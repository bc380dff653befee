-- 0005: what the Mastodon client API keeps per account: bookmarks, and the Idempotency-Key of
-- recent posts (so a retried POST /api/v1/statuses does not post twice).

CREATE TABLE bookmarks (
    account_id  bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    status_id   bigint NOT NULL REFERENCES statuses (id) ON DELETE CASCADE,
    id          bigint NOT NULL DEFAULT kith_next_id(),
    created_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (account_id, status_id)
);
CREATE INDEX bookmarks_account_idx ON bookmarks (account_id, id DESC);

CREATE TABLE idempotency_keys (
    account_id  bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    key         text NOT NULL,
    status_id   bigint NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (account_id, key)
);

-- Notifications of local accounts, written in the same transaction as what caused them.
CREATE TABLE notifications (
    id               bigint PRIMARY KEY DEFAULT kith_next_id(),
    account_id       bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    from_account_id  bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    type             text NOT NULL CHECK (type IN ('mention', 'status', 'reblog', 'follow', 'follow_request', 'favourite', 'update', 'poll')),
    status_id        bigint REFERENCES statuses (id) ON DELETE CASCADE,
    created_at       timestamptz NOT NULL DEFAULT now(),
    UNIQUE NULLS NOT DISTINCT (account_id, type, from_account_id, status_id)
);
CREATE INDEX notifications_account_idx ON notifications (account_id, id DESC);

-- Where each account stopped reading (Mastodon's markers), per timeline.
CREATE TABLE markers (
    account_id    bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    timeline      text NOT NULL CHECK (timeline IN ('home', 'notifications')),
    last_read_id  bigint NOT NULL,
    version       integer NOT NULL DEFAULT 1,
    updated_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (account_id, timeline)
);

CREATE INDEX statuses_public_timeline_idx ON statuses (id DESC) WHERE visibility = 'public' AND reblog_of_id IS NULL;
