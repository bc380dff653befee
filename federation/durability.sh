#!/usr/bin/env bash
# Durability under load, against a running `kith serve`:
#  1. inbox: a signed flood, the node killed with SIGKILL part-way; after a restart, every
#     activity the node answered 202 is processed, and none twice;
#  2. fan-out: posts to followers on two sink servers, the node killed part-way through the
#     deliveries; after a restart every sink has every post (counted by activity id; resent
#     duplicates, at most those in flight at the kill, are reported);
#  3. a sink that is down while posts are made receives them once it is back.
#   federation/durability.sh [--count N] [--kill-after K] [--posts P]   (KITH=path/to/kith for another binary)
# scripts/test runs it at a small size.
set -euo pipefail
cd "$(dirname "$0")/.."
count=400
kill_after=150
posts=60
while [ $# -gt 0 ]; do
  case "$1" in
    --count) count=$2; shift 2 ;;
    --kill-after) kill_after=$2; shift 2 ;;
    --posts) posts=$2; shift 2 ;;
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
node_pid="" peer_pid="" sink_pid=""
cleanup() {
  [ -n "$node_pid" ] && kill -TERM "$node_pid" 2>/dev/null && wait "$node_pid" 2>/dev/null || true
  [ -n "$peer_pid" ] && kill "$peer_pid" 2>/dev/null || true
  [ -n "$sink_pid" ] && kill "$sink_pid" 2>/dev/null || true
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
[ "$missing" -eq 0 ] && [ "$twice" -eq 0 ] && [ "$twice_items" -eq 0 ] && [ "$failed" -eq 0 ] || { echo "FAIL: inbox durability" >&2; exit 1; }

# 2. Fan-out: bob of the first peer and of a second sink follow alice; alice posts; the node is
#    killed once the first sink has a third of the posts.
sink_port=$(free_port)
"$KITH" federation allow "127.0.0.1:$sink_port" "${settings[@]}" >/dev/null
python federation/peer.py serve --port "$sink_port" --record "$tmp/sink.jsonl" &
sink_pid=$!
sleep 1
for port in "$peer_port" "$sink_port"; do
  [ "$(python federation/peer.py send --port "$port" --to "$kith_url/users/alice/inbox" --object "$kith_url/users/alice" --lib apsig --id 1)" = 202 ] \
    || { echo "FAIL: the follow from 127.0.0.1:$port was refused" >&2; exit 1; }
done
for _ in $(seq 1 300); do
  [ "$(sql "SELECT count(*) FROM follows WHERE state = 'accepted'")" = "2" ] && break
  sleep 0.1
done
creates() { python - "$1" <<'PY'
import json, sys
ids = [json.loads(line)["body"] for line in open(sys.argv[1]) if '"POST"' in line]
ids = [json.loads(body)["id"] for body in ids if json.loads(body).get("type") == "Create"]
print(len(ids), len(set(ids)))
PY
}
token=$(python - "$kith_url" <<'PY'
import json, sys, urllib.request, urllib.parse
base = sys.argv[1]
def post(path, data):
    request = urllib.request.Request(base + path, data=json.dumps(data).encode(), headers={"Content-Type": "application/json"})
    return json.load(urllib.request.urlopen(request, timeout=10))
app = post("/api/v1/apps", {"client_name": "durability", "redirect_uris": "urn:ietf:wg:oauth:2.0:oob", "scopes": "write"})
print(post("/oauth/token", {"grant_type": "password", "client_id": app["client_id"], "client_secret": app["client_secret"],
                            "username": "alice", "password": "durability-password", "scope": "write"})["access_token"])
PY
)
post_statuses() { # count label
  python - "$kith_url" "$token" "$1" "$2" <<'PY'
import json, sys, urllib.request
base, token, count, label = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
for i in range(count):
    request = urllib.request.Request(base + "/api/v1/statuses", data=json.dumps({"status": f"{label} {i}"}).encode(),
                                     headers={"Content-Type": "application/json", "Authorization": "Bearer " + token})
    urllib.request.urlopen(request, timeout=10).read()
PY
}
echo "==> $posts posts to followers on two sinks; SIGKILL when the first has a third of them"
touch "$tmp/peer.jsonl" "$tmp/sink.jsonl"
post_statuses "$posts" "fan-out" 2>/dev/null &  # its last request meets the kill
poster=$!
for _ in $(seq 1 600); do
  [ "$(creates "$tmp/peer.jsonl" | cut -d' ' -f2)" -ge $((posts / 3)) ] && break
  sleep 0.05
done
kill -KILL "$node_pid"
wait "$node_pid" 2>/dev/null || true
node_pid=""
wait "$poster" 2>/dev/null || true
echo "at the kill: first sink $(creates "$tmp/peer.jsonl"), second sink $(creates "$tmp/sink.jsonl") (sent, distinct)"
start_node
posted=$(sql "SELECT count(*) FROM statuses s JOIN accounts a ON a.id = s.account_id WHERE a.username = 'alice' AND a.domain IS NULL")
for _ in $(seq 1 600); do
  [ "$(sql "SELECT count(*) FROM deliveries WHERE state = 'pending'") $(sql "SELECT count(*) FROM activities WHERE fanout_state = 'pending'")" = "0 0" ] && break
  sleep 0.1
done
read -r sent_a distinct_a < <(creates "$tmp/peer.jsonl")
read -r sent_b distinct_b < <(creates "$tmp/sink.jsonl")
echo "posts stored: $posted; first sink: $distinct_a distinct ($((sent_a - distinct_a)) resent); second sink: $distinct_b distinct ($((sent_b - distinct_b)) resent)"
[ "$distinct_a" -eq "$posted" ] && [ "$distinct_b" -eq "$posted" ] || { echo "FAIL: fan-out durability" >&2; exit 1; }

# 3. The second sink goes down while alice posts three more; it gets them once it is back.
kill "$sink_pid"
wait "$sink_pid" 2>/dev/null || true
sink_pid=""
post_statuses 3 "while down"
sleep 3
python federation/peer.py serve --port "$sink_port" --record "$tmp/sink.jsonl" &
sink_pid=$!
echo "==> a sink down for a while, then back (deliveries retry after about 20 s)"
for _ in $(seq 1 900); do
  [ "$(sql "SELECT count(*) FROM deliveries WHERE state = 'pending'")" = "0" ] && break
  sleep 0.1
done
read -r sent_b distinct_b < <(creates "$tmp/sink.jsonl")
echo "second sink after its outage: $distinct_b distinct of $((posted + 3))"
[ "$distinct_b" -eq $((posted + 3)) ] || { echo "FAIL: a sink back from an outage did not get everything" >&2; exit 1; }
echo "durability: ok"
