#!/usr/bin/env bash
# A running Kith node and a peer nobody here wrote the signatures of:
#  1. Follows signed by apsig, bovine (draft-cavage) and http-message-signatures (RFC 9421)
#     are accepted by Kith's inbox (202); tampered copies are refused (401);
#  2. Kith answers each Follow with an Accept delivered to the peer, and fetches the peer's
#     actor with a signed GET; those signatures verify in the independent libraries.
#  3. Authorized fetch: an unsigned GET of a collection gets 401, the peer's apsig-signed GET
#     is served.
# Usage: federation/interop-inbox.sh   (KITH=path/to/kith to use another binary)
set -euo pipefail
cd "$(dirname "$0")/.."
KITH=$(realpath "${KITH:-.build/debug/kith}")
[ -x "$KITH" ] || { echo "error: $KITH not found; build first (swift build)" >&2; exit 1; }
# shellcheck source=lib/venv.sh
source federation/lib/venv.sh

http_get() { # url [accept]: prints the body, fails unless 200
  python -c 'import sys, urllib.request
r = urllib.request.urlopen(urllib.request.Request(sys.argv[1], headers={"Accept": sys.argv[2]}), timeout=5)
sys.stdout.write(r.read().decode())' "$1" "${2:-application/json}"
}
free_port() { python -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
tmp=$(mktemp -d /tmp/kith-interop-inbox.XXXXXX)
chmod 755 "$tmp"
node_pid="" peer_pid=""
cleanup() {
  [ -n "$node_pid" ] && kill -TERM "$node_pid" 2>/dev/null && wait "$node_pid" 2>/dev/null || true
  [ -n "$peer_pid" ] && kill "$peer_pid" 2>/dev/null || true
  rm -rf "$tmp"
}
trap cleanup EXIT

kith_port=$(free_port)
peer_port=$(free_port)
kith_url="http://127.0.0.1:$kith_port"
settings=(--data-dir "$tmp/data" --public-url "$kith_url" --port "$kith_port" --migrations-dir "$PWD/migrations"
  --federation-allow-http true --federation-allow-private-addresses true --log-level warning)

echo "==> a Kith node on $kith_url, a Python peer on 127.0.0.1:$peer_port"
echo "interop-password" | "$KITH" accounts create --username alice --email alice@interop.test --password-stdin "${settings[@]}" >/dev/null
"$KITH" federation allow "127.0.0.1:$peer_port" "${settings[@]}" >/dev/null
python federation/peer.py serve --port "$peer_port" --record "$tmp/peer.jsonl" &
peer_pid=$!
"$KITH" serve "${settings[@]}" 2>"$tmp/kith.log" &
node_pid=$!
for _ in $(seq 1 200); do
  http_get "$kith_url/health" >/dev/null 2>&1 && break
  sleep 0.1
done
http_get "$kith_url/health" >/dev/null || { cat "$tmp/kith.log" >&2; echo "error: kith did not start" >&2; exit 1; }

passed=0 failed=0
check() { # name expected actual
  if [ "$2" = "$3" ]; then passed=$((passed + 1)); echo "ok $1 ($3)"; else failed=$((failed + 1)); echo "FAIL $1: expected $2, got $3"; fi
}
inbox="$kith_url/users/alice/inbox"
n=0
for lib in apsig bovine hms; do
  n=$((n + 1))
  check "$lib-signed Follow accepted" 202 "$(python federation/peer.py send --port "$peer_port" --to "$inbox" --object "$kith_url/users/alice" --lib "$lib" --id "$n")"
  check "$lib-signed Follow, tampered, refused" 401 "$(python federation/peer.py send --port "$peer_port" --to "$inbox" --object "$kith_url/users/alice" --lib "$lib" --id "$((n + 10))" --tamper)"
done

# Kith accepts each Follow (auto-accept) and delivers an Accept to the peer.
for _ in $(seq 1 150); do
  [ "$(grep -c '"Accept' "$tmp/peer.jsonl" 2>/dev/null || true)" -ge 3 ] && break
  sleep 0.1
done
check "Accepts delivered to the peer" 3 "$(grep -c '"POST"' "$tmp/peer.jsonl" || true)"
python federation/peer.py requests --record "$tmp/peer.jsonl" --key-from "$kith_url/users/alice" >"$tmp/accepts.json"
if python federation/verify_signatures.py "$tmp/accepts.json"; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
# Kith fetched the peer's actor signed by its application actor.
python federation/peer.py requests --record "$tmp/peer.jsonl" --key-from "$kith_url/actor" >"$tmp/fetches.json"
check "signed GETs of the peer's actor" 1 "$(python -c 'import json,sys; print(min(1, len(json.load(open(sys.argv[1])))))' "$tmp/fetches.json")"
if python federation/verify_signatures.py "$tmp/fetches.json"; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
# Authorized fetch: unsigned GETs of collections are refused; the peer's apsig-signed GET works.
check "an unsigned GET of a collection is refused" 401 "$(python federation/peer.py get --port "$peer_port" --url "$kith_url/users/alice/followers" --unsigned | head -1)"
python federation/peer.py get --port "$peer_port" --url "$kith_url/users/alice/followers" >"$tmp/followers.txt"
check "an apsig-signed GET of a collection is served" 200 "$(head -1 "$tmp/followers.txt")"
followers=$(tail -n +2 "$tmp/followers.txt" | python -c 'import json,sys; print(json.load(sys.stdin).get("totalItems"))')
check "the peer is alice's follower" 1 "$followers"

echo "interop-inbox: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
