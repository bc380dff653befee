#!/usr/bin/env python3
"""A minimal ActivityPub peer for interop tests against a running Kith node.

  peer.py serve --port P --record FILE
      Serves the actor http://127.0.0.1:P/users/bob (key: fixtures/signatures/test_key_rsa.pub.pem)
      and records every request to it (GETs of the actor, POSTs to its inbox) as JSON lines in
      FILE: method, url, headers, body. Runs until killed.

  peer.py send --port P --to INBOX --object ACTOR --lib apsig|bovine|hms [--tamper] [--id N]
      POSTs a Follow from bob to INBOX, signed by one independent library (apsig or bovine:
      draft-cavage; hms, http-message-signatures: RFC 9421). --tamper changes the body after
      signing. Prints the HTTP status.

  peer.py get --port P --url URL [--unsigned]
      GETs URL as bob, signed with apsig (draft-cavage: (request-target) host date), as a peer
      fetches from a node in authorized-fetch mode. Prints the status, then the body.

  peer.py requests --record FILE --key-from URL
      Turns the recorded requests into the JSON that verify_signatures.py reads, with the
      public key of the actor (or key) at URL, fetched from the node.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime
import json
import sys
import types
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from make_signature_vectors import load_or_create_keys, private_pem  # noqa: E402

ACTIVITY_JSON = "application/activity+json"


def actor(port: int, public_pem: str) -> dict:
    base = f"http://127.0.0.1:{port}"
    return {
        "@context": ["https://www.w3.org/ns/activitystreams", "https://w3id.org/security/v1"],
        "id": f"{base}/users/bob",
        "type": "Person",
        "preferredUsername": "bob",
        "name": "Bob (Python peer)",
        "inbox": f"{base}/users/bob/inbox",
        "outbox": f"{base}/users/bob/outbox",
        "followers": f"{base}/users/bob/followers",
        "publicKey": {"id": f"{base}/users/bob#main-key", "owner": f"{base}/users/bob", "publicKeyPem": public_pem},
    }


def serve(port: int, record: Path) -> None:
    _, public_pem = load_or_create_keys("rsa")
    document = json.dumps(actor(port, public_pem)).encode()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):  # quiet
            pass

        def _record(self, body: bytes) -> None:
            entry = {
                "method": self.command,
                "url": f"http://127.0.0.1:{port}{self.path}",
                "headers": {k: v for k, v in self.headers.items()},
                "body": body.decode("utf-8"),
            }
            with record.open("a") as f:
                f.write(json.dumps(entry) + "\n")

        def do_GET(self):
            if self.path.split("?")[0] == "/users/bob":
                self._record(b"")
                self.send_response(200)
                self.send_header("Content-Type", ACTIVITY_JSON)
                self.send_header("Content-Length", str(len(document)))
                self.end_headers()
                self.wfile.write(document)
            else:
                self.send_response(404)
                self.send_header("Content-Length", "0")
                self.end_headers()

        def do_POST(self):
            length = int(self.headers.get("Content-Length", "0"))
            body = self.rfile.read(min(length, 1 << 20))
            if self.path == "/users/bob/inbox":
                self._record(body)
                self.send_response(202)
            else:
                self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()

    ThreadingHTTPServer(("127.0.0.1", port), Handler).serve_forever()


def signed_follow(port: int, inbox: str, target: str, lib: str, follow_id: str) -> tuple[dict, bytes]:
    """Headers and body of a Follow signed by `lib`."""
    key, public_pem = load_or_create_keys("rsa")
    bob = f"http://127.0.0.1:{port}/users/bob"
    key_id = bob + "#main-key"
    body = json.dumps({
        "@context": "https://www.w3.org/ns/activitystreams", "id": follow_id, "type": "Follow", "actor": bob, "object": target,
    }, separators=(",", ":")).encode()
    if lib == "apsig":
        from apsig.draft import Signer
        headers = Signer(headers={"Content-Type": ACTIVITY_JSON}, private_key=key, method="POST", url=inbox, key_id=key_id,
                         body=body, signed_headers=["(request-target)", "host", "date", "digest"]).sign()
        return dict(headers), body
    if lib == "bovine":
        from bovine.clients.signed_http import SignedHttpClient
        sent = []

        class Capture:
            async def post(self, url, data=None, headers=None, **kwargs):
                sent.append((dict(headers or {}), data))
                return types.SimpleNamespace(status=202)

        asyncio.run(SignedHttpClient(Capture(), key_id, private_pem(key)).post(inbox, body.decode()))
        headers, data = sent[0]
        return headers, data.encode() if isinstance(data, str) else data
    if lib == "hms":
        from http_message_signatures import HTTPMessageSigner, MappingKeyResolver, algorithms
        now = datetime.datetime.now(tz=datetime.timezone.utc)
        headers = {"Host": inbox.split("/")[2], "Content-Type": ACTIVITY_JSON}
        message = types.SimpleNamespace(method="POST", url=inbox, headers=headers)
        HTTPMessageSigner(signature_algorithm=algorithms.RSA_V1_5_SHA256,
                          key_resolver=MappingKeyResolver(public_keys={}, private_keys={key_id: key})).sign(
            message, key_id=key_id, created=now, label="sig1", include_alg=True,
            covered_component_ids=("@method", "@target-uri", "content-digest"), body=body)
        return dict(message.headers), body
    raise SystemExit(f"unknown library {lib}")


def send(port: int, inbox: str, target: str, lib: str, tamper: bool, number: int) -> int:
    follow_id = f"http://127.0.0.1:{port}/users/bob#follows/{lib}-{number}"
    headers, body = signed_follow(port, inbox, target, lib, follow_id)
    if tamper:
        body = body.replace(b'"type":"Follow"', b'"type":"Block"')
    request = urllib.request.Request(inbox, data=body, method="POST")
    for name, value in headers.items():
        if name.lower() not in ("host", "content-length"):
            request.add_header(name, value)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def get(port: int, url: str, unsigned: bool) -> tuple[int, str]:
    headers = {"Accept": ACTIVITY_JSON}
    if not unsigned:
        from apsig.draft import Signer
        key, _ = load_or_create_keys("rsa")
        key_id = f"http://127.0.0.1:{port}/users/bob#main-key"
        headers = dict(Signer(headers=headers, private_key=key, method="GET", url=url, key_id=key_id, body=b"",
                              signed_headers=["(request-target)", "host", "date"]).sign())
    request = urllib.request.Request(url, method="GET")
    for name, value in headers.items():
        if name.lower() not in ("host", "content-length", "digest"):
            request.add_header(name, value)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def requests_for_verifier(record: Path, key_from: str) -> list[dict]:
    with urllib.request.urlopen(urllib.request.Request(key_from, headers={"Accept": ACTIVITY_JSON}), timeout=10) as response:
        document = json.load(response)
    key = document["publicKey"]
    out = []
    for line in record.read_text().splitlines():
        entry = json.loads(line)
        signature = entry["headers"].get("Signature", "") + entry["headers"].get("Signature-Input", "")
        if key["id"] not in signature:
            continue
        entry.update({"keyId": key["id"], "publicKeyPem": key["publicKeyPem"], "name": f"kith {entry['method']} {entry['url']}"})
        out.append(entry)
    return out


def main() -> int:
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="command", required=True)
    s = sub.add_parser("serve")
    s.add_argument("--port", type=int, required=True)
    s.add_argument("--record", type=Path, required=True)
    p = sub.add_parser("send")
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--to", required=True)
    p.add_argument("--object", required=True)
    p.add_argument("--lib", required=True)
    p.add_argument("--tamper", action="store_true")
    p.add_argument("--id", type=int, default=1)
    g = sub.add_parser("get")
    g.add_argument("--port", type=int, required=True)
    g.add_argument("--url", required=True)
    g.add_argument("--unsigned", action="store_true")
    r = sub.add_parser("requests")
    r.add_argument("--record", type=Path, required=True)
    r.add_argument("--key-from", required=True)
    args = parser.parse_args()
    if args.command == "serve":
        serve(args.port, args.record)
    elif args.command == "send":
        print(send(args.port, args.to, args.object, args.lib, args.tamper, args.id))
    elif args.command == "get":
        status, body = get(args.port, args.url, args.unsigned)
        print(status)
        print(body)
    else:
        print(json.dumps(requests_for_verifier(args.record, args.key_from)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
