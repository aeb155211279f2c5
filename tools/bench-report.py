#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Summarise the RESULT lines of an A/B benchmark run (ours vs Debian's).

Lines: "RESULT [TAG] SIDE JOB IOPS", SIDE "ours" or "debian", one line per
job per side per round.  The n-th line of a (TAG, SIDE, JOB) belongs to
round n, so each round gives one paired ratio ours/Debian measured minutes
apart.  Under TCG the host's load drifts by more than the drivers differ;
the median of the paired ratios is less sensitive to that drift than the
ratio of the two medians, so both are printed, with the paired range.

Usage: bench-report.py LOG NAME ROUNDS RUNTIME [OUT] [TAG ...]

A log of an insn-mode run (INSN lines, tools/vm/run --insnprof) goes to
tools/insnprof/report.py instead: work per I/O, not IOPS.
"""
import os
import statistics
import sys


def med(vals):
    """median, or 0 for no values"""
    return statistics.median(vals) if vals else 0


def main():
    log, name, rounds, runtime = sys.argv[1:5]
    out = sys.argv[5] if len(sys.argv) > 5 else ""
    order = sys.argv[6:]
    with open(log, errors="replace") as fh:
        insn = any(line.startswith("INSN ") for line in fh)
    if insn:
        here = os.path.dirname(os.path.abspath(__file__))
        os.execv(os.path.join(here, "insnprof", "report.py"),
                 ["report.py", log, os.path.join(here, "..", "build", "insnprof"),
                  "--detail", "25"] + (["--out", out] if out else []))
    res, cpu = {}, {}
    for line in open(log, errors="replace"):
        p = line.split()
        if not p or p[0] not in ("RESULT", "CPU") or len(p) not in (4, 5):
            continue
        tag, side, job, num = ([""] + p[1:]) if len(p) == 4 else p[1:]
        try:
            val = float(num)
        except ValueError:
            continue
        into = res if p[0] == "RESULT" else cpu
        into.setdefault(tag, {}).setdefault(job, {}).setdefault(side, []).append(val)
    if not res:
        sys.exit(f"{name}: no results (see build/vm/logs/{name}.log)")

    text = f"{rounds} rounds x {runtime}s per job, alternating order\n"
    for tag in order or sorted(res):
        if tag not in res:
            continue
        rows = []
        if tag:
            rows.append(f"\n{tag}: ours vs Debian's (the other side Debian's)\n")
        rows += ["| job | ours IOPS (median) | Debian IOPS (median) "
                 "| ratio of medians | paired ratio (median, min-max) "
                 "| CPU/IO ours, Debian (us) | CPU ratio Debian/ours |",
                 "|---|---:|---:|---:|---:|---:|---:|"]
        for job, d in res[tag].items():
            ours, deb = d.get("ours", []), d.get("debian", [])
            o, b = med(ours), med(deb)
            pairs = [x / y for x, y in zip(ours, deb) if y]
            paired = (f"{statistics.median(pairs):.2f} "
                      f"({min(pairs):.2f}-{max(pairs):.2f})") if pairs else "-"
            c = cpu.get(tag, {}).get(job, {})
            co, cb = med(c.get("ours", [])), med(c.get("debian", []))
            cpus = f"{co:.0f}, {cb:.0f}" if co and cb else "-"
            cratio = f"{cb / co:.2f}" if co and cb else "-"
            rows.append(f"| {job} | {o:.0f} | {b:.0f} | "
                        f"{o / b if b else 0:.2f} | {paired} | {cpus} | {cratio} |")
        text += "\n".join(rows) + "\n"
    print("\n" + text)
    if out:
        with open(out, "w") as f:
            f.write(text)


if __name__ == "__main__":
    main()
