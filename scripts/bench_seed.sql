-- Seeds a benchmark node's database for the timeline workload (scripts/bench):
--   :accounts remote accounts on ten nodes, ten local readers (reader0…reader9, alice's password),
--   each reader following 150 remote accounts and the other readers, and :statuses statuses
--   whose authors are skewed (a few accounts post much more than most), 80 % public,
--   10 % unlisted, 8 % followers-only, 2 % direct (the first post of each thread is public).
--   Threads: every 20th post starts one, answered by two or four of the posts that follow it
--   (a reply and the thread starter's answer to it, once or twice), each mentioning the author
--   it answers, so about 15 % of the posts are replies. About 30 % of the other posts carry one
--   of 40 hashtags (#team0 the most used, as the node stores them: lower case, in status_tags),
--   and the 50 accounts that post most have each pinned three of their oldest public posts.
-- Ids are made as the node makes them (milliseconds of the post's time, shifted left 16 bits),
-- from the posts' times ten seconds apart, so that a reply can name the id of the post it
-- answers in the same statement. One statement per table: 10^6 posts take well under a minute.
SELECT setseed(0.42);
SET work_mem = '256MB';

INSERT INTO accounts (username, domain, display_name, uri, url, inbox_uri, shared_inbox_uri, outbox_uri, followers_uri,
                      following_uri, public_key_id, public_key_pem)
SELECT 'u' || g, 'n' || (g % 10) || '.bench.test', 'Remote user ' || g,
       'https://n' || (g % 10) || '.bench.test/users/u' || g, 'https://n' || (g % 10) || '.bench.test/@u' || g,
       'https://n' || (g % 10) || '.bench.test/users/u' || g || '/inbox', 'https://n' || (g % 10) || '.bench.test/inbox',
       'https://n' || (g % 10) || '.bench.test/users/u' || g || '/outbox',
       'https://n' || (g % 10) || '.bench.test/users/u' || g || '/followers',
       'https://n' || (g % 10) || '.bench.test/users/u' || g || '/following',
       'https://n' || (g % 10) || '.bench.test/users/u' || g || '#main-key', a.public_key_pem
FROM generate_series(1, :accounts) g, accounts a WHERE a.username = 'alice' AND a.domain IS NULL;

INSERT INTO accounts (username, display_name, email, password_hash, uri, url, inbox_uri, outbox_uri, followers_uri,
                      following_uri, featured_uri, public_key_id, public_key_pem, private_key_pem)
SELECT 'reader' || g, 'Reader ' || g, 'reader' || g || '@bench.test', a.password_hash,
       replace(a.uri, '/alice', '/reader' || g), replace(a.url, '/@alice', '/@reader' || g),
       replace(a.inbox_uri, '/alice', '/reader' || g), replace(a.outbox_uri, '/alice', '/reader' || g),
       replace(a.followers_uri, '/alice', '/reader' || g), replace(a.following_uri, '/alice', '/reader' || g),
       replace(a.featured_uri, '/alice', '/reader' || g), replace(a.public_key_id, '/alice', '/reader' || g),
       a.public_key_pem, a.private_key_pem
FROM generate_series(0, 9) g, accounts a WHERE a.username = 'alice' AND a.domain IS NULL;

INSERT INTO follows (account_id, target_account_id, state)
SELECT r.id, t.id, 'accepted'
FROM accounts r
CROSS JOIN LATERAL (SELECT x.id FROM accounts x WHERE x.domain IS NOT NULL AND x.id <> r.id ORDER BY random() LIMIT 150) t
WHERE r.domain IS NULL AND r.username LIKE 'reader%';

INSERT INTO follows (account_id, target_account_id, state)
SELECT r.id, o.id, 'accepted' FROM accounts r, accounts o
WHERE r.domain IS NULL AND o.domain IS NULL AND r.username LIKE 'reader%' AND o.username LIKE 'reader%' AND r.id <> o.id;

CREATE TEMPORARY TABLE seed_authors AS
SELECT row_number() OVER (ORDER BY random()) AS n, id, domain, username, uri, url FROM accounts WHERE username <> 'alice';

-- One row per post: its author (by seed_authors.n), its time and id and, for a reply, the post
-- it answers. Posts g = 20b+1 … 20b+20 form block b: 20b+1 starts a thread, 20b+2 replies to it
-- and 20b+3 (by the starter) to that; in even blocks 20b+4 replies to the starter's post too
-- and 20b+5 (by the starter) to that. The rest are posts of their own.
CREATE TEMPORARY TABLE seed_posts AS
SELECT g, k, id, published_at, r, t, reply,
       CASE WHEN reply AND k IN (3, 5) THEN first_value(author) OVER thread ELSE author END AS author,
       CASE WHEN reply AND k = 4 THEN first_value(author) OVER thread WHEN reply THEN lag(author) OVER thread END AS parent_author,
       CASE WHEN reply AND k = 4 THEN first_value(g) OVER thread WHEN reply THEN lag(g) OVER thread END AS parent_g,
       CASE WHEN reply AND k = 4 THEN first_value(id) OVER thread WHEN reply THEN lag(id) OVER thread END AS parent_id,
       CASE WHEN NOT reply AND t < 0.3 THEN 'team' || floor(power(t / 0.3, 2) * 40)::int END AS tag
FROM (SELECT g, g % 20 AS k, (g - 1) / 20 AS block, author, r, t, published_at,
             ((floor(extract(epoch FROM published_at) * 1000)::bigint) << 16) | (g & 65535) AS id,
             (g % 20 IN (2, 3) OR (g % 20 IN (4, 5) AND ((g - 1) / 20) % 2 = 0)) AS reply
      FROM (SELECT g, 1 + floor(power(random(), 2) * (SELECT count(*) FROM seed_authors))::bigint AS author,
                   random() AS r, random() AS t, now() - ((:statuses - g) * interval '10 seconds') AS published_at
            FROM generate_series(1, :statuses) g) drawn) planned
WINDOW thread AS (PARTITION BY block ORDER BY g);

INSERT INTO statuses (id, uri, url, account_id, local, in_reply_to_id, in_reply_to_uri, content, visibility, to_uris, cc_uris,
                      language, published_at)
SELECT p.id,
       'https://' || coalesce(a.domain, 'local.bench.test') || '/statuses/seed-' || p.g,
       'https://' || coalesce(a.domain, 'local.bench.test') || '/@' || a.username || '/seed-' || p.g,
       a.id, a.domain IS NULL, p.parent_id,
       CASE WHEN p.reply THEN 'https://' || coalesce(pa.domain, 'local.bench.test') || '/statuses/seed-' || p.parent_g END,
       CASE WHEN p.reply THEN
           '<p><span class="h-card"><a href="' || pa.url || '" class="u-url mention">@<span>' || pa.username
           || '</span></a></span> Thursday works for me; I will bring the notes from the planning meeting (' || p.g || ').</p>'
       ELSE
           '<p>Seeded post ' || p.g || ': the weekly sync moved to Thursday; notes from the planning meeting are in the shared drive.'
           || coalesce(' <a href="https://' || coalesce(a.domain, 'local.bench.test') || '/tags/' || p.tag
                       || '" class="mention hashtag" rel="tag">#<span>' || p.tag || '</span></a>', '') || '</p>'
       END,
       v.visibility,
       CASE v.visibility WHEN 'public' THEN '{https://www.w3.org/ns/activitystreams#Public}'::text[]
                         WHEN 'direct' THEN CASE WHEN p.reply THEN ARRAY[pa.uri] ELSE '{}'::text[] END
                         ELSE '{}'::text[] END,
       CASE v.visibility WHEN 'unlisted' THEN '{https://www.w3.org/ns/activitystreams#Public}'::text[] ELSE '{}'::text[] END
       || CASE WHEN p.reply AND v.visibility <> 'direct' THEN ARRAY[pa.uri] ELSE '{}'::text[] END,
       'en', p.published_at
FROM seed_posts p
JOIN seed_authors a ON a.n = p.author
LEFT JOIN seed_authors pa ON pa.n = p.parent_author
CROSS JOIN LATERAL (SELECT CASE WHEN p.k = 1 OR p.r < 0.80 THEN 'public' WHEN p.r < 0.90 THEN 'unlisted'
                               WHEN p.r < 0.98 THEN 'private' ELSE 'direct' END AS visibility) v;

INSERT INTO status_tags (status_id, name)
SELECT id, tag FROM seed_posts WHERE tag IS NOT NULL;

INSERT INTO status_mentions (status_id, account_uri, name)
SELECT p.id, pa.uri, '@' || pa.username || coalesce('@' || pa.domain, '')
FROM seed_posts p JOIN seed_authors pa ON pa.n = p.parent_author
WHERE p.reply AND p.parent_author <> p.author;

INSERT INTO status_pins (account_id, status_id)
SELECT busiest.account_id, pinned.id
FROM (SELECT account_id FROM account_stats ORDER BY statuses_count DESC, account_id LIMIT 50) busiest
CROSS JOIN LATERAL (SELECT s.id FROM statuses s
                    WHERE s.account_id = busiest.account_id AND s.visibility = 'public' AND s.in_reply_to_id IS NULL
                    ORDER BY s.id LIMIT 3) pinned;

DROP TABLE seed_posts, seed_authors;
ANALYZE;
