-- 0001: the foundation. Time-sortable ids and the account/actor table.
-- Forward-only: never edit this file once it has been applied anywhere; add 0002_… instead.

-- Mastodon-style ids: milliseconds since the epoch in the high 48 bits and a sequence in the
-- low 16, so ids are unique, fit in bigint, and sort by creation time (clients rely on it).
CREATE SEQUENCE kith_id_seq;

CREATE FUNCTION kith_next_id() RETURNS bigint
LANGUAGE sql VOLATILE AS $$
    SELECT ((floor(extract(epoch FROM clock_timestamp()) * 1000)::bigint) << 16)
         | (nextval('kith_id_seq') & 65535);
$$;

-- Local and remote actors. domain IS NULL marks a local account. Remote rows are a cache of
-- what the remote node serves; local rows also carry the login and the private key.
CREATE TABLE accounts (
    id                 bigint PRIMARY KEY DEFAULT kith_next_id(),
    username           text NOT NULL,
    domain             text,
    display_name       text NOT NULL DEFAULT '',
    note               text NOT NULL DEFAULT '',
    actor_type         text NOT NULL DEFAULT 'Person',
    uri                text NOT NULL,
    url                text,
    inbox_uri          text NOT NULL,
    shared_inbox_uri   text,
    outbox_uri         text,
    followers_uri      text,
    following_uri      text,
    public_key_id      text NOT NULL,
    public_key_pem     text NOT NULL,
    private_key_pem    text,
    email              text,
    password_hash      text,
    role               text NOT NULL DEFAULT 'user'
                       CHECK (role IN ('user', 'moderator', 'admin', 'owner')),
    locked             boolean NOT NULL DEFAULT false,
    discoverable       boolean NOT NULL DEFAULT true,
    created_at         timestamptz NOT NULL DEFAULT now(),
    updated_at         timestamptz NOT NULL DEFAULT now(),
    CHECK (domain IS NULL OR (private_key_pem IS NULL AND password_hash IS NULL AND email IS NULL)),
    CHECK (domain IS NOT NULL OR (email IS NOT NULL AND password_hash IS NOT NULL))
);

-- Usernames are unique per domain, case-insensitively (as Mastodon does).
CREATE UNIQUE INDEX accounts_local_username_key ON accounts (lower(username)) WHERE domain IS NULL;
CREATE UNIQUE INDEX accounts_remote_username_key ON accounts (lower(username), lower(domain)) WHERE domain IS NOT NULL;
CREATE UNIQUE INDEX accounts_uri_key ON accounts (uri);
CREATE UNIQUE INDEX accounts_email_key ON accounts (lower(email)) WHERE email IS NOT NULL;
