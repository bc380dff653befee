#!/usr/bin/env bash
# HTTP signatures, checked both ways against implementations nobody here wrote:
#  1. the committed vectors (signed by apsig, bovine and http-message-signatures) still verify
#     in those libraries, and tampered copies do not (the Swift tests verify the same vectors
#     in Kith);
#  2. requests signed by Kith (`kith federation sign`) verify in those libraries, in both
#     formats, with RSA and Ed25519 keys.
# Usage: federation/interop-signatures.sh   (KITH=path/to/kith to use another binary)
set -euo pipefail
cd "$(dirname "$0")/.."
KITH=${KITH:-.build/debug/kith}
[ -x "$KITH" ] || { echo "error: $KITH not found; build first (swift build)" >&2; exit 1; }

# shellcheck source=lib/venv.sh
source federation/lib/venv.sh

echo "==> independent vectors in their own libraries"
python federation/verify_signatures.py --self-test

echo "==> Kith-signed requests in the independent libraries"
tmp=$(mktemp -d /tmp/kith-interop-sig.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
keys=federation/fixtures/signatures
printf '%s' '{"@context":"https://www.w3.org/ns/activitystreams","id":"https://kith.example/users/alice#follows/1","type":"Follow","actor":"https://kith.example/users/alice","object":"https://remote.example/users/bob","summary":"Grüße ✓"}' >"$tmp/body.json"

sign() { # name key-file format method url [extra args…]
  local name=$1 key=$2 format=$3 method=$4 url=$5
  shift 5
  "$KITH" federation sign --private-key "$key" --key-id "https://kith.example/users/alice#main-key" \
    --format "$format" --method "$method" --url "$url" "$@" >"$tmp/$name.json"
}
sign cavage-post-rsa "$keys/test_key_rsa.pem" cavage POST https://remote.example/users/bob/inbox \
  --body-file "$tmp/body.json" --header "Content-Type: application/activity+json"
sign cavage-get-rsa "$keys/test_key_rsa.pem" cavage GET https://remote.example/users/bob \
  --header "Accept: application/activity+json"
sign cavage-post-ed25519 "$keys/test_key_ed25519.pem" cavage POST https://remote.example/inbox \
  --body-file "$tmp/body.json" --header "Content-Type: application/activity+json"
sign rfc9421-post-rsa "$keys/test_key_rsa.pem" rfc9421 POST https://remote.example/users/bob/inbox --body-file "$tmp/body.json"
sign rfc9421-post-rsa-pss "$keys/test_key_rsa.pem" rfc9421 POST https://remote.example/inbox \
  --body-file "$tmp/body.json" --algorithm rsa-pss-sha512
sign rfc9421-get-rsa "$keys/test_key_rsa.pem" rfc9421 GET https://remote.example/users/bob
sign rfc9421-post-ed25519 "$keys/test_key_ed25519.pem" rfc9421 POST https://remote.example/inbox --body-file "$tmp/body.json"

passed=0 failed=0
for file in "$tmp"/*-*.json; do
  if python federation/verify_signatures.py "$file"; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
  fi
done
echo "interop-signatures: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
