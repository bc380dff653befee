#!/usr/bin/env python3
"""Seeds a federation/lab: follows across nodes, an open group with members from every node,
and a few posts, through the Mastodon API and Kith's group API (as any client would).

  lab_seed.py --nodes NODES_TSV --password PASSWORD

NODES_TSV has one line per node: name, tab, base URL. Every node has the accounts admin, alice
and bob with PASSWORD.
"""

from __future__ import annotations

import argparse
import sys
import time
import urllib.parse

import requests
from mastodon import Mastodon


def login(base: str, username: str, password: str) -> Mastodon:
    client_id, client_secret = Mastodon.create_app(
        "kith-lab", api_base_url=base, scopes=["read", "write", "follow"], redirect_uris="urn:ietf:wg:oauth:2.0:oob")
    api = Mastodon(client_id=client_id, client_secret=client_secret, api_base_url=base)
    # The lab's nodes are plain http on loopback; Mastodon.py refuses that unless told.
    api.log_in(username=username, password=password, scopes=["read", "write", "follow"], allow_http=True)
    return api


def eventually(what: str, condition, timeout: float = 30.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.2)
    raise SystemExit(f"lab seed: timed out waiting for {what}")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--nodes", required=True)
    parser.add_argument("--password", required=True)
    args = parser.parse_args()
    nodes = [line.split("\t") for line in open(args.nodes).read().splitlines() if line.strip()]
    users = {}
    for name, base in nodes:
        for username in ("alice", "bob"):
            users[(name, username)] = login(base, username, args.password)

    # Everyone follows alice and bob of every other node.
    for (name, username), api in users.items():
        for other, base in nodes:
            if other == name:
                continue
            for target in ("alice", "bob"):
                acct = f"{target}@{urllib.parse.urlparse(base).netloc}"
                found = api.search_v2(acct, resolve=True)["accounts"]
                if found:
                    api.account_follow(found[0]["id"])

    # An open group on the first node; alice of every other node joins it.
    first_name, first_base = nodes[0]
    owner = users[(first_name, "alice")]
    group = requests.post(
        first_base + "/api/v1/kith/groups", timeout=10, headers={"Authorization": "Bearer " + owner.access_token},
        json={"name": "everyone", "display_name": "Everyone", "note": "The whole group of companies", "privacy": "open"}).json()
    group_acct = f"everyone@{urllib.parse.urlparse(first_base).netloc}"
    for name, _ in nodes[1:]:
        api = users[(name, "alice")]
        found = api.search_v2(group_acct, resolve=True)["accounts"]
        if found:
            api.account_follow(found[0]["id"])

    # A few posts: a hello from each employee, and one to the group.
    for (name, username), api in users.items():
        api.status_post(f"Hello from {username} at {name}! #kith")
    users[(nodes[-1][0], "alice")].status_post(f"@{group_acct} Hello, everyone", visibility="public")
    eventually("the posts to arrive", lambda: len(owner.timeline_home()) >= 2 * len(nodes))
    print(f"seeded {len(nodes)} nodes: {len(users)} employees following each other across nodes, "
          f"the open group {group_acct} (id {group.get('id')}), {len(users) + 1} posts")
    return 0


if __name__ == "__main__":
    sys.exit(main())
