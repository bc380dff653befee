#!/usr/bin/env python3
"""Appends one figure of scripts/bench to its results, as one line of valid JSON, whatever the
values it is given: a value that is empty or cannot be read becomes null (and is named on
stderr), so that scripts/bench_report.py always has a file it can read.

  bench_record.py RESULTS.jsonl NAME key=number key:=json ...   {"NAME": {"key": 1.5, ...}}
  bench_record.py RESULTS.jsonl NAME =number                     {"NAME": 1.5}
  bench_record.py RESULTS.jsonl NAME :=json                      {"NAME": {...}}

key=VALUE takes a number ("12", "3.5"; anything else is null); key:=VALUE takes a JSON
document (a wrk, pgbench or kith-bench line). NaN and infinities, which Lua and awk print as
nan and inf, are null too.
"""

import json
import math
import re
import sys

# Bare nan/inf where a JSON value belongs (after ':', '[' or ','), as Lua's and C's printf write them.
NON_FINITE = re.compile(r"(?<=[:\[,])(\s*)[-+]?(?:nan|inf(?:inity)?)\b", re.IGNORECASE)


def finite(value):
    """The value with every non-finite float replaced by None."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {key: finite(item) for key, item in value.items()}
    if isinstance(value, list):
        return [finite(item) for item in value]
    return value


def number(text: str):
    text = text.strip()
    if re.fullmatch(r"[-+]?\d+", text):
        return int(text)
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def document(text: str):
    text = text.strip()
    if not text:
        return None
    try:
        return finite(json.loads(NON_FINITE.sub(r"\1null", text), parse_constant=lambda _: None))
    except ValueError:
        return None


def main(argv) -> int:
    if len(argv) < 3:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    path, name, pairs = argv[0], argv[1], argv[2:]
    fields: dict = {}
    whole = None
    has_whole = False
    for pair in pairs:
        key, equals, text = pair.partition("=")
        if not equals:
            print(f"bench_record: {name}: '{pair}' is not key=value or key:=json; recorded as null", file=sys.stderr)
            fields[pair] = None
            continue
        as_json = key.endswith(":")
        if as_json:
            key = key[:-1]
        value = document(text) if as_json else number(text)
        if value is None and text.strip() != "null":
            shown = text.strip()
            shown = shown if len(shown) <= 60 else shown[:57] + "..."
            print(f"bench_record: {name}{'.' + key if key else ''}: '{shown}' is not a "
                  f"{'JSON document' if as_json else 'number'}; recorded as null", file=sys.stderr)
        if key:
            fields[key] = value
        else:
            whole, has_whole = value, True
    if has_whole and fields:
        print(f"bench_record: {name}: a whole value and keys at once; keeping the keys", file=sys.stderr)
    line = json.dumps({name: fields if fields or not has_whole else whole}, allow_nan=False)
    with open(path, "a") as results:
        results.write(line + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
