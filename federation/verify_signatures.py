#!/usr/bin/env python3
"""Verify signed HTTP requests with independent implementations of HTTP signatures.

Input (a file argument, or standard input when the argument is missing or "-") is JSON: one
request object or an array of them, in the shape of fixtures/signatures/vectors.json:

    {"method": "POST", "url": "https://kith.example/users/alice/inbox",
     "headers": {"Host": "...", "Date": "...", "Digest": "...", "Signature": "..."},
     "body": "<exact body, \"\" for none>", "keyId": "https://remote.example/users/bob#main-key",
     "publicKeyPem": "-----BEGIN PUBLIC KEY-----...", "keyType": "rsa" | "ed25519",
     "format": "cavage" | "rfc9421", "signedAt": 1700000000, "name": "optional label"}

"format" and "keyType" are inferred when absent (Signature-Input present means RFC 9421;
the key type comes from the PEM). "headers" may also be a list of [name, value] pairs.
The body's digest is taken over its UTF-8 bytes.

  * draft-cavage requests are verified with apsig and, when installed, bovine. A library
    that cannot handle the request at all (apsig knows only algorithm="rsa-sha256" and RSA
    keys) is reported as "unsupported"; the request passes when at least one library
    verified it and none rejected it.
  * RFC 9421 requests are verified with http-message-signatures. The algorithm is taken
    from the signature's `alg` parameter, else from the key: Ed25519 keys use ed25519, RSA
    keys are tried with rsa-v1_5-sha256 and then rsa-pss-sha512.

Besides the libraries' own checks, this script requires that the signature covers the method
and target ((request-target) for cavage; @method and @target-uri, or @authority with @path or
@request-target, for RFC 9421) and, when there is a body, its digest.

Signatures may be at most --max-age seconds old (default 3600). --now sets the clock used
for that check: a unix time, or "signed" to use each request's own signedAt (to check stored
fixtures long after they were made).

--self-test verifies every vector in fixtures/signatures/vectors.json (with --now signed),
then tampers with each (one body byte flipped, method changed, URL changed, clock moved past
the age limit) and checks that every library that accepted the original now rejects it.

Prints "ok <format> <method> <url>" or "FAIL <format> <method> <url> -- reason" per request
and exits non-zero if any request (or self-test case) fails.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import contextlib
import copy
import datetime
import functools
import hashlib
import json
import logging
import re
import sys
import types
import warnings
from importlib import metadata
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, rsa

HERE = Path(__file__).resolve().parent
VECTORS = HERE / "fixtures" / "signatures" / "vectors.json"

OK, FAIL, UNSUPPORTED = "ok", "fail", "unsupported"
FUTURE_SKEW = datetime.timedelta(seconds=300)


def _version(dist: str) -> str:
    try:
        return f"{dist} {metadata.version(dist)}"
    except metadata.PackageNotFoundError:
        return dist


try:
    import bovine.utils  # noqa: F401
    from bovine.crypto.signature_checker import SignatureChecker
    from bovine.crypto.types import CryptographicIdentifier

    HAVE_BOVINE = True
except ImportError:  # bovine is optional
    HAVE_BOVINE = False


# --------------------------------------------------------------------------- clock


@contextlib.contextmanager
def frozen_clock(now: float | None):
    """Make the libraries' "now" a fixed unix time (None: leave the real clock alone)."""
    if now is None:
        yield
        return
    fixed_ts = float(now)

    class FrozenDateTime(datetime.datetime):
        @classmethod
        def now(cls, tz=None):
            return cls.fromtimestamp(fixed_ts, tz=tz)

    shim = types.SimpleNamespace(
        datetime=FrozenDateTime, timezone=datetime.timezone, timedelta=datetime.timedelta
    )
    import apsig.draft.verify
    import http_message_signatures.signatures

    patches = [(apsig.draft.verify, "datetime", shim), (http_message_signatures.signatures, "datetime", shim)]
    if HAVE_BOVINE:
        patches.append((bovine.utils, "datetime", FrozenDateTime))
    saved = [(mod, name, getattr(mod, name)) for mod, name, _ in patches]
    try:
        for mod, name, value in patches:
            setattr(mod, name, value)
        yield
    finally:
        for mod, name, value in saved:
            setattr(mod, name, value)


