-- How a process reads the change log (Storage/ChangeListener): the rows of the transactions
-- from `next_xid` on and of those in `running`, with the bounds of the snapshot they were read
-- in (its xmax and the transactions running then), for the next read.
--
-- The xid index is always used (enable_seqscan off for this function alone): right after an
-- inbox flood the log holds tens of thousands of rows and the planner's statistics may still
-- describe an empty table, and a sequential scan ten times a second would read all of it for
-- the few rows that are new. One read costs the same on an empty log and on a long one.
CREATE FUNCTION kith_changes_since(next_xid xid8, running xid8[])
RETURNS TABLE (xmax text, xip text, keys text)
LANGUAGE sql STABLE
SET enable_seqscan = off
AS $$
    SELECT pg_snapshot_xmax(h.s)::text,
           (SELECT coalesce(array_agg(x)::text, '{}') FROM pg_snapshot_xip(h.s) x),
           c.keys
    FROM (SELECT pg_current_snapshot() AS s) h
    LEFT JOIN changes c ON c.xid >= next_xid OR c.xid = ANY (running)
$$;
