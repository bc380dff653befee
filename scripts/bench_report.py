#!/usr/bin/env python3
"""Turns scripts/bench's figures (one JSON object per line) into the table it prints and the
JSON file it writes: every Kith figure with its ceiling, its ratio to the ceiling and its target.

  bench_report.py RESULTS.jsonl OUT.json CORES MEMORY_GB

A figure that is missing or null (a workload that did not run, or a value the bench could not
measure) is shown as n/a, with no ratio and no verdict; a line that is not JSON is left out with
a warning. scripts/bench-sample.jsonl holds every figure in the bench's format, with illustrative
values and a few nulls: scripts/test checks that this report still reads it.
"""

import datetime
import json
import math
import platform
import re
import subprocess
import sys

# The timelines measured as served: the key of their figures and the name of their rows.
TIMELINES = [
    ("home", "home"),
    ("public", "public"),
    ("public_local", "public, local"),
    ("public_remote", "public, remote"),
    ("tag", "hashtag"),
    ("account_statuses", "account statuses"),
    ("account_pinned", "account statuses, pinned"),
    ("account_only_media", "account statuses, only media"),
    ("account_exclude_replies", "account statuses, no replies"),
    ("context", "thread context"),
]
# Measured again while posts arrive: (figures key, rate key, row name).
WHILE_POSTING = [
    ("home_while_posting", "posts_arriving_per_second", "home"),
    ("public_local_while_posting", "public_local_posts_arriving_per_second", "public, local"),
    ("account_statuses_while_posting", "account_statuses_posts_arriving_per_second", "account statuses"),
]
# The timelines' targets, at this many wrk connections.
TARGET_RPS, TARGET_P99, TARGET_CONNECTIONS = 5000, 30, 64


