#!/usr/bin/env python3
"""Turns the raw wrk output of bench/http.sh into a Markdown table: requests/s, p50, p99, ratio to /bench/open."""
import re
import statistics
import sys
from collections import defaultdict

UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def millis(text):
    m = re.match(r"([\d.]+)(us|ms|s)", text)
    return float(m.group(1)) * UNITS[m.group(2)]


def parse(path):
    runs, usage, header = [], [], []
    label = None
    block = []
    for line in open(path, encoding="utf-8"):
        if line.startswith("# "):
            header.append(line[2:].rstrip())
        elif line.startswith("### usage"):
            usage.append(dict(kv.split("=") for kv in line.split()[2:]))
        elif line.startswith("### "):
            if label:
                runs.append((label, block))
            label = dict(kv.split("=") for kv in line[4:].split())
            block = []
        else:
            block.append(line)
    if label:
        runs.append((label, block))
    results = []
    for label, lines in runs:
        text = "".join(lines)
        rps = re.search(r"Requests/sec:\s+([\d.]+)", text)
        p50 = re.search(r"^\s+50%\s+(\S+)", text, re.M)
        p99 = re.search(r"^\s+99%\s+(\S+)", text, re.M)
        non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", text)
        results.append({**label, "rps": float(rps.group(1)), "p50": millis(p50.group(1)), "p99": millis(p99.group(1)),
                        "errors": int(non2xx.group(1)) if non2xx else 0})
    return header, results, usage


def main(path):
    header, results, usage = parse(path)
    print("\n".join("- " + h for h in header))
    print()
    print("| backend | conns | endpoint | requests/s (mean of rounds, min-max) | p50 ms | p99 ms | ratio to open | non-2xx |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    groups = defaultdict(list)
    for r in results:
        groups[(r["backend"], r["conns"], r["endpoint"])].append(r)
    order = {"open": 0, "naive": 1, "key": 2, "limited": 3, "jwt": 4}
    for (backend, conns, endpoint) in sorted(groups, key=lambda k: (k[0] != "memory", k[0], int(k[1]), order[k[2]])):
        runs = groups[(backend, conns, endpoint)]
        ratios = []
        for r in runs:
            opens = [o for o in results if o["backend"] == backend and o["conns"] == conns and o["round"] == r["round"]
                     and o["endpoint"] == "open"]
            if opens:
                ratios.append(r["rps"] / opens[0]["rps"])
        rps = [r["rps"] for r in runs]
        path = {"jwt": "benchjwt/jwt", "limited": "bench/key (limited key)"}.get(endpoint, "bench/" + endpoint)
        print(f"| {backend} | {conns} | /{path} "
              f"| {statistics.mean(rps):,.0f} ({min(rps):,.0f}-{max(rps):,.0f}) "
              f"| {statistics.mean(r['p50'] for r in runs):.2f} | {statistics.mean(r['p99'] for r in runs):.2f} "
              f"| {statistics.mean(ratios):.2f} | {sum(r['errors'] for r in runs)} |")
    limited = [r for r in results if r["endpoint"] == "limited"]
    if limited:
        print()
        print("| backend | conns | limited key / key without a limit (per round, same run) | mean |")
        print("| --- | --- | --- | --- |")
        for (backend, conns) in sorted({(r["backend"], r["conns"]) for r in limited}):
            ratios = []
            for r in (x for x in limited if x["backend"] == backend and x["conns"] == conns):
                plain = [k for k in results if k["backend"] == backend and k["conns"] == conns and k["round"] == r["round"]
                         and k["endpoint"] == "key"]
                if plain:
                    ratios.append(r["rps"] / plain[0]["rps"])
            print(f"| {backend} | {conns} | {', '.join(f'{x:.2f}' for x in ratios)} | {statistics.mean(ratios):.2f} |")
    if usage:
        print()
        print("| backend | load on one key | window observed | flush interval | flushes in window | lastUsedAt writes | writes per flush |")
        print("| --- | --- | --- | --- | --- | --- | --- |")
        for u in usage:
            flushes = int(u["window"]) // int(u["flush"])
            print(f"| {u['backend']} | {u['seconds']} s | {u['window']} s | {u['flush']} s | {flushes} | {u['writes']} "
                  f"| {int(u['writes']) / flushes:.2f} |")


if __name__ == "__main__":
    main(sys.argv[1])
