-- Every change to what a timeline page or a signed-in request is built from is announced on
-- the channel kith_changes, whichever process or tool made it: 'a<id>' for an account (its
-- profile, posts, favourites, bookmarks, pins, follows, mutes, blocks, tokens), 's<id>' for a
-- post (its text, counts, favourites, bookmarks, pins, mentions, tags), 'g' for everything. Each node process follows
-- the channel and keeps rendered pages and token lookups only while nothing they came from has
-- changed. PostgreSQL sends a transaction's notifications when it commits, in commit order.

-- One notification per statement: the distinct keys, or 'g' when a statement touched so many
-- rows that naming them would not fit (a payload is at most 8000 bytes).
CREATE FUNCTION kith_notify_changes(keys text[]) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    distinct_keys text[];
BEGIN
    SELECT array_agg(DISTINCT k) INTO distinct_keys FROM unnest(keys) AS k WHERE k IS NOT NULL;
    IF distinct_keys IS NULL THEN
        RETURN;
    END IF;
    IF cardinality(distinct_keys) > 400 THEN
        distinct_keys := ARRAY['g'];
    END IF;
    PERFORM pg_notify('kith_changes', array_to_string(distinct_keys, ','));
END $$;

-- For each table, the keys a changed row names; a statement-level trigger per event collects
-- them from the rows it inserted, updated (before and after) or deleted.
DO $do$
DECLARE
    spec record;
BEGIN
    FOR spec IN SELECT * FROM (VALUES
        ('statuses', $k$'a' || account_id, 's' || id, 's' || reblog_of_id, 's' || in_reply_to_id$k$),
        ('accounts', $k$'a' || id$k$),
        ('follows', $k$'a' || account_id, 'a' || target_account_id$k$),
        ('mutes', $k$'a' || account_id, 'a' || target_account_id$k$),
        ('blocks', $k$'a' || account_id, 'a' || target_account_id$k$),
        ('favourites', $k$'s' || status_id, 'a' || account_id$k$),
        ('bookmarks', $k$'s' || status_id, 'a' || account_id$k$),
        ('status_pins', $k$'s' || status_id, 'a' || account_id$k$),
        ('status_mentions', $k$'s' || status_id$k$),
        ('status_tags', $k$'s' || status_id$k$),
        ('oauth_tokens', $k$'a' || account_id$k$),
        ('domain_blocks', $k$'g'$k$)
    ) AS specs (name, keys)
    LOOP
        EXECUTE format($f$
            CREATE FUNCTION %1$I() RETURNS trigger LANGUAGE plpgsql AS $body$
            DECLARE
                keys text[] := '{}';
            BEGIN
                IF TG_OP <> 'DELETE' THEN
                    keys := keys || ARRAY(SELECT unnest(ARRAY[%2$s]) FROM changed_new);
                END IF;
                IF TG_OP <> 'INSERT' THEN
                    keys := keys || ARRAY(SELECT unnest(ARRAY[%2$s]) FROM changed_old);
                END IF;
                PERFORM kith_notify_changes(keys);
                RETURN NULL;
            END $body$
            $f$, 'kith_' || spec.name || '_changed', spec.keys);
        EXECUTE format(
            'CREATE TRIGGER %1$I AFTER INSERT ON %2$I REFERENCING NEW TABLE AS changed_new FOR EACH STATEMENT EXECUTE FUNCTION %3$I()',
            spec.name || '_inserted_notify', spec.name, 'kith_' || spec.name || '_changed');
        EXECUTE format(
            'CREATE TRIGGER %1$I AFTER UPDATE ON %2$I REFERENCING NEW TABLE AS changed_new OLD TABLE AS changed_old '
            'FOR EACH STATEMENT EXECUTE FUNCTION %3$I()',
            spec.name || '_updated_notify', spec.name, 'kith_' || spec.name || '_changed');
        EXECUTE format(
            'CREATE TRIGGER %1$I AFTER DELETE ON %2$I REFERENCING OLD TABLE AS changed_old FOR EACH STATEMENT EXECUTE FUNCTION %3$I()',
            spec.name || '_deleted_notify', spec.name, 'kith_' || spec.name || '_changed');
    END LOOP;
END $do$;
