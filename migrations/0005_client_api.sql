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

CREATE INDEX statuses_public_timeline_idx ON statuses (id DESC) WHERE visibility = 'public' AND reblog_of_id IS NULL;
