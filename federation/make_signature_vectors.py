#!/usr/bin/env python3
"""Generate HTTP-signature test vectors with independent Python implementations.

Writes federation/fixtures/signatures/vectors.json: a JSON array of signed requests, each

    {"name", "library", "format": "cavage" | "rfc9421", "method", "url", "headers",
     "body", "keyId", "publicKeyPem", "keyType": "rsa" | "ed25519", "signedAt"}

The signing keys are test keys kept beside the vectors (test_key_rsa.pem / .pub.pem and
test_key_ed25519.pem / .pub.pem); they are generated on the first run and reused afterwards.
Request bodies, URLs and key ids are fixed; only the dates, `created` parameters and the
RSA-PSS signatures (which are randomised) change between runs.

Libraries:
  * draft-cavage: apsig (and bovine, when it is installed)
  * RFC 9421: http-message-signatures (apsig's RFC 9421 output is not used)

Every vector is verified with the library that made it before the file is written.
Run it inside the federation venv:  source federation/lib/venv.sh && python federation/make_signature_vectors.py
"""

from __future__ import annotations

import asyncio
import datetime
import email.utils
import json
import sys
import time
import types
from importlib import metadata
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, rsa

HERE = Path(__file__).resolve().parent
FIXTURES = HERE / "fixtures" / "signatures"
VECTORS = FIXTURES / "vectors.json"

RSA_KEY_ID = "https://remote.example/users/bob#main-key"
ED25519_KEY_ID = "https://remote.example/users/bob#ed25519-key"

INBOX = "https://kith.example/users/alice/inbox"
SHARED_INBOX = "https://kith.example/inbox"
ACTOR = "https://kith.example/users/alice"
ACTIVITY_JSON = "application/activity+json"
LD_JSON = 'application/ld+json; profile="https://www.w3.org/ns/activitystreams"'


def _compact(obj) -> str:
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False)


FOLLOW_BODY = _compact(
    {
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": "https://remote.example/users/bob#follows/1",
        "type": "Follow",
        "actor": "https://remote.example/users/bob",
        "object": "https://kith.example/users/alice",
    }
)

# Non-ASCII on purpose: digests are over the UTF-8 bytes of the body.
CREATE_NOTE_BODY = _compact(
    {
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": "https://remote.example/users/bob/statuses/1/activity",
        "type": "Create",
        "actor": "https://remote.example/users/bob",
        "published": "2024-01-02T03:04:05Z",
        "to": ["https://www.w3.org/ns/activitystreams#Public"],
        "cc": ["https://remote.example/users/bob/followers"],
        "object": {
            "id": "https://remote.example/users/bob/statuses/1",
            "type": "Note",
            "attributedTo": "https://remote.example/users/bob",
            "content": "<p>Grüße an alle — hello, Kith ✓</p>",
            "published": "2024-01-02T03:04:05Z",
            "to": ["https://www.w3.org/ns/activitystreams#Public"],
            "cc": ["https://remote.example/users/bob/followers"],
        },
    }
)

# Pretty-printed with a trailing newline, so a verifier must hash the bytes as sent.
LIKE_BODY = (
    json.dumps(
        {
            "@context": "https://www.w3.org/ns/activitystreams",
            "id": "https://remote.example/users/bob#likes/7",
            "type": "Like",
            "actor": "https://remote.example/users/bob",
            "object": "https://kith.example/users/alice/statuses/1",
        },
        indent=2,
    )
    + "\n"
)


# --------------------------------------------------------------------------- keys


def _write_pem(path: Path, data: bytes) -> None:
    path.write_bytes(data)


def load_or_create_keys(kind: str):
    """Return (private_key, public_pem_str) for kind 'rsa' or 'ed25519'."""
    priv_path = FIXTURES / f"test_key_{kind}.pem"
    pub_path = FIXTURES / f"test_key_{kind}.pub.pem"
    if priv_path.exists():
        private_key = serialization.load_pem_private_key(priv_path.read_bytes(), password=None)
    else:
        if kind == "rsa":
            private_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        else:
            private_key = ed25519.Ed25519PrivateKey.generate()
        _write_pem(
            priv_path,
            private_key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            ),
        )
        print(f"generated {priv_path.relative_to(HERE.parent)}")
    public_pem = private_key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    if not pub_path.exists() or pub_path.read_bytes() != public_pem:
        _write_pem(pub_path, public_pem)
    expected = rsa.RSAPrivateKey if kind == "rsa" else ed25519.Ed25519PrivateKey
    if not isinstance(private_key, expected):
        raise SystemExit(f"{priv_path} does not hold a {kind} key")
    return private_key, public_pem.decode("ascii")


