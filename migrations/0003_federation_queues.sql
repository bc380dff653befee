-- 0003: server-to-server federation: the social graph, likes, the durable inbox queue, the
-- outbox (activities this node publishes) and the delivery queue, and domain policy.

-- Who follows whom, local or remote on either side. state 'pending' until the followed
-- account (or its node) accepts. uri is the Follow activity's id.
CREATE TABLE follows (
    id                 bigint PRIMARY KEY DEFAULT kith_next_id(),
    account_id         bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    target_account_id  bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    uri                text,
    state              text NOT NULL CHECK (state IN ('pending', 'accepted')),
    created_at         timestamptz NOT NULL DEFAULT now(),
    updated_at         timestamptz NOT NULL DEFAULT now(),
    UNIQUE (account_id, target_account_id),
    CHECK (account_id <> target_account_id)
);
CREATE INDEX follows_target_idx ON follows (target_account_id, state);
CREATE UNIQUE INDEX follows_uri_key ON follows (uri) WHERE uri IS NOT NULL;

CREATE TABLE blocks (
    id                 bigint PRIMARY KEY DEFAULT kith_next_id(),
    account_id         bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    target_account_id  bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    uri                text,
    created_at         timestamptz NOT NULL DEFAULT now(),
    UNIQUE (account_id, target_account_id)
);

CREATE TABLE favourites (
    id          bigint PRIMARY KEY DEFAULT kith_next_id(),
    account_id  bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    status_id   bigint NOT NULL REFERENCES statuses (id) ON DELETE CASCADE,
    uri         text,
    created_at  timestamptz NOT NULL DEFAULT now(),
    UNIQUE (account_id, status_id)
);
CREATE UNIQUE INDEX favourites_uri_key ON favourites (uri) WHERE uri IS NOT NULL;
CREATE INDEX favourites_status_idx ON favourites (status_id);

-- Mentions and hashtags of a post, as its tag array lists them.
CREATE TABLE status_mentions (
    status_id    bigint NOT NULL REFERENCES statuses (id) ON DELETE CASCADE,
    account_uri  text NOT NULL,
    -- '@user@domain' as shown in the post.
    name         text NOT NULL,
    PRIMARY KEY (status_id, account_uri)
);
CREATE TABLE status_tags (
    status_id  bigint NOT NULL REFERENCES statuses (id) ON DELETE CASCADE,
    name       text NOT NULL,
    PRIMARY KEY (status_id, name)
);
CREATE INDEX status_tags_name_idx ON status_tags (lower(name));

CREATE INDEX statuses_reblog_of_idx ON statuses (reblog_of_id) WHERE reblog_of_id IS NOT NULL;
CREATE INDEX statuses_in_reply_to_uri_idx ON statuses (in_reply_to_uri) WHERE in_reply_to_uri IS NOT NULL;

-- Ids of deleted objects, so a late or replayed Create cannot bring them back.
CREATE TABLE tombstones (
    uri         text PRIMARY KEY,
    deleted_at  timestamptz NOT NULL DEFAULT now()
);

-- Incoming activities, stored raw and exactly once (keyed by their id) before the inbox
-- answers 202, then processed from here by workers that claim rows with FOR UPDATE SKIP
-- LOCKED. A worker holds a row by setting locked_until; if it dies, the lease runs out and
-- another worker takes the row again (handlers are idempotent).
CREATE TABLE inbox_items (
    id                    bigint PRIMARY KEY DEFAULT kith_next_id(),
    activity_uri          text NOT NULL,
    activity_type         text NOT NULL,
    actor_uri             text NOT NULL,
    recipient_account_id  bigint REFERENCES accounts (id) ON DELETE SET NULL,
    payload               text NOT NULL,
    state                 text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'done', 'failed')),
    attempts              integer NOT NULL DEFAULT 0,
    next_attempt_at       timestamptz NOT NULL DEFAULT now(),
    locked_until          timestamptz,
    last_error            text,
    received_at           timestamptz NOT NULL DEFAULT now(),
    processed_at          timestamptz
);
CREATE UNIQUE INDEX inbox_items_activity_uri_key ON inbox_items (activity_uri);
CREATE INDEX inbox_items_due_idx ON inbox_items (next_attempt_at) WHERE state = 'pending';

-- Activities this node publishes (its outbox). A local action writes its row in the same
-- transaction as its effect; the fan-out worker then renders the JSON (payload), expands the
-- audience into one delivery per distinct inbox, and sets fanout_state to 'done'.
-- 'none' marks activities that are never delivered.
CREATE TABLE activities (
    id                 bigint PRIMARY KEY DEFAULT kith_next_id(),
    uri                text NOT NULL,
    account_id         bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    type               text NOT NULL,
    object_uri         text,
    status_id          bigint REFERENCES statuses (id) ON DELETE SET NULL,
    target_account_id  bigint REFERENCES accounts (id) ON DELETE SET NULL,
    -- For Undo: the activity undone; for Accept/Reject: the Follow's id and actor.
    related_uri        text,
    related_actor_uri  text,
    to_uris            text[] NOT NULL DEFAULT '{}',
    cc_uris            text[] NOT NULL DEFAULT '{}',
    payload            text,
    fanout_state       text NOT NULL DEFAULT 'pending' CHECK (fanout_state IN ('pending', 'done', 'none')),
    created_at         timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX activities_uri_key ON activities (uri);
CREATE INDEX activities_fanout_idx ON activities (id) WHERE fanout_state = 'pending';
CREATE INDEX activities_account_idx ON activities (account_id, id DESC);

-- One signed POST of one activity to one inbox. Claimed with FOR UPDATE SKIP LOCKED, so
-- several processes can share the queue; retried with backoff; 'dead' keeps the last error.
CREATE TABLE deliveries (
    id               bigint PRIMARY KEY DEFAULT kith_next_id(),
    activity_id      bigint NOT NULL REFERENCES activities (id) ON DELETE CASCADE,
    inbox_uri        text NOT NULL,
    host             text NOT NULL,
    state            text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'delivered', 'dead')),
    attempts         integer NOT NULL DEFAULT 0,
    next_attempt_at  timestamptz NOT NULL DEFAULT now(),
    locked_until     timestamptz,
    last_status      integer,
    last_error       text,
    created_at       timestamptz NOT NULL DEFAULT now(),
    finished_at      timestamptz,
    UNIQUE (activity_id, inbox_uri)
);
CREATE INDEX deliveries_due_idx ON deliveries (next_attempt_at) WHERE state = 'pending';
CREATE INDEX deliveries_state_idx ON deliveries (state, id);

-- Domain policy (Mastodon's shapes): allows matter in allowlist mode, blocks always.
CREATE TABLE domain_allows (
    id          bigint PRIMARY KEY DEFAULT kith_next_id(),
    domain      text NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX domain_allows_domain_key ON domain_allows (lower(domain));
CREATE TABLE domain_blocks (
    id               bigint PRIMARY KEY DEFAULT kith_next_id(),
    domain           text NOT NULL,
    severity         text NOT NULL DEFAULT 'suspend' CHECK (severity IN ('silence', 'suspend', 'noop')),
    reject_media     boolean NOT NULL DEFAULT false,
    reject_reports   boolean NOT NULL DEFAULT false,
    private_comment  text,
    public_comment   text,
    created_at       timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX domain_blocks_domain_key ON domain_blocks (lower(domain));
