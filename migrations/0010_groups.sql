-- 0010: groups (FEP-1b12). A group is a local actor of type Group, with no login of its own;
-- members join by following it (accepted at once when open, approved by its moderators when
-- closed, only with an invitation when secret), and the group Announces its members' posts
-- to all of them, on every node.

-- A Group account has no email or password: relax the rule that local accounts have both.
DO $$
DECLARE constraint_name text;
BEGIN
    SELECT conname INTO constraint_name FROM pg_constraint
    WHERE conrelid = 'accounts'::regclass AND contype = 'c'
      AND pg_get_constraintdef(oid) LIKE '%email IS NOT NULL%' AND pg_get_constraintdef(oid) LIKE '%domain IS NOT NULL%';
    IF constraint_name IS NOT NULL THEN
        EXECUTE format('ALTER TABLE accounts DROP CONSTRAINT %I', constraint_name);
    END IF;
END;
$$;
ALTER TABLE accounts ADD CONSTRAINT accounts_local_login_check
    CHECK (domain IS NOT NULL OR actor_type = 'Group' OR (email IS NOT NULL AND password_hash IS NOT NULL));

CREATE TABLE groups (
    account_id             bigint PRIMARY KEY REFERENCES accounts (id) ON DELETE CASCADE,
    privacy                text NOT NULL CHECK (privacy IN ('open', 'closed', 'secret')),
    created_by_account_id  bigint REFERENCES accounts (id) ON DELETE SET NULL,
    created_at             timestamptz NOT NULL DEFAULT now()
);

-- Owners and moderators; other members are the group's accepted followers.
CREATE TABLE group_roles (
    group_account_id  bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    account_id        bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    role              text NOT NULL CHECK (role IN ('owner', 'moderator')),
    PRIMARY KEY (group_account_id, account_id)
);

-- Who may join a secret group (or join a closed one without waiting), by actor id, local or remote.
CREATE TABLE group_invitations (
    group_account_id       bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    account_uri            text NOT NULL,
    invited_by_account_id  bigint REFERENCES accounts (id) ON DELETE SET NULL,
    created_at             timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (group_account_id, account_uri)
);
