-- Seeds a benchmark node's database for the timeline workload (scripts/bench):
--   :accounts remote accounts on ten nodes, ten local readers (reader0…reader9, alice's password),
--   each reader following 150 remote accounts and the other readers, and :statuses statuses
--   whose authors are skewed (a few accounts post much more than most), 80 % public,
--   10 % unlisted, 8 % followers-only, 2 % direct.
SELECT setseed(0.42);

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
SELECT row_number() OVER (ORDER BY random()) AS n, id, domain FROM accounts WHERE username <> 'alice';

INSERT INTO statuses (uri, url, account_id, local, content, visibility, to_uris, cc_uris, language, published_at)
SELECT 'https://' || coalesce(a.domain, 'local.bench.test') || '/statuses/seed-' || p.g,
       'https://' || coalesce(a.domain, 'local.bench.test') || '/@x/seed-' || p.g,
       a.id, a.domain IS NULL,
       '<p>Seeded post ' || p.g || ': the weekly sync moved to Thursday; notes from the planning meeting are in the shared drive. #team' || (p.g % 50) || '</p>',
       v.visibility,
       CASE v.visibility WHEN 'public' THEN '{https://www.w3.org/ns/activitystreams#Public}'::text[] ELSE '{}'::text[] END,
       CASE v.visibility WHEN 'unlisted' THEN '{https://www.w3.org/ns/activitystreams#Public}'::text[] ELSE '{}'::text[] END,
       'en', now() - ((:statuses - p.g) * interval '10 seconds')
FROM (SELECT g, 1 + floor(power(random(), 2) * (SELECT count(*) FROM seed_authors))::bigint AS author, random() AS r
      FROM generate_series(1, :statuses) g) p
JOIN seed_authors a ON a.n = p.author
CROSS JOIN LATERAL (SELECT CASE WHEN p.r < 0.80 THEN 'public' WHEN p.r < 0.90 THEN 'unlisted'
                               WHEN p.r < 0.98 THEN 'private' ELSE 'direct' END AS visibility) v;

ANALYZE;
