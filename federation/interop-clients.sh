#!/usr/bin/env bash
# Mastodon clients nobody here wrote, against two running Kith nodes on loopback:
#  - Mastodon.py (federation/mastodon_clients.py): app registration, password and
#    authorization-code sign-in, search with resolve, follow across nodes, post, reply, home
#    timeline, favourite and boost with notifications, bookmark, profile fields, pin, mute, delete;
#  - toot: login, post, and the timeline.
# Usage: federation/interop-clients.sh   (KITH=path/to/kith to use another binary)
set -euo pipefail
cd "$(dirname "$0")/.."
KITH=$(realpath "${KITH:-.build/debug/kith}")
[ -x "$KITH" ] || { echo "error: $KITH not found; build first (swift build)" >&2; exit 1; }
# shellcheck source=lib/venv.sh
source federation/lib/venv.sh

free_port() { python -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
healthy() { python -c 'import sys, urllib.request; urllib.request.urlopen(sys.argv[1] + "/health", timeout=2)' "$1" >/dev/null 2>&1; }
tmp=$(mktemp -d /tmp/kith-interop-clients.XXXXXX)
chmod 755 "$tmp"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$tmp"
}
trap cleanup EXIT

password="interop-$RANDOM-password"
port_a=$(free_port)
port_b=$(free_port)
start_node() { # name port user other-port
  local settings=(--data-dir "$tmp/$1" --public-url "http://127.0.0.1:$2" --port "$2" --migrations-dir "$PWD/migrations"
    --federation-allow-http true --federation-allow-private-addresses true --log-level warning)
  echo "$password" | "$KITH" accounts create --username "$3" --email "$3@$1.test" --password-stdin "${settings[@]}" >/dev/null
  "$KITH" federation allow "127.0.0.1:$4" "${settings[@]}" >/dev/null
  "$KITH" serve "${settings[@]}" 2>"$tmp/$1.log" &
  pids+=($!)
}
start_node a "$port_a" alice "$port_b"
start_node b "$port_b" bob "$port_a"
for url in "http://127.0.0.1:$port_a" "http://127.0.0.1:$port_b"; do
  for _ in $(seq 1 200); do healthy "$url" && break; sleep 0.1; done
  healthy "$url" || { cat "$tmp"/*.log >&2; echo "error: $url did not start" >&2; exit 1; }
done
echo "==> Mastodon.py against http://127.0.0.1:$port_a and http://127.0.0.1:$port_b"
status=0
python federation/mastodon_clients.py --a "http://127.0.0.1:$port_a" --b "http://127.0.0.1:$port_b" --password "$password" || status=1

echo "==> toot"
export XDG_CONFIG_HOME="$tmp/toot-config"
passed=0 failed=0
tcheck() { # name command…
  local name=$1
  shift
  if "$@" >>"$tmp/toot.log" 2>&1; then passed=$((passed + 1)); echo "ok toot: $name"; else failed=$((failed + 1)); echo "FAIL toot: $name"; fi
}
login() { printf '%s\n' "$password" | toot login_cli --instance "http://127.0.0.1:$port_a" --email alice@a.test; }
tcheck "login" login
message="posted with toot $RANDOM"
tcheck "post" toot post "$message"
timeline() { toot timeline --once >"$tmp/toot-timeline.txt" 2>&1; cat "$tmp/toot-timeline.txt"; grep -q "$message" "$tmp/toot-timeline.txt"; }
tcheck "the post in the timeline" timeline
[ "$failed" -eq 0 ] || { cat "$tmp/toot.log" >&2; status=1; }
echo "toot: $passed passed, $failed failed"
exit "$status"
