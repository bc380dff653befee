#!/usr/bin/env python3
"""Turns scripts/bench's figures (one JSON object per line) into the table it prints and the
JSON file it writes: every Kith figure with its ceiling, its ratio to the ceiling and its target.

  bench_report.py RESULTS.jsonl OUT.json CORES MEMORY_GB
"""

import datetime
import json
import platform
import subprocess
import sys


def main() -> int:
    results_path, out_path, cores, memory_gb = sys.argv[1:5]
    figures: dict = {}
    with open(results_path) as results:
        for line in results:
            if line.strip():
                figures.update(json.loads(line))

    rsa = figures["ceiling_rsa"]["signatures_per_second"]
    pg = float(figures["ceiling_pg_inserts_per_second"])
    static = figures["ceiling_static_route"]["requests_per_second"]
    rows = []  # (workload, figure, value, unit, ceiling name, ceiling, target text, met)

    def row(workload, name, value, unit, ceiling_name=None, ceiling=None, target=None, met=None):
        rows.append({"workload": workload, "figure": name, "value": value, "unit": unit, "ceiling": ceiling_name,
                     "ceiling_value": ceiling, "ratio": round(value / ceiling, 3) if ceiling else None,
                     "target": target, "met": met})

    row("ceiling", "RSA-2048 signatures", rsa, "/s", target=f"{figures['ceiling_rsa']['threads']} threads")
    row("ceiling", "PostgreSQL single-row inserts (pgbench)", pg, "/s")
    row("ceiling", "static route (wrk, host-meta)", static, "req/s")
    row("memory", "RSS idle", figures["memory_idle_mb"], "MB", target="<= 50", met=figures["memory_idle_mb"] <= 50)

    if "inbox" in figures:
        inbox, processed = figures["inbox"], figures["inbox_processed"]
        row("inbox", "acknowledged (202)", inbox["acks_per_second"], "/s", "pg inserts", pg)
        c = inbox["concurrency"]
        row("inbox", f"ack latency p50 at concurrency {c}", inbox["p50_ms"], "ms", target="<= 5", met=inbox["p50_ms"] <= 5)
        row("inbox", f"ack latency p99 at concurrency {c}", inbox["p99_ms"], "ms", target="<= 20", met=inbox["p99_ms"] <= 20)
        if "inbox_low_concurrency" in figures:
            light = figures["inbox_low_concurrency"]
            row("inbox", f"ack latency p50 at concurrency {light['concurrency']}", light["p50_ms"], "ms", target="<= 5",
                met=light["p50_ms"] <= 5)
            row("inbox", f"ack latency p99 at concurrency {light['concurrency']}", light["p99_ms"], "ms", target="<= 20",
                met=light["p99_ms"] <= 20)
            row("inbox", f"acknowledged at concurrency {light['concurrency']}", light["acks_per_second"], "/s")
        row("inbox", "processed (stored, queue empty)", processed["per_second"], "/s", "pg inserts", pg,
            ">= 2000", processed["per_second"] >= 2000)
        if "inbox_database_alone" in figures:
            alone = float(figures["inbox_database_alone"])
            row("inbox", "incoming posts, database alone (pgbench)", alone, "/s", target="its statements, verbatim")
            row("inbox", "processed of the database-alone rate", processed["per_second"], "/s", "database alone", alone)
        row("inbox", "peak RSS", processed["peak_rss_mb"], "MB", target="<= 200", met=processed["peak_rss_mb"] <= 200)
        lost = inbox["acks"] - processed["stored"]
        row("inbox", "acknowledged but not stored", lost, "", target="0", met=lost <= 0)

    if "fanout" in figures:
        fan = figures["fanout"]
        sinks = fan["sinks_report"]
        rate = sinks["creates_per_second_after_release"]
        row("fan-out", "signed deliveries (from a backlog)", rate, "/s", "RSA signatures", rsa,
            ">= 0.6 x ceiling", rate >= 0.6 * rsa)
        if "cpu_per_delivery" in fan:
            cpu = fan["cpu_per_delivery"]
            total = cpu["node_ms"] + cpu["sinks_ms"] + cpu["postgres_ms"]
            signing = 1000 / (rsa / figures["ceiling_rsa"]["threads"])
            row("fan-out", f"CPU per delivery: node (signing {signing:.2f})", cpu["node_ms"], "ms")
            row("fan-out", "CPU per delivery: sinks (verifying)", cpu["sinks_ms"], "ms")
            row("fan-out", "CPU per delivery: PostgreSQL", cpu["postgres_ms"], "ms")
            cores = int(cores)
            row("fan-out", f"deliveries/s {cores} cores allow at that cost", round(cores * 1000 / max(total, 0.001), 1), "/s",
                "RSA signatures", rsa)
        row("fan-out", "posting (client API, 8 at a time)", round(fan["posts"] / max(fan["posting"]["seconds"], 0.001), 1), "posts/s")
        row("fan-out", "queued when the sinks let go", fan["backlog_when_posting_ended"], "")
        exact = (sinks["creates_distinct_min"] == fan["posts"] and sinks["creates_distinct_max"] == fan["posts"]
                 and sinks["creates_duplicates"] == 0 and sinks["bad_signatures"] == 0 and fan["dead"] == 0)
        row("fan-out", "every sink got each post once", sinks["creates_distinct_total"], "deliveries",
            target=f"{fan['posts']} x {fan['sinks']}, 0 duplicates, 0 bad signatures", met=exact)
        row("fan-out", "peak RSS", fan["peak_rss_mb"], "MB", target="<= 200", met=fan["peak_rss_mb"] <= 200)

    sizes = sorted(int(key.split("_")[1]) for key in figures if key.startswith("timelines_"))
    for size in sizes:
        timeline = figures[f"timelines_{size}"]
        label = f"timelines {size:,}"
        home, account = timeline["home"], timeline["account_statuses"]
        row(label, "home req/s", home["requests_per_second"], "req/s", "static route", static,
            ">= 5000", home["requests_per_second"] >= 5000 and home["http_errors"] == 0)
        row(label, "home p99", home["p99_ms"], "ms (p99)", target="p99 <= 30", met=home["p99_ms"] <= 30)
        if "home_while_posting" in timeline:
            live = timeline["home_while_posting"]
            arriving = float(timeline.get("posts_arriving_per_second", 0))
            row(label, f"home req/s, {arriving:,.0f} posts/s arriving", live["requests_per_second"], "req/s", "static route", static)
            row(label, f"home p99, {arriving:,.0f} posts/s arriving", live["p99_ms"], "ms (p99)")
        if "home_uncached" in timeline:
            uncached = timeline["home_uncached"]
            row(label, "home req/s, caching off", uncached["requests_per_second"], "req/s", "static route", static,
                "every page rendered")
            row(label, "home p99, caching off", uncached["p99_ms"], "ms (p99)")
        if "home_database_alone" in timeline:
            alone = float(timeline["home_database_alone"])
            row(label, "home pages, database alone (pgbench)", alone, "pages/s", target="its statements, verbatim")
            if "home_uncached" in timeline:
                row(label, "caching off, of the database-alone rate", timeline["home_uncached"]["requests_per_second"], "req/s",
                    "database alone", alone)
        row(label, "account statuses req/s", account["requests_per_second"], "req/s", "static route", static)
        row(label, "account statuses p99", account["p99_ms"], "ms")
        row(label, "peak RSS", timeline["peak_rss_mb"], "MB", target="<= 200", met=timeline["peak_rss_mb"] <= 200)
    if len(sizes) >= 2:
        small, large = figures[f"timelines_{sizes[0]}"]["home"], figures[f"timelines_{sizes[-1]}"]["home"]
        slowdown = round(small["requests_per_second"] / max(large["requests_per_second"], 0.001), 2)
        row("timelines", f"home slowdown {sizes[-1]:,} vs {sizes[0]:,}", slowdown, "x", target="< 2", met=slowdown < 2)

    width = max(len(r["workload"]) for r in rows)
    print()
    print(f"{'workload':<{width}}  {'figure':<40} {'value':>12}  {'ceiling':>14}  {'ratio':>6}  {'target':<22} met")
    for r in rows:
        value = f"{r['value']:,.1f} {r['unit']}".strip() if isinstance(r["value"], float) else f"{r['value']:,} {r['unit']}".strip()
        ceiling = f"{r['ceiling_value']:,.0f}" if r["ceiling_value"] else ""
        ratio = f"{r['ratio']:.2f}" if r["ratio"] is not None else ""
        met = "" if r["met"] is None else ("yes" if r["met"] else "NO")
        print(f"{r['workload']:<{width}}  {r['figure']:<40} {value:>12}  {ceiling:>14}  {ratio:>6}  {(r['target'] or ''):<22} {met}")
    for size in sizes:
        home = figures[f"timelines_{size}"]["home"]
        print(f"  home at {size:,} statuses: p50 {home['p50_ms']} ms, p99 {home['p99_ms']} ms, HTTP errors {home['http_errors']}")

    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
    except OSError:
        commit = ""
    report = {
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "commit": commit,
        "machine": {"cores": int(cores), "memory_gb": int(memory_gb), "cpu": cpu_name(), "kernel": platform.release()},
        "rows": rows, "figures": figures,
    }
    with open(out_path, "w") as out:
        json.dump(report, out, indent=2)
    print(f"\nfigures written to {out_path}")
    return 0


def cpu_name() -> str:
    try:
        with open("/proc/cpuinfo") as info:
            for line in info:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor()


if __name__ == "__main__":
    sys.exit(main())