# --------------------------------------------------------------------------- request model


class Request:
    def __init__(self, obj: dict):
        if not isinstance(obj, dict):
            raise ValueError("a request must be a JSON object")
        for key in ("method", "url", "headers", "publicKeyPem"):
            if key not in obj:
                raise ValueError(f'missing "{key}"')
        self.name = obj.get("name")
        self.method = str(obj["method"])
        self.url = str(obj["url"])
        raw = obj["headers"]
        pairs = list(raw.items()) if isinstance(raw, dict) else [tuple(p) for p in raw]
        self.headers: dict[str, str] = {}
        for name, value in pairs:
            existing = next((k for k in self.headers if k.lower() == name.lower()), None)
            if existing is None:
                self.headers[name] = str(value)
            else:
                self.headers[existing] += ", " + str(value)
        self.body = (obj.get("body") or "").encode("utf-8")
        self.key_id = obj.get("keyId")
        self.public_pem = obj["publicKeyPem"]
        self.public_key = serialization.load_pem_public_key(self.public_pem.encode("ascii"))
        inferred_type = "ed25519" if isinstance(self.public_key, ed25519.Ed25519PublicKey) else (
            "rsa" if isinstance(self.public_key, rsa.RSAPublicKey) else "other")
        self.key_type = obj.get("keyType") or inferred_type
        if self.key_type != inferred_type:
            raise ValueError(f'keyType "{self.key_type}" does not match the {inferred_type} publicKeyPem')
        self.format = obj.get("format") or ("rfc9421" if self.header("signature-input") else "cavage")
        if self.format not in ("cavage", "rfc9421"):
            raise ValueError(f'unknown format "{self.format}"')
        self.signed_at = obj.get("signedAt")

    def header(self, name: str):
        for key, value in self.headers.items():
            if key.lower() == name:
                return value
        return None

    def lowered(self) -> dict[str, str]:
        return {k.lower(): v for k, v in self.headers.items()}

    def title(self) -> str:
        return f"{self.format} {self.method} {self.url}"


# --------------------------------------------------------------------------- draft-cavage


def _cavage_params(req: Request) -> dict[str, str]:
    header = req.header("signature")
    if header is None:
        auth = req.header("authorization") or ""
        if auth[:10].lower() == "signature ":
            header = auth[10:]
    if header is None:
        raise ValueError("no Signature (or Authorization: Signature) header")
    return dict(re.findall(r'([A-Za-z]+)="([^"]*)"', header))


def _cavage_headers_for_libraries(req: Request) -> dict[str, str]:
    headers = dict(req.headers)
    if req.header("signature") is None:  # only Authorization: Signature ...; both libraries read Signature
        headers["Signature"] = req.header("authorization")[10:]
    return headers


def _digest_matches(value: str, body: bytes) -> bool:
    """RFC 3230 Digest: algorithm tokens are case-insensitive; SHA-256 and SHA-512 known."""
    found = False
    for part in value.split(","):
        algorithm, _, encoded = part.strip().partition("=")
        hasher = {"sha-256": hashlib.sha256, "sha-512": hashlib.sha512}.get(algorithm.lower())
        if hasher is None:
            continue
        if base64.b64encode(hasher(body).digest()).decode() != encoded.strip():
            return False
        found = True
    return found


def cavage_policy(req: Request, params: dict[str, str]) -> str | None:
    signed = params.get("headers", "date").lower().split()
    if "(request-target)" not in signed:
        return "signature does not cover (request-target)"
    if req.body and "digest" not in signed:
        return "request has a body but the signature does not cover Digest"
    if req.body and req.header("digest") is None:
        return "request has a body but no Digest header"
    return None