def private_pem(private_key) -> str:
    return private_key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode("ascii")


def lib_version(dist: str) -> str:
    return f"{dist} {metadata.version(dist)}"


def vector(name, library, fmt, method, url, headers, body, key_id, public_pem, key_type, signed_at):
    return {
        "name": name,
        "library": library,
        "format": fmt,
        "method": method,
        "url": url,
        "headers": dict(headers),
        "body": body,
        "keyId": key_id,
        "publicKeyPem": public_pem,
        "keyType": key_type,
        "signedAt": int(signed_at),
    }


def checked(v):
    """Called once a vector has verified with the library that made it."""
    print(f"ok   {v['name']:<42} {v['format']:<8} {v['method']:<4} verified by {v['library']}")
    return v


def date_to_unix(value: str) -> int:
    return int(email.utils.parsedate_to_datetime(value).timestamp())


# --------------------------------------------------------------------------- apsig (cavage)


def apsig_vectors(rsa_key, rsa_pub):
    from apsig.draft import Signer, Verifier

    lib = lib_version("apsig")
    out = []

    def make(name, method, url, body, extra_headers, signed_headers=None):
        # apsig adds Host (from the URL), Date and, for non-GET requests, Digest itself.
        signed = Signer(
            headers=dict(extra_headers),
            private_key=rsa_key,
            method=method,
            url=url,
            key_id=RSA_KEY_ID,
            body=body.encode("utf-8"),
            signed_headers=signed_headers,
        ).sign()
        v = vector(name, lib, "cavage", method, url, signed, body, RSA_KEY_ID, rsa_pub, "rsa",
                   date_to_unix(signed["date"]))
        key_id = Verifier(rsa_pub, method, url, signed, body.encode("utf-8")).verify(raise_on_fail=True)
        assert key_id == RSA_KEY_ID, key_id
        out.append(checked(v))

    # Mastodon's header order.
    make("apsig-cavage-post-inbox", "POST", INBOX, FOLLOW_BODY,
         {"Content-Type": ACTIVITY_JSON, "Accept": ACTIVITY_JSON},
         ["(request-target)", "host", "date", "digest"])
    # apsig's default header list and order: (request-target) date host digest.
    make("apsig-cavage-post-shared-inbox", "POST", SHARED_INBOX, CREATE_NOTE_BODY,
         {"Content-Type": ACTIVITY_JSON})
    # content-type signed too, and a body that is not compact JSON.
    make("apsig-cavage-post-inbox-content-type", "POST", INBOX, LIKE_BODY,
         {"Content-Type": LD_JSON},
         ["(request-target)", "host", "date", "digest", "content-type"])
    # GET: apsig's default (request-target) date host; no Digest for GET.
    make("apsig-cavage-get-actor", "GET", ACTOR, "", {"Accept": ACTIVITY_JSON})
    return out


# --------------------------------------------------------------------------- bovine (cavage)


class _CapturingSession:
    """Stands in for aiohttp.ClientSession: records what bovine would send, sends nothing."""

    def __init__(self):
        self.sent = []

    async def post(self, url, data=None, headers=None, **kwargs):
        self.sent.append(("POST", url, dict(headers or {}), data))
        return types.SimpleNamespace(status=202)

    async def get(self, url, headers=None, **kwargs):
        self.sent.append(("GET", url, dict(headers or {}), None))
        return types.SimpleNamespace(status=200)


def _bovine_checker(public_pem, expected_key_id):
    from bovine.crypto.signature_checker import SignatureChecker
    from bovine.crypto.types import CryptographicIdentifier

    async def key_retriever(key_id):
        if key_id != expected_key_id:
            return None
        return CryptographicIdentifier.from_pem(public_pem, key_id.split("#", 1)[0])

    return SignatureChecker(key_retriever)


