#!/usr/bin/env python3
"""Sends pre-signed inbox requests for scripts/bench: each request in FILE (records of
'<length>\\n<raw HTTP/1.1 request>', written by `kith-bench inbox --requests-file`) once, over
C keep-alive connections to 127.0.0.1:PORT, and prints one JSON object: acknowledgements per
second and the latency of each acknowledgement (request written to status line read).

  bench_flood.py --file FILE --port PORT [--concurrency C]

Plain asyncio streams with no HTTP library: the generator must cost far less than the node it
measures (signing happened before, in the file).
"""

import argparse
import asyncio
import json
import time


def records(path: str) -> list[bytes]:
    data = open(path, "rb").read()
    out, position = [], 0
    while position < len(data):
        newline = data.index(b"\n", position)
        length = int(data[position:newline])
        out.append(data[newline + 1:newline + 1 + length])
        position = newline + 1 + length
    return out


async def connection(port: int, queue: list[bytes], latencies: list[float], statuses: dict) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        while queue:
            raw = queue.pop()
            started = time.perf_counter()
            writer.write(raw)
            status_line = await reader.readline()
            latency = time.perf_counter() - started
            length, close = 0, False
            while True:
                line = await reader.readline()
                if line in (b"\r\n", b"\n", b""):
                    break
                name, _, value = line.decode("latin-1").partition(":")
                if name.strip().lower() == "content-length":
                    length = int(value.strip())
                elif name.strip().lower() == "connection" and value.strip().lower() == "close":
                    close = True
            if length:
                await reader.readexactly(length)
            status = int(status_line.split()[1]) if len(status_line.split()) > 1 else 0
            statuses[status] = statuses.get(status, 0) + 1
            if status == 202:
                latencies.append(latency)
            if close:
                writer.close()
                reader, writer = await asyncio.open_connection("127.0.0.1", port)
    finally:
        writer.close()


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--file", required=True)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--concurrency", type=int, default=32)
    args = parser.parse_args()
    queue = records(args.file)
    queue.reverse()
    sent = len(queue)
    latencies: list[float] = []
    statuses: dict = {}
    started = time.perf_counter()
    await asyncio.gather(*(connection(args.port, queue, latencies, statuses) for _ in range(args.concurrency)))
    elapsed = time.perf_counter() - started
    latencies.sort()

    def percentile(p: float) -> float:
        if not latencies:
            return 0.0
        return round(latencies[min(len(latencies) - 1, max(0, int(len(latencies) * p + 0.999999) - 1))] * 1000, 3)

    print(json.dumps({
        "sent": sent, "acks": len(latencies), "statuses": {str(k): v for k, v in sorted(statuses.items())},
        "seconds": round(elapsed, 3), "acks_per_second": round(len(latencies) / elapsed, 1),
        "p50_ms": percentile(0.50), "p99_ms": percentile(0.99), "max_ms": percentile(1.0), "concurrency": args.concurrency,
    }, sort_keys=True))


if __name__ == "__main__":
    asyncio.run(main())