def verify_apsig(req: Request, params: dict[str, str], max_age: int) -> tuple[str, str]:
    from apsig.draft import Verifier

    if not isinstance(req.public_key, rsa.RSAPublicKey):
        return UNSUPPORTED, f"{req.key_type} key: apsig verifies RSA keys only"
    if params.get("algorithm") != "rsa-sha256":
        return UNSUPPORTED, f'algorithm="{params.get("algorithm")}": apsig accepts rsa-sha256 only'
    body = req.body
    note = ""
    digest = req.header("digest")
    if body and digest is not None and not digest.startswith("SHA-256="):
        # apsig compares Digest to "SHA-256=<b64>" as a string; the token is case-insensitive.
        if not _digest_matches(digest, body):
            return FAIL, "Digest does not match the body"
        body, note = b"", "; Digest checked by this script, as apsig accepts only the exact prefix 'SHA-256='"
    try:
        key_id = Verifier(req.public_pem, req.method, req.url, _cavage_headers_for_libraries(req), body,
                          clock_skew=max_age).verify(raise_on_fail=True)
    except Exception as e:  # apsig raises its own errors, KeyError, ValueError, ...
        return FAIL, f"{type(e).__name__}: {e}"
    if req.key_id is not None and key_id != req.key_id:
        return FAIL, f'keyId "{key_id}" is not the expected "{req.key_id}"'
    return OK, "verified" + note


class _LogCapture(logging.Handler):
    def __init__(self):
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record):
        self.messages.append(record.getMessage())


def verify_bovine(req: Request, max_age: int) -> tuple[str, str]:
    expected = req.key_id
    unexpected_key_ids = []

    async def key_retriever(key_id):
        if expected is not None and key_id != expected:
            unexpected_key_ids.append(key_id)
            return None
        return CryptographicIdentifier.from_pem(req.public_pem, "controller")

    async def body():
        return req.body

    checker = SignatureChecker(key_retriever)
    capture = _LogCapture()
    logger = logging.getLogger("bovine")
    old = (logger.propagate, logger.level)
    logger.addHandler(capture)
    logger.propagate, logger.level = False, logging.WARNING
    original_offset = bovine.utils.check_max_offset_now
    bovine.utils.check_max_offset_now = functools.partial(original_offset, minutes=max_age / 60)
    try:
        headers = {k.lower(): v for k, v in _cavage_headers_for_libraries(req).items()}
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            owner = asyncio.run(checker.validate_signature(req.method, req.url, headers, body))
    except Exception as e:
        return FAIL, f"{type(e).__name__}: {e}"
    finally:
        bovine.utils.check_max_offset_now = original_offset
        logger.removeHandler(capture)
        logger.propagate, logger.level = old
    if owner is None:
        if capture.messages:
            return FAIL, "; ".join(capture.messages[:2])
        if unexpected_key_ids:
            return FAIL, f'keyId "{unexpected_key_ids[0]}" is not the expected "{expected}"'
        return FAIL, "signature does not verify"
    return OK, "verified"


def verify_cavage(req: Request, max_age: int) -> dict[str, tuple[str, str]]:
    results: dict[str, tuple[str, str]] = {}
    try:
        params = _cavage_params(req)
    except ValueError as e:
        return {"request": (FAIL, str(e))}
    problem = cavage_policy(req, params)
    if problem:
        results["policy"] = (FAIL, problem)
    results[_version("apsig")] = verify_apsig(req, params, max_age)
    if HAVE_BOVINE:
        results[_version("bovine")] = verify_bovine(req, max_age)
    return results


# --------------------------------------------------------------------------- RFC 9421


