#!/usr/bin/env python3
"""Floods a Kith inbox with signed Create(Note) activities from the peer's actor (peer.py's bob),
for durability checks and benchmarks.

  flood.py --port P --inbox URL --count N [--concurrency C] [--acked FILE] [--kill-pid PID --kill-after K]

Each activity has its own id. The ids answered 202 go to FILE, one per line. With --kill-pid,
the process is sent SIGKILL as soon as K activities have been answered 202 (the rest of the
flood then meets a dead node, as clients of a crashed server do). Prints the counts as JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import threading
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from make_signature_vectors import load_or_create_keys  # noqa: E402

ACTIVITY_JSON = "application/activity+json"


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--inbox", required=True)
    parser.add_argument("--count", type=int, required=True)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--acked", type=Path)
    parser.add_argument("--kill-pid", type=int)
    parser.add_argument("--kill-after", type=int, default=0)
    parser.add_argument("--run", default=str(int(time.time() * 1000)))
    args = parser.parse_args()

    from apsig.draft import Signer
    key, _ = load_or_create_keys("rsa")
    bob = f"http://127.0.0.1:{args.port}/users/bob"
    lock = threading.Lock()
    acked: list[str] = []
    counts = {"accepted": 0, "refused": 0, "failed": 0}
    killed = threading.Event()

    def send(number: int) -> None:
        note_id = f"{bob}/statuses/{args.run}-{number}"
        body = json.dumps({
            "@context": "https://www.w3.org/ns/activitystreams", "id": note_id + "/activity", "type": "Create", "actor": bob,
            "to": ["https://www.w3.org/ns/activitystreams#Public"],
            "object": {"id": note_id, "type": "Note", "attributedTo": bob, "to": ["https://www.w3.org/ns/activitystreams#Public"],
                       "content": f"<p>flood {number}</p>"},
        }, separators=(",", ":")).encode()
        headers = Signer(headers={"Content-Type": ACTIVITY_JSON}, private_key=key, method="POST", url=args.inbox,
                         key_id=bob + "#main-key", body=body, signed_headers=["(request-target)", "host", "date", "digest"]).sign()
        request = urllib.request.Request(args.inbox, data=body, method="POST")
        for name, value in dict(headers).items():
            if name.lower() not in ("host", "content-length"):
                request.add_header(name, value)
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                status = response.status
        except urllib.error.HTTPError as error:
            status = error.code
        except OSError:
            with lock:
                counts["failed"] += 1
            return
        with lock:
            if status == 202:
                counts["accepted"] += 1
                acked.append(note_id)
                if args.kill_pid and not killed.is_set() and counts["accepted"] >= args.kill_after:
                    killed.set()
                    os.kill(args.kill_pid, signal.SIGKILL)
            else:
                counts["refused"] += 1

    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=args.concurrency) as pool:
        list(pool.map(send, range(args.count)))
    counts["seconds"] = round(time.monotonic() - started, 3)
    if args.acked:
        args.acked.write_text("".join(line + "\n" for line in acked))
    print(json.dumps(counts))
    return 0


if __name__ == "__main__":
    sys.exit(main())
