-- The local timeline (public posts of this node, newest first) by its own index: on a node
-- whose posts are mostly from other nodes, walking the public timeline's index for the few
-- local posts read thousands of rows a page. The query names `local` literally so that the
-- planner can use it with generic plans.
CREATE INDEX statuses_local_timeline_idx ON statuses (id DESC) WHERE visibility = 'public' AND reblog_of_id IS NULL AND local;

-- A hashtag's posts, newest first: the tag timeline walks this instead of every tagged post.
CREATE INDEX status_tags_name_status_idx ON status_tags (name, status_id DESC);