def bovine_vectors(rsa_key, rsa_pub):
    try:
        from bovine.clients.signed_http import SignedHttpClient
    except ImportError:
        print("bovine is not installed: no bovine vectors")
        return []

    lib = lib_version("bovine")
    session = _CapturingSession()
    client = SignedHttpClient(session, RSA_KEY_ID, private_pem(rsa_key))

    async def run():
        await client.post(INBOX, FOLLOW_BODY)
        await client.get(ACTOR)

    asyncio.run(run())
    names = ["bovine-cavage-post-inbox", "bovine-cavage-get-actor"]
    out = []
    checker = _bovine_checker(rsa_pub, RSA_KEY_ID)
    for name, (method, url, headers, data) in zip(names, session.sent):
        body = data or ""
        v = vector(name, lib, "cavage", method, url, headers, body, RSA_KEY_ID, rsa_pub, "rsa",
                   date_to_unix(headers["date"]))

        async def body_bytes(body=body):
            return body.encode("utf-8")

        lowered = {k.lower(): val for k, val in headers.items()}
        owner = asyncio.run(checker.validate_signature(method, url, lowered, body_bytes))
        assert owner == "https://remote.example/users/bob", owner
        out.append(checked(v))
    return out


# --------------------------------------------------------------------------- http-message-signatures (RFC 9421)


def rfc9421_vectors(rsa_key, rsa_pub, ed_key, ed_pub):
    from http_message_signatures import HTTPMessageSigner, HTTPMessageVerifier, MappingKeyResolver, algorithms

    lib = lib_version("http-message-signatures")
    out = []

    def make(name, alg, key, pub, key_id, key_type, method, url, body, extra_headers, components, include_alg):
        signed_at = int(time.time())
        headers = {"Host": url.split("/")[2], "Date": email.utils.formatdate(signed_at, usegmt=True)}
        headers.update(extra_headers)
        message = types.SimpleNamespace(method=method, url=url, headers=headers)
        signer = HTTPMessageSigner(
            signature_algorithm=alg,
            key_resolver=MappingKeyResolver(public_keys={}, private_keys={key_id: key}),
        )
        signer.sign(
            message,
            key_id=key_id,
            created=datetime.datetime.fromtimestamp(signed_at, tz=datetime.timezone.utc),
            label="sig1",
            include_alg=include_alg,
            covered_component_ids=components,
            body=body.encode("utf-8") if method != "GET" else None,
        )
        verifier = HTTPMessageVerifier(
            signature_algorithm=alg,
            key_resolver=MappingKeyResolver(public_keys={key_id: pub.encode("ascii")}, private_keys={}),
        )
        results = verifier.verify(message, body=body.encode("utf-8"), require_components=("@method", "@target-uri"))
        assert len(results) == 1 and results[0].parameters["keyid"] == key_id
        out.append(checked(vector(name, lib, "rfc9421", method, url, headers, body, key_id, pub, key_type, signed_at)))

    post_components = ("@method", "@target-uri", "content-digest")
    make("hms-rfc9421-post-inbox-rsa-v1_5-sha256", algorithms.RSA_V1_5_SHA256, rsa_key, rsa_pub, RSA_KEY_ID,
         "rsa", "POST", INBOX, FOLLOW_BODY, {"Content-Type": ACTIVITY_JSON}, post_components, include_alg=False)
    make("hms-rfc9421-post-inbox-rsa-pss-sha512", algorithms.RSA_PSS_SHA512, rsa_key, rsa_pub, RSA_KEY_ID,
         "rsa", "POST", INBOX, FOLLOW_BODY, {"Content-Type": ACTIVITY_JSON}, post_components, include_alg=True)
    make("hms-rfc9421-get-actor-rsa-v1_5-sha256", algorithms.RSA_V1_5_SHA256, rsa_key, rsa_pub, RSA_KEY_ID,
         "rsa", "GET", ACTOR, "", {"Accept": ACTIVITY_JSON}, ("@method", "@target-uri"), include_alg=True)
    make("hms-rfc9421-post-shared-inbox-ed25519", algorithms.ED25519, ed_key, ed_pub, ED25519_KEY_ID,
         "ed25519", "POST", SHARED_INBOX, CREATE_NOTE_BODY, {"Content-Type": ACTIVITY_JSON}, post_components,
         include_alg=True)
    return out


# --------------------------------------------------------------------------- main


def main() -> int:
    FIXTURES.mkdir(parents=True, exist_ok=True)
    rsa_key, rsa_pub = load_or_create_keys("rsa")
    ed_key, ed_pub = load_or_create_keys("ed25519")

    vectors = []
    vectors += apsig_vectors(rsa_key, rsa_pub)
    vectors += bovine_vectors(rsa_key, rsa_pub)
    vectors += rfc9421_vectors(rsa_key, rsa_pub, ed_key, ed_pub)

    names = [v["name"] for v in vectors]
    assert len(names) == len(set(names)), "duplicate vector names"
    VECTORS.write_text(json.dumps(vectors, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {len(vectors)} vectors to {VECTORS.relative_to(HERE.parent)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
