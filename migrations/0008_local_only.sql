-- 0008: local-only posts (as Hometown and glitch-soc have them): never delivered, never served
-- to another node, never shown to remote users. Replies to and boosts of them stay local too.
ALTER TABLE statuses ADD COLUMN local_only boolean NOT NULL DEFAULT false;
