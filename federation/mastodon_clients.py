#!/usr/bin/env python3
"""Drives two running Kith nodes with Mastodon.py, as a Mastodon app would.

  mastodon_clients.py --a URL --b URL --password PW

alice lives on node A, bob on node B, both with password PW. Prints one line per check and
"mastodon-py: N passed, M failed"; exits non-zero on any failure.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
import urllib.parse
import urllib.request

from mastodon import Mastodon, MastodonNotFoundError

SCOPES = ["read", "write", "follow"]
results = {"passed": 0, "failed": 0}


def check(name: str, condition: bool, detail: str = "") -> None:
    if condition:
        results["passed"] += 1
        print(f"ok {name}")
    else:
        results["failed"] += 1
        print(f"FAIL {name} {detail}")


def eventually(what: str, condition, timeout: float = 20.0):
    deadline = time.time() + timeout
    while time.time() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.2)
    return None


def app(base: str) -> tuple[str, str]:
    return Mastodon.create_app("Kith interop", api_base_url=base, scopes=SCOPES, redirect_uris="urn:ietf:wg:oauth:2.0:oob")


def password_login(base: str, username: str, password: str) -> Mastodon:
    client_id, client_secret = app(base)
    api = Mastodon(client_id=client_id, client_secret=client_secret, api_base_url=base)
    # Plain http is allowed for these loopback nodes only; Mastodon.py refuses it otherwise.
    api.log_in(username=username, password=password, scopes=SCOPES, allow_http=True)
    return api


def code_login(base: str, username: str, password: str) -> Mastodon:
    """The authorization-code flow, submitting Kith's sign-in page as a browser would."""
    client_id, client_secret = app(base)
    api = Mastodon(client_id=client_id, client_secret=client_secret, api_base_url=base)
    url = api.auth_request_url(scopes=SCOPES, redirect_uris="urn:ietf:wg:oauth:2.0:oob", allow_http=True)
    page = urllib.request.urlopen(url, timeout=10).read().decode()
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', page))
    fields.update({"username": username, "password": password, "decision": "allow"})
    fields = {k: v.replace("&amp;", "&").replace("&quot;", '"').replace("&#39;", "'") for k, v in fields.items()}
    answer = urllib.request.urlopen(
        urllib.request.Request(base + "/oauth/authorize", data=urllib.parse.urlencode(fields).encode(), method="POST"), timeout=10
    ).read().decode()
    code = re.search(r'<code id="code">([^<]+)</code>', answer).group(1)
    api.log_in(code=code, redirect_uri="urn:ietf:wg:oauth:2.0:oob", scopes=SCOPES, allow_http=True)
    return api


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--a", required=True)
    parser.add_argument("--b", required=True)
    parser.add_argument("--password", required=True)
    args = parser.parse_args()
    domain_a = urllib.parse.urlparse(args.a).netloc

    alice = password_login(args.a, "alice", args.password)
    check("password grant", alice.account_verify_credentials()["username"] == "alice")
    alice2 = code_login(args.a, "alice", args.password)
    check("authorization code grant", alice2.account_verify_credentials()["acct"] == "alice")
    bob = password_login(args.b, "bob", args.password)
    instance = bob.instance()
    check("instance", (instance.get("domain") or instance.get("uri")) == urllib.parse.urlparse(args.b).netloc)

    # bob finds alice on the other node and follows her.
    found = bob.search_v2(f"alice@{domain_a}", resolve=True)["accounts"]
    check("search with resolve finds a remote account", len(found) == 1 and found[0]["acct"] == f"alice@{domain_a}")
    alice_on_b = found[0]
    bob.account_follow(alice_on_b["id"])
    check("follow accepted", eventually("follow", lambda: bob.account_relationships([alice_on_b["id"]])[0]["following"]) is not None)

    post = alice.status_post("Hello from A to @bob@" + urllib.parse.urlparse(args.b).netloc + " #kith")
    check("post has a mention and a tag", len(post["mentions"]) == 1 and post["tags"][0]["name"] == "kith")
    reply_to_self = alice.status_post("and a reply", in_reply_to_id=post["id"])
    check("reply", reply_to_self["in_reply_to_id"] == post["id"])
    on_b = eventually("home timeline", lambda: next((s for s in bob.timeline_home() if s["uri"] == post["uri"]), None))
    check("the post is in the follower's home timeline", on_b is not None)
    if on_b is None:
        print(f"mastodon-py: {results['passed']} passed, {results['failed']} failed")
        return 1

    bob.status_favourite(on_b["id"])
    bob.status_reblog(on_b["id"])
    kinds = eventually(
        "notifications",
        lambda: (lambda types: types if {"favourite", "reblog", "follow"} <= types else None)(
            {n["type"] for n in alice.notifications()}))
    check("the author is notified of the favourite and the boost", kinds is not None, str(kinds))
    counted = eventually("counts", lambda: (lambda s: s if s["favourites_count"] == 1 and s["reblogs_count"] == 1 else None)(alice.status(post["id"])))
    check("favourite and boost counted on the author's node", counted is not None)
    mentions = [n for n in bob.notifications(types=["mention"])]
    check("the mentioned account is notified", any(n["status"]["uri"] == post["uri"] for n in mentions))

    bob.status_bookmark(on_b["id"])
    check("bookmark", [s["id"] for s in bob.bookmarks()] == [on_b["id"]])
    resolved = bob.search_v2(reply_to_self["uri"], resolve=True)["statuses"]
    check("search with resolve fetches a remote post by URL", len(resolved) == 1 and resolved[0]["uri"] == reply_to_self["uri"])

    # ActivityPub C2S: a Note POSTed to alice's outbox with her token reaches bob's node.
    note = {
        "@context": "https://www.w3.org/ns/activitystreams", "type": "Note", "content": "<p>Posted through the outbox</p>",
        "to": ["https://www.w3.org/ns/activitystreams#Public"], "cc": [args.a + "/users/alice/followers"],
    }
    request = urllib.request.Request(
        args.a + "/users/alice/outbox", data=json.dumps(note).encode(), method="POST",
        headers={"Authorization": "Bearer " + alice.access_token, "Content-Type": "application/activity+json"})
    with urllib.request.urlopen(request, timeout=10) as response:
        check("C2S outbox answers 201 with Location", response.status == 201 and bool(response.headers.get("Location")))
    delivered = eventually("C2S note", lambda: any("Posted through the outbox" in s["content"] for s in bob.timeline_home()))
    check("a Note posted to the outbox is delivered to the other node", delivered is not None)

    # Profile fields, pins and mutes, as Mastodon.py sends and reads them.
    me = alice.account_update_credentials(fields=[("Team", "Platform"), ("Wiki", "https://wiki.example/alice")], discoverable=True)
    check("profile fields", [f["name"] for f in me["fields"]] == ["Team", "Wiki"], str(me["fields"]))
    fields_on_b = eventually(
        "fields on b", lambda: [f["name"] for f in bob.account(alice_on_b["id"])["fields"]] == ["Team", "Wiki"] or None)
    check("profile fields reach the other node", fields_on_b is not None)
    alice.status_pin(post["id"])
    check("pin", [s["id"] for s in alice.account_statuses(me["id"], pinned=True)] == [post["id"]])
    pinned_on_b = eventually(
        "pin on b", lambda: [s["uri"] for s in bob.account_statuses(alice_on_b["id"], pinned=True)] == [post["uri"]] or None)
    check("the pin reaches the other node", pinned_on_b is not None)
    relationship = bob.account_mute(alice_on_b["id"])
    hidden = all(s["account"]["id"] != alice_on_b["id"] for s in bob.timeline_home())
    check("mute hides the account from the home timeline", relationship["muting"] and hidden)
    check("unmute", not bob.account_unmute(alice_on_b["id"])["muting"])

    alice.status_delete(post["id"])

    def gone():
        try:
            bob.status(on_b["id"])
            return None
        except MastodonNotFoundError:
            return True

    check("delete reaches the other node", eventually("delete", gone) is not None)
    print(f"mastodon-py: {results['passed']} passed, {results['failed']} failed")
    return 0 if results["failed"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
