-- 0002: what ActivityPub actors and discovery need: the node's own key pairs (the application
-- actor that signs the node's fetches), more of each actor's document, and posts, which
-- NodeInfo counts and actors' outboxes list.

-- Key pairs of the node itself, by name ('application' for the FEP-2677 application actor).
-- Created once, on first start, by whichever process gets there first.
CREATE TABLE node_keys (
    name            text PRIMARY KEY,
    public_key_pem  text NOT NULL,
    private_key_pem text NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now()
);

ALTER TABLE accounts
    ADD COLUMN featured_uri text,
    ADD COLUMN avatar_url   text,
    ADD COLUMN header_url   text,
    -- Remote actors: when the document was last fetched, to refresh stale copies.
    ADD COLUMN fetched_at   timestamptz;

-- Posts, local and remote. Remote rows keep what the origin sent (HTML content, addressing);
-- local rows are what this node serves as Note objects.
CREATE TABLE statuses (
    id                     bigint PRIMARY KEY DEFAULT kith_next_id(),
    uri                    text NOT NULL,
    url                    text,
    account_id             bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    local                  boolean NOT NULL,
    -- Note for local posts; remote Article, Page, Question, Video… are kept as posts too.
    object_type            text NOT NULL DEFAULT 'Note',
    in_reply_to_id         bigint REFERENCES statuses (id) ON DELETE SET NULL,
    in_reply_to_uri        text,
    reblog_of_id           bigint REFERENCES statuses (id) ON DELETE CASCADE,
    context_uri            text,
    title                  text,
    content                text NOT NULL DEFAULT '',
    spoiler_text           text NOT NULL DEFAULT '',
    sensitive              boolean NOT NULL DEFAULT false,
    visibility             text NOT NULL DEFAULT 'public'
                           CHECK (visibility IN ('public', 'unlisted', 'private', 'direct')),
    language               text,
    to_uris                text[] NOT NULL DEFAULT '{}',
    cc_uris                text[] NOT NULL DEFAULT '{}',
    published_at           timestamptz NOT NULL DEFAULT now(),
    edited_at              timestamptz,
    created_at             timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX statuses_uri_key ON statuses (uri);
CREATE INDEX statuses_account_id_idx ON statuses (account_id, id DESC);
CREATE INDEX statuses_in_reply_to_id_idx ON statuses (in_reply_to_id) WHERE in_reply_to_id IS NOT NULL;
CREATE INDEX statuses_local_published_idx ON statuses (published_at) WHERE local;
