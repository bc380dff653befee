#!/usr/bin/env bash
# Durability under load: a signed flood into a running `kith serve`, which is killed with
# SIGKILL part-way; after a restart, every activity the node answered 202 is processed, and
# none twice.
#   federation/durability.sh [--count N] [--kill-after K]   (KITH=path/to/kith for another binary)
# scripts/test runs it at a small size.
set -euo pipefail
cd "$(dirname "$0")/.."
count=400
kill_after=150
while [ $# -gt 0 ]; do
  case "$1" in
    --count) count=$2; shift 2 ;;
    --kill-after) kill_after=$2; shift 2 ;;
    *) echo "unknown option: $1" >&2; exit 64 ;;
  esac
done
KITH=$(realpath "${KITH:-.build/debug/kith}")
[ -x "$KITH" ] || { echo "error: $KITH not found; build first (swift build)" >&2; exit 1; }
# shellcheck source=lib/venv.sh
source federation/lib/venv.sh
source scripts/lib.sh
BINDIR=$(pg_bindir)

free_port() { python -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
healthy() { python -c 'import sys, urllib.request; urllib.request.urlopen(sys.argv[1] + "/health", timeout=2)' "$1" >/dev/null 2>&1; }
tmp=$(mktemp -d /tmp/kith-durability.XXXXXX)
chmod 755 "$tmp"
node_pid="" peer_pid=""
cleanup() {
  [ -n "$node_pid" ] && kill -TERM "$node_pid" 2>/dev/null && wait "$node_pid" 2>/dev/null || true
  [ -n "$peer_pid" ] && kill "$peer_pid" 2>/dev/null || true
  # A node killed with SIGKILL leaves its database server behind: stop it too.
  "$BINDIR/pg_ctl" -D "$tmp/data/postgres/pgdata" -m immediate stop >/dev/null 2>&1 \
    || runuser -u postgres -- "$BINDIR/pg_ctl" -D "$tmp/data/postgres/pgdata" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$tmp"
}
trap cleanup EXIT

kith_port=$(free_port)
peer_port=$(free_port)
kith_url="http://127.0.0.1:$kith_port"
settings=(--data-dir "$tmp/data" --public-url "$kith_url" --port "$kith_port" --migrations-dir "$PWD/migrations"
  --federation-allow-http true --federation-allow-private-addresses true --log-level warning)
start_node() {
  "$KITH" serve "${settings[@]}" 2>>"$tmp/kith.log" &
  node_pid=$!
  for _ in $(seq 1 300); do healthy "$kith_url" && return 0; sleep 0.1; done
  cat "$tmp/kith.log" >&2
  echo "error: kith did not start" >&2
  exit 1
}
sql() { psql -h "$tmp/data/postgres/run" -p 5432 -U kith -d kith -Atc "$1"; }

echo "durability-password" | "$KITH" accounts create --username alice --email alice@durability.test --password-stdin "${settings[@]}" >/dev/null
"$KITH" federation allow "127.0.0.1:$peer_port" "${settings[@]}" >/dev/null
python federation/peer.py serve --port "$peer_port" --record "$tmp/peer.jsonl" &
peer_pid=$!
start_node

echo "==> $count signed activities into $kith_url/inbox; SIGKILL after $kill_after were answered 202"
result=$(python federation/flood.py --port "$peer_port" --inbox "$kith_url/inbox" --count "$count" --concurrency 8 \
  --acked "$tmp/acked.txt" --kill-pid "$node_pid" --kill-after "$kill_after")
wait "$node_pid" 2>/dev/null || true
node_pid=""
echo "flood: $result"
acked=$(wc -l <"$tmp/acked.txt")

echo "==> restart"
start_node
for _ in $(seq 1 600); do
  [ "$(sql "SELECT count(*) FROM inbox_items WHERE state = 'pending'")" = "0" ] && break
  sleep 0.1
done
sql "SELECT s.uri FROM statuses s JOIN accounts a ON a.id = s.account_id WHERE a.uri = 'http://127.0.0.1:$peer_port/users/bob'" \
  | sort >"$tmp/stored.txt"
sort "$tmp/acked.txt" >"$tmp/acked.sorted"
missing=$(comm -23 "$tmp/acked.sorted" "$tmp/stored.txt" | wc -l)
twice=$(sql "SELECT count(*) FROM (SELECT uri FROM statuses GROUP BY uri HAVING count(*) > 1) d")
twice_items=$(sql "SELECT count(*) FROM (SELECT activity_uri FROM inbox_items GROUP BY activity_uri HAVING count(*) > 1) d")
failed=$(sql "SELECT count(*) FROM inbox_items WHERE state <> 'done'")
stored=$(wc -l <"$tmp/stored.txt")
echo "answered 202: $acked; stored after the restart: $stored; acknowledged but missing: $missing; stored twice: $twice; queued twice: $twice_items; not done: $failed"
[ "$acked" -ge "$kill_after" ] || { echo "FAIL: the node was killed before $kill_after activities were acknowledged" >&2; exit 1; }
[ "$failed" -eq 0 ] || sql "SELECT state, attempts, last_error FROM inbox_items WHERE state <> 'done' LIMIT 5" >&2
[ "$missing" -eq 0 ] && [ "$twice" -eq 0 ] && [ "$twice_items" -eq 0 ] && [ "$failed" -eq 0 ] || { echo "FAIL: durability" >&2; exit 1; }
echo "durability: ok"
