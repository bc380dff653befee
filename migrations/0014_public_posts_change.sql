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