def verify_rfc9421(req: Request, max_age: int) -> dict[str, tuple[str, str]]:
    import http_sf
    from http_message_signatures import HTTPMessageVerifier, MappingKeyResolver, algorithms

    by_id = {cls.algorithm_id: cls for cls in (
        algorithms.RSA_V1_5_SHA256, algorithms.RSA_PSS_SHA512, algorithms.ED25519,
        algorithms.ECDSA_P256_SHA256, algorithms.ECDSA_P384_SHA384)}
    lib = _version("http-message-signatures")
    sig_input = req.header("signature-input")
    if sig_input is None or req.header("signature") is None:
        return {lib: (FAIL, "Signature-Input and Signature headers are required")}
    try:
        labels = http_sf.parse(sig_input.encode(), tltype="dictionary")
    except Exception as e:
        return {lib: (FAIL, f"malformed Signature-Input: {e}")}

    message = types.SimpleNamespace(method=req.method, url=req.url, headers=dict(req.headers))
    results: dict[str, tuple[str, str]] = {}
    for label, (_, params) in labels.items():
        alg = params.get("alg")
        if alg is not None:
            if alg not in by_id:
                results[f"{lib} [{label}]"] = (UNSUPPORTED, f'alg="{alg}"')
                continue
            candidates = [by_id[alg]]
        elif req.key_type == "ed25519":
            candidates = [algorithms.ED25519]
        else:
            candidates = [algorithms.RSA_V1_5_SHA256, algorithms.RSA_PSS_SHA512]
        first_error = None
        for cls in candidates:
            verifier = HTTPMessageVerifier(
                signature_algorithm=cls,
                key_resolver=MappingKeyResolver(public_keys={req.key_id: req.public_key}, private_keys={}),
            )
            verifier.max_clock_skew = FUTURE_SKEW
            verifier.allow_label_only_selection = True
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    (result,) = verifier.verify(
                        message,
                        max_age=datetime.timedelta(seconds=max_age),
                        expect_label=label if len(labels) > 1 else None,
                        require_components=("@method",),
                        body=req.body,
                    )
            except Exception as e:
                first_error = first_error or (f"{type(e).__name__}: {e}" if str(e) else "signature does not verify")
                continue
            covered = set(result.covered_components)
            if '"@target-uri"' not in covered and not (
                '"@authority"' in covered and covered & {'"@path"', '"@request-target"'}
            ):
                first_error = "signature covers neither @target-uri nor @authority with @path/@request-target"
                break
            note = "" if alg is not None else ", chosen by key type: no alg parameter"
            results[f"{lib} [{label}]"] = (OK, f"verified {cls.algorithm_id}{note}")
            first_error = None
            break
        if first_error is not None:
            results[f"{lib} [{label}]"] = (FAIL, first_error)
    if not results:
        results[lib] = (FAIL, "no signatures in Signature-Input")
    return results


# --------------------------------------------------------------------------- driver


def verify(req: Request, max_age: int, now: float | None) -> dict[str, tuple[str, str]]:
    with frozen_clock(now):
        if req.format == "cavage":
            return verify_cavage(req, max_age)
        return verify_rfc9421(req, max_age)


def passed(results: dict[str, tuple[str, str]]) -> bool:
    statuses = [status for status, _ in results.values()]
    return FAIL not in statuses and OK in statuses


def describe(results: dict[str, tuple[str, str]]) -> str:
    return "; ".join(f"{name}: {status}" + ("" if detail == "verified" else f" ({detail})")
                     for name, (status, detail) in results.items())


def resolve_now(spec: str | None, obj: dict) -> float | None:
    if spec is None:
        return None
    if spec == "signed":
        if "signedAt" not in obj:
            raise ValueError('--now signed needs "signedAt" in every request')
        return float(obj["signedAt"])
    return float(spec)


def load_requests(source: str | None) -> list[dict]:
    text = sys.stdin.read() if source in (None, "-") else Path(source).read_text(encoding="utf-8")
    data = json.loads(text)
    return data if isinstance(data, list) else [data]


def run_verify(objects: list[dict], max_age: int, now_spec: str | None) -> int:
    failures = 0
    for obj in objects:
        try:
            req = Request(obj)
            results = verify(req, max_age, resolve_now(now_spec, obj))
        except Exception as e:
            title = f"{obj.get('format', '?')} {obj.get('method', '?')} {obj.get('url', '?')}" \
                if isinstance(obj, dict) else "?"
            print(f"FAIL {title} -- invalid request: {e}")
            failures += 1
            continue
        label = f" [{req.name}]" if req.name else ""
        if passed(results):
            print(f"ok {req.title()} -- {describe(results)}{label}")
        else:
            print(f"FAIL {req.title()} -- {describe(results)}{label}")
            failures += 1
    return failures


