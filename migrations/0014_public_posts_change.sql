-- A change to a public post also names 's0', "the public posts": the public and hashtag
-- timeline pages kept in memory depend on it, since any new public post may belong on them.
-- (No post has id 0.) The rest is as migration 0012 made it.
CREATE OR REPLACE FUNCTION kith_statuses_changed() RETURNS trigger LANGUAGE plpgsql AS $body$
DECLARE
    keys text[] := '{}';
BEGIN
    IF TG_OP <> 'DELETE' THEN
        keys := keys || ARRAY(SELECT unnest(ARRAY['a' || account_id, 's' || id, 's' || reblog_of_id, 's' || in_reply_to_id,
            CASE WHEN visibility = 'public' THEN 's0' END]) FROM changed_new);
    END IF;
    IF TG_OP <> 'INSERT' THEN
        keys := keys || ARRAY(SELECT unnest(ARRAY['a' || account_id, 's' || id, 's' || reblog_of_id, 's' || in_reply_to_id,
            CASE WHEN visibility = 'public' THEN 's0' END]) FROM changed_old);
    END IF;
    PERFORM kith_record_changes(keys);
    RETURN NULL;
END $body$;

-- Silencing or suspending an account, or lifting it, changes what every page may show (public
-- and hashtag timelines, threads, search) without touching a post, and moderators expect it at
-- once: such a change names 'g', everything. It is rare; other account changes name the
-- account alone, as before.
CREATE OR REPLACE FUNCTION kith_accounts_changed() RETURNS trigger LANGUAGE plpgsql AS $body$
DECLARE
    keys text[] := '{}';
BEGIN
    IF TG_OP <> 'DELETE' THEN
        keys := keys || ARRAY(SELECT 'a' || id FROM changed_new);
    END IF;
    IF TG_OP <> 'INSERT' THEN
        keys := keys || ARRAY(SELECT 'a' || id FROM changed_old);
    END IF;
    -- (Nested: an INSERT or DELETE trigger has no changed_old or changed_new to name.)
    IF TG_OP = 'UPDATE' THEN
        IF EXISTS (
            SELECT 1 FROM changed_new n JOIN changed_old o ON o.id = n.id
            WHERE n.silenced_at IS DISTINCT FROM o.silenced_at OR n.suspended_at IS DISTINCT FROM o.suspended_at)
        THEN
            keys := keys || ARRAY['g'];
        END IF;
    END IF;
    PERFORM kith_record_changes(keys);
    RETURN NULL;
END $body$;
