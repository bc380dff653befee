-- 0004: OAuth 2 for the client APIs. Secrets, codes and tokens are stored only as SHA-256
-- hashes (they are long random values, so a fast hash is enough; passwords use bcrypt).

CREATE TABLE oauth_applications (
    id                  bigint PRIMARY KEY DEFAULT kith_next_id(),
    name                text NOT NULL,
    website             text,
    redirect_uris       text[] NOT NULL,
    scopes              text NOT NULL,
    client_id           text NOT NULL,
    client_secret_hash  text NOT NULL,
    created_at          timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX oauth_applications_client_id_key ON oauth_applications (client_id);

CREATE TABLE oauth_authorization_codes (
    code_hash              text PRIMARY KEY,
    application_id         bigint NOT NULL REFERENCES oauth_applications (id) ON DELETE CASCADE,
    account_id             bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    redirect_uri           text NOT NULL,
    scopes                 text NOT NULL,
    code_challenge         text,
    expires_at             timestamptz NOT NULL,
    used_at                timestamptz
);

CREATE TABLE oauth_tokens (
    id                  bigint PRIMARY KEY DEFAULT kith_next_id(),
    token_hash          text NOT NULL,
    refresh_token_hash  text,
    application_id      bigint NOT NULL REFERENCES oauth_applications (id) ON DELETE CASCADE,
    -- NULL for client_credentials tokens, which act for the application only.
    account_id          bigint REFERENCES accounts (id) ON DELETE CASCADE,
    scopes              text NOT NULL,
    created_at          timestamptz NOT NULL DEFAULT now(),
    last_used_at        timestamptz,
    revoked_at          timestamptz
);
CREATE UNIQUE INDEX oauth_tokens_token_hash_key ON oauth_tokens (token_hash);
CREATE UNIQUE INDEX oauth_tokens_refresh_hash_key ON oauth_tokens (refresh_token_hash) WHERE refresh_token_hash IS NOT NULL;
CREATE INDEX oauth_tokens_account_idx ON oauth_tokens (account_id);