def _flip_body_byte(body: str) -> str:
    """Change the case of one ASCII letter near the middle: one byte differs, still UTF-8."""
    raw = bytearray(body.encode("utf-8"))
    start = len(raw) // 2
    for offset in range(len(raw)):
        i = (start + offset) % len(raw)
        if chr(raw[i]).isascii() and chr(raw[i]).isalpha():
            raw[i] ^= 0x20
            return raw.decode("utf-8")
    raise ValueError("body has no ASCII letter to flip")


def tampered_variants(obj: dict, max_age: int):
    if obj.get("body"):
        t = copy.deepcopy(obj)
        t["body"] = _flip_body_byte(obj["body"])
        yield "body-byte-flipped", t, float(obj["signedAt"])
    t = copy.deepcopy(obj)
    t["method"] = {"GET": "POST", "POST": "PUT"}.get(obj["method"], "GET")
    yield f"method-{obj['method']}-to-{t['method']}", t, float(obj["signedAt"])
    t = copy.deepcopy(obj)
    t["url"] = obj["url"].rstrip("/") + "x"
    yield "url-path-changed", t, float(obj["signedAt"])
    yield "older-than-max-age", copy.deepcopy(obj), float(obj["signedAt"]) + max_age + FUTURE_SKEW.total_seconds() + 60


def run_self_test(max_age: int) -> int:
    objects = load_requests(str(VECTORS))
    print(f"self-test: {len(objects)} vectors from {VECTORS.relative_to(HERE.parent)}"
          f" (bovine {'available' if HAVE_BOVINE else 'not installed'})")
    good = bad = 0
    for obj in objects:
        name = obj.get("name", "?")
        req = Request(obj)
        original = verify(req, max_age, float(obj["signedAt"]))
        if passed(original):
            good += 1
            print(f"ok {req.title()} -- {describe(original)} [{name}]")
        else:
            bad += 1
            print(f"FAIL {req.title()} -- {describe(original)} [{name}]")
            continue
        accepting = {lib for lib, (status, _) in original.items() if status == OK}
        for case, t_obj, now in tampered_variants(obj, max_age):
            t_req = Request(t_obj)
            results = verify(t_req, max_age, now)
            still_accepting = sorted(lib for lib in accepting if results.get(lib, (FAIL, ""))[0] != FAIL)
            if passed(results) or still_accepting:
                bad += 1
                who = ", ".join(still_accepting) or "overall"
                print(f"FAIL tampered {case} [{name}] -- still accepted by {who}")
            else:
                good += 1
                reasons = "; ".join(f"{lib}: {results[lib][1]}" for lib in sorted(accepting) if lib in results)
                print(f"ok tampered {case} [{name}] -- rejected ({reasons})")
    print(f"{good} passed, {bad} failed")
    return bad


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("file", nargs="?", help='JSON file with one request or an array ("-" or none: stdin)')
    parser.add_argument("--self-test", action="store_true",
                        help="verify fixtures/signatures/vectors.json, then check tampered copies fail")
    parser.add_argument("--max-age", type=int, default=3600, metavar="SECONDS",
                        help="oldest signature accepted, in seconds (default 3600)")
    parser.add_argument("--now", metavar="UNIX|signed",
                        help='clock for the age check: a unix time, or "signed" for each request\'s signedAt')
    args = parser.parse_args(argv)

    if args.self_test:
        if args.file:
            parser.error("--self-test takes no file")
        return 1 if run_self_test(args.max_age) else 0
    try:
        objects = load_requests(args.file)
    except (OSError, ValueError) as e:
        print(f"FAIL cannot read requests: {e}")
        return 2
    if not objects:
        print("FAIL no requests in the input")
        return 2
    return 1 if run_verify(objects, args.max_age, args.now) else 0


if __name__ == "__main__":
    sys.exit(main())