def num(value):
    """The value as a finite number, else None (null, missing, text, NaN, a bool)."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (int, float)):
        return value if math.isfinite(value) else None
    if isinstance(value, str):
        try:
            number = float(value)
        except ValueError:
            return None
        return number if math.isfinite(number) else None
    return None


def get(obj, *keys):
    """obj[k1][k2]…, or None when a level is missing or not an object."""
    for key in keys:
        if not isinstance(obj, dict):
            return None
        obj = obj.get(key)
    return obj


def read_figures(path: str) -> dict:
    figures: dict = {}
    with open(path) as results:
        for number, line in enumerate(results, 1):
            if not line.strip():
                continue
            try:
                figure = json.loads(line)
            except ValueError:
                # Lines written before the bench built its JSON with bench_record.py could have an
                # empty value ("peak_rss_mb": }): read those as null.
                try:
                    figure = json.loads(re.sub(r":\s*(?=[,}\]])", ": null", line))
                except ValueError:
                    print(f"warning: {path}:{number} is not JSON; left out", file=sys.stderr)
                    continue
            if not isinstance(figure, dict):
                print(f"warning: {path}:{number} is not a JSON object; left out", file=sys.stderr)
                continue
            figures.update(figure)
    return figures


def main() -> int:
    if len(sys.argv) < 5:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    results_path, out_path, cores, memory_gb = sys.argv[1:5]
    figures = read_figures(results_path)

    rsa = num(get(figures, "ceiling_rsa", "signatures_per_second"))
    rsa_threads = num(get(figures, "ceiling_rsa", "threads"))
    pg = num(figures.get("ceiling_pg_inserts_per_second"))
    static = num(get(figures, "ceiling_static_route", "requests_per_second"))
    rows = []  # workload, figure, value, unit, ceiling name, ceiling, ratio, target text, met

    def row(workload, name, value, unit, ceiling_name=None, ceiling=None, target=None, met=None, digits=1):
        """met: a predicate of the value (or of nothing), True/False, or None for no verdict.
        With no value there is no ratio and no verdict."""
        value, ceiling = num(value), num(ceiling)
        verdict = None
        if value is not None and met is not None:
            try:
                verdict = met(value) if callable(met) else met
            except TypeError:  # a figure the verdict needs is null
                verdict = None
            verdict = None if verdict is None else bool(verdict)
        rows.append({"workload": workload, "figure": name, "value": value, "unit": unit, "ceiling": ceiling_name,
                     "ceiling_value": ceiling, "ratio": round(value / ceiling, 3) if value is not None and ceiling else None,
                     "target": target, "met": verdict, "digits": digits})

    row("ceiling", "RSA-2048 signatures", rsa, "/s",
        target=f"{rsa_threads:.0f} threads" if rsa_threads is not None else None)
    row("ceiling", "PostgreSQL single-row inserts (pgbench)", pg, "/s")
    row("ceiling", "static route (wrk, host-meta)", static, "req/s")
    row("memory", "RSS idle", figures.get("memory_idle_mb"), "MB", target="<= 50", met=lambda v: v <= 50)

    # The node and its PostgreSQL at rest: fresh, and after each workload.
    sizes = sorted(int(key.split("_")[1]) for key in figures if re.fullmatch(r"timelines_\d+", key))
    idle_sizes = sorted(int(key.rsplit("_", 1)[1]) for key in figures if re.fullmatch(r"idle_after_timelines_\d+", key))
    idles = [("idle_fresh", "fresh"), ("idle_after_inbox", "after inbox"), ("idle_after_fanout", "after API posts and fan-out")]
    idles += [(f"idle_after_timelines_{size}", f"after timelines {size:,}") for size in idle_sizes]
    for key, label in idles:
        if key not in figures:
            continue
        idle = figures[key]
        row("idle", f"node CPU, {label}", get(idle, "node_cpu_percent"), "% core", target="< 5 % of a core",
            met=lambda v: v < 5, digits=2)
        row("idle", f"PostgreSQL CPU, {label}", get(idle, "postgres_cpu_percent"), "% core", digits=2)
        row("idle", f"commits per 10 s, {label}", get(idle, "commits_per_10s"), "")
        if key != "idle_fresh":
            row("idle", f"RSS, {label}", get(idle, "rss_mb"), "MB")

    if "inbox" in figures or "inbox_processed" in figures:
        inbox, processed = figures.get("inbox"), figures.get("inbox_processed")
        per_second = num(get(processed, "per_second"))
        row("inbox", "acknowledged (202)", get(inbox, "acks_per_second"), "/s", "pg inserts", pg)
        c = get(inbox, "concurrency")
        c = "?" if c is None else c
        row("inbox", f"ack latency p50 at concurrency {c}", get(inbox, "p50_ms"), "ms", target="<= 5", met=lambda v: v <= 5)
        row("inbox", f"ack latency p99 at concurrency {c}", get(inbox, "p99_ms"), "ms", target="<= 20", met=lambda v: v <= 20)
        if "inbox_low_concurrency" in figures:
            light = figures["inbox_low_concurrency"]
            lc = get(light, "concurrency")
            lc = "?" if lc is None else lc
            row("inbox", f"ack latency p50 at concurrency {lc}", get(light, "p50_ms"), "ms", target="<= 5", met=lambda v: v <= 5)
            row("inbox", f"ack latency p99 at concurrency {lc}", get(light, "p99_ms"), "ms", target="<= 20", met=lambda v: v <= 20)
            row("inbox", f"acknowledged at concurrency {lc}", get(light, "acks_per_second"), "/s")
        row("inbox", "processed (stored, queue empty)", per_second, "/s", "pg inserts", pg, ">= 2000", lambda v: v >= 2000)
        if "inbox_database_alone" in figures:
            alone = num(figures["inbox_database_alone"])
            row("inbox", "incoming posts, database alone (pgbench)", alone, "/s", target="its statements, verbatim")
            row("inbox", "processed of the database-alone rate", per_second, "/s", "database alone", alone)
        row("inbox", "peak RSS", get(processed, "peak_rss_mb"), "MB", target="<= 200", met=lambda v: v <= 200)
        acks, stored = num(get(inbox, "acks")), num(get(processed, "stored"))
        lost = acks - stored if acks is not None and stored is not None else None
        row("inbox", "acknowledged but not stored", lost, "", target="0", met=lambda v: v <= 0)

    if "fanout" in figures:
        fan = figures["fanout"]
        sinks = get(fan, "sinks_report")
        rate = get(sinks, "creates_per_second_after_release")
        row("fan-out", "signed deliveries (from a backlog)", rate, "/s", "RSA signatures", rsa,
            ">= 0.6 x ceiling", lambda v: v >= 0.6 * rsa)
        cpu = get(fan, "cpu_per_delivery")
        if isinstance(cpu, dict):
            node_ms, sinks_ms, pg_ms = num(cpu.get("node_ms")), num(cpu.get("sinks_ms")), num(cpu.get("postgres_ms"))
            parts = [node_ms, sinks_ms, pg_ms]
            total = sum(parts) if None not in parts else None
            signing = 1000 / (rsa / rsa_threads) if rsa and rsa_threads else None
            row("fan-out", f"CPU per delivery: node (signing {'n/a' if signing is None else f'{signing:.2f}'})", node_ms, "ms")
            row("fan-out", "CPU per delivery: sinks (verifying)", sinks_ms, "ms")
            row("fan-out", "CPU per delivery: PostgreSQL", pg_ms, "ms")
            row("fan-out", f"deliveries/s {int(cores)} cores allow at that cost",
                round(int(cores) * 1000 / max(total, 0.001), 1) if total is not None else None, "/s", "RSA signatures", rsa)
        posts, posting_seconds = num(get(fan, "posts")), num(get(fan, "posting", "seconds"))
        row("fan-out", "posting (client API, 8 at a time)",
            round(posts / max(posting_seconds, 0.001), 1) if posts is not None and posting_seconds is not None else None, "posts/s")
        row("fan-out", "queued when the sinks let go", get(fan, "backlog_when_posting_ended"), "")
        parts = [get(sinks, "creates_distinct_min"), get(sinks, "creates_distinct_max"), get(sinks, "creates_duplicates"),
                 get(sinks, "bad_signatures"), get(fan, "dead"), posts]
        exact = None if None in parts else (parts[0] == posts and parts[1] == posts and parts[2] == 0 and parts[3] == 0
                                            and parts[4] == 0)
        row("fan-out", "every sink got each post once", get(sinks, "creates_distinct_total"), "deliveries",
            target=f"{shown(get(fan, 'posts'))} x {shown(get(fan, 'sinks'))}, 0 duplicates, 0 bad signatures", met=exact)
        row("fan-out", "peak RSS", get(fan, "peak_rss_mb"), "MB", target="<= 200", met=lambda v: v <= 200)

    for size in sizes:
        timeline = figures[f"timelines_{size}"]
        label = f"timelines {size:,}"
        if not isinstance(timeline, dict):
            # Nothing measured at this size: every timeline's rows, as n/a.
            timeline = {key: None for key, _ in TIMELINES}
        connections = num(get(timeline, "connections"))
        # Older results did not record the connections: the bench's default then, as now.
        at_target_load = connections is None or connections == TARGET_CONNECTIONS
        rps_target, p99_target = f">= {TARGET_RPS} at {TARGET_CONNECTIONS} conns", f"p99 <= {TARGET_P99} at {TARGET_CONNECTIONS} conns"

        def rps_met(result):
            return lambda v: (v >= TARGET_RPS and get(result, "http_errors") == 0) if at_target_load else None

        def p99_met(v):
            return v <= TARGET_P99 if at_target_load else None

        def timeline_rows(name, result, suffix=""):
            row(label, f"{name} req/s{suffix}", get(result, "requests_per_second"), "req/s", "static route", static,
                rps_target, rps_met(result))
            row(label, f"{name} p99{suffix}", get(result, "p99_ms"), "ms (p99)", target=p99_target, met=p99_met)

        for key, name in TIMELINES:
            if key in timeline:
                timeline_rows(name, timeline[key])
        for key, rate_key, name in WHILE_POSTING:
            if key in timeline:
                arriving = num(timeline.get(rate_key))
                timeline_rows(name, timeline[key], f", {'n/a' if arriving is None else f'{arriving:,.0f}'} posts/s arriving")
        if "public_local_after_everything_changed" in timeline:
            # Every kept page dropped at once (a change to everything): no target, the cost of it.
            after = timeline["public_local_after_everything_changed"]
            row(label, "public, local req/s, right after every page was dropped", get(after, "requests_per_second"), "req/s",
                target="every page built again")
            row(label, "public, local p99 / max, right after", get(after, "p99_ms"), "ms (p99)",
                target=f"max {shown(get(after, 'max_ms'))} ms")
        for key, name in TIMELINES:
            if f"{key}_uncached" in timeline:
                uncached = timeline[f"{key}_uncached"]
                row(label, f"{name} req/s, caching off", get(uncached, "requests_per_second"), "req/s", "static route", static,
                    "every page rendered")
                row(label, f"{name} p99, caching off", get(uncached, "p99_ms"), "ms (p99)")
        if "home_database_alone" in timeline:
            alone = num(timeline["home_database_alone"])
            row(label, "home pages, database alone (pgbench)", alone, "pages/s", target="its statements, verbatim")
            if "home_uncached" in timeline:
                row(label, "caching off, of the database-alone rate", get(timeline, "home_uncached", "requests_per_second"), "req/s",
                    "database alone", alone)
        row(label, "peak RSS", get(timeline, "peak_rss_mb"), "MB", target="<= 200", met=lambda v: v <= 200)
    if len(sizes) >= 2:
        small = num(get(figures, f"timelines_{sizes[0]}", "home", "requests_per_second"))
        large = num(get(figures, f"timelines_{sizes[-1]}", "home", "requests_per_second"))
        slowdown = round(small / max(large, 0.001), 2) if small is not None and large is not None else None
        row("timelines", f"home slowdown {sizes[-1]:,} vs {sizes[0]:,}", slowdown, "x", target="< 2", met=lambda v: v < 2)

    print_table(rows)
    for size in sizes:
        home = get(figures, f"timelines_{size}", "home")
        if isinstance(home, dict):
            print(f"  home at {size:,} statuses: p50 {shown(home.get('p50_ms'))} ms, p99 {shown(home.get('p99_ms'))} ms, "
                  f"HTTP errors {shown(home.get('http_errors'))}")

    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
    except OSError:
        commit = ""
    report = {
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "commit": commit,
        "machine": {"cores": int(cores), "memory_gb": int(memory_gb), "cpu": cpu_name(), "kernel": platform.release()},
        "rows": [{key: value for key, value in r.items() if key != "digits"} for r in rows], "figures": figures,
    }
    with open(out_path, "w") as out:
        json.dump(report, out, indent=2)
    print(f"\nfigures written to {out_path}")
    return 0


def shown(value) -> str:
    return "n/a" if num(value) is None else str(value)


def print_table(rows) -> None:
    def value_text(r):
        if r["value"] is None:
            return "n/a"
        if isinstance(r["value"], float):
            return f"{r['value']:,.{r['digits']}f} {r['unit']}".strip()
        return f"{r['value']:,} {r['unit']}".strip()

    width = max(len(r["workload"]) for r in rows)
    figure_width = max([40] + [len(r["figure"]) for r in rows])
    print()
    print(f"{'workload':<{width}}  {'figure':<{figure_width}} {'value':>12}  {'ceiling':>14}  {'ratio':>6}  {'target':<22} met")
    for r in rows:
        ceiling = f"{r['ceiling_value']:,.0f}" if r["ceiling_value"] else ""
        ratio = f"{r['ratio']:.2f}" if r["ratio"] is not None else ""
        met = "" if r["met"] is None else ("yes" if r["met"] else "NO")
        print(f"{r['workload']:<{width}}  {r['figure']:<{figure_width}} {value_text(r):>12}  {ceiling:>14}  {ratio:>6}  "
              f"{(r['target'] or ''):<22} {met}")


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
