-- Every change to what a timeline page or a signed-in request is built from is written down in
-- the table changes, whichever process or tool made it: 'a<id>' for an account (its profile,
-- posts, favourites, bookmarks, pins, follows, mutes, blocks, tokens), 's<id>' for a post (its
-- text, counts, favourites, bookmarks, pins, mentions, tags), 'g' for everything. Each node
-- process reads the new rows every few milliseconds and keeps rendered pages and token lookups
-- only while nothing they came from has changed.
--
-- A row carries its transaction's id: a reader that remembers the oldest transaction still
-- running at its last read (its snapshot's xmin) misses no row, whatever order transactions
-- commit in. (NOTIFY would have been simpler, but PostgreSQL serialises the commits of
-- notifying transactions, fsync included: concurrent inserts ran at less than half speed.)
CREATE TABLE changes (
    xid   xid8 NOT NULL DEFAULT pg_current_xact_id(),
    at    timestamptz NOT NULL DEFAULT now(),
    keys  text NOT NULL
);
CREATE INDEX changes_xid_idx ON changes (xid);

-- One row per statement: the distinct keys, or 'g' when a statement touched so many rows that
-- naming them is not worth it.
CREATE FUNCTION kith_record_changes(keys text[]) RETURNS void LANGUAGE plpgsql AS $$
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
    INSERT INTO changes (keys) VALUES (array_to_string(distinct_keys, ','));
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
                PERFORM kith_record_changes(keys);
                RETURN NULL;
            END $body$
            $f$, 'kith_' || spec.name || '_changed', spec.keys);
        EXECUTE format(
            'CREATE TRIGGER %1$I AFTER INSERT ON %2$I REFERENCING NEW TABLE AS changed_new FOR EACH STATEMENT EXECUTE FUNCTION %3$I()',
            spec.name || '_inserted_changes', spec.name, 'kith_' || spec.name || '_changed');
        EXECUTE format(
            'CREATE TRIGGER %1$I AFTER UPDATE ON %2$I REFERENCING NEW TABLE AS changed_new OLD TABLE AS changed_old '
            'FOR EACH STATEMENT EXECUTE FUNCTION %3$I()',
            spec.name || '_updated_changes', spec.name, 'kith_' || spec.name || '_changed');
        EXECUTE format(
            'CREATE TRIGGER %1$I AFTER DELETE ON %2$I REFERENCING OLD TABLE AS changed_old FOR EACH STATEMENT EXECUTE FUNCTION %3$I()',
            spec.name || '_deleted_changes', spec.name, 'kith_' || spec.name || '_changed');
    END LOOP;
END $do$;
