#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Instructions per I/O of our side and Debian's, from an insn-mode run.

usage: report.py LOG DIR [--detail N] [--out FILE]

LOG is the benchmark's guest output (its "INSN LABEL... NAME IOS N"
lines), DIR the insnprof share: dump d.(2N+1) is job N, ksyms.N the module
symbols while it ran, ksyms.kernel the core kernel's.  Prints per job the
guest instructions and translation blocks executed per I/O (everything the
guest ran: fio, kernel, both sides of a fabrics connection) for each side
and the ratio ours/Debian, where lower is less work.  --detail N adds, per
job, the N symbols whose per-I/O instruction count differs most.
"""
import argparse
import bisect
import collections
import os


def load_syms(*files):
    syms = []
    for f in files:
        with open(f) as fh:
            for line in fh:
                p = line.split()
                if len(p) >= 3:
                    name = p[2] + (" " + p[3] if len(p) > 3 else "")
                    syms.append((int(p[0], 16), name))
    syms.sort()
    return [a for a, _ in syms], [n for _, n in syms]


def profile(dump, syms):
    """per symbol: [instructions, translation blocks, memory accesses,
    entries from another page, TLB misses] (the last three 0 without the
    plugin's tlb= mode)"""
    addrs, names = syms
    per = collections.defaultdict(lambda: [0] * 16)
    with open(dump) as fh:
        for line in fh:
            va, *vals = (int(x, 16 if i == 0 else 10)
                         for i, x in enumerate(line.split()))
            if va < 0xffff800000000000:
                sym = "[user]"
            else:
                i = bisect.bisect_right(addrs, va) - 1
                sym = names[i] if i >= 0 else "[unknown]"
            for i, v in enumerate(vals):
                per[sym][i] += v
    return per


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("log")
    ap.add_argument("dir")
    ap.add_argument("--detail", type=int, default=0)
    ap.add_argument("--out")
    a = ap.parse_args()

    jobs = collections.OrderedDict()    # (kind, name) -> {side: (ios, n)}
    with open(a.log) as fh:
        for line in fh:
            p = line.split()
            if len(p) < 5 or p[0] != "INSN":
                continue
            *label, name, ios, n = p[1:]
            kind, side = " ".join(label[:-1]), label[-1]
            jobs.setdefault((kind, name), {})[side] = (int(ios), int(n))

    kernel = os.path.join(a.dir, "ksyms.kernel")
    names = ["insns", "TBs", "mems", "xpage", "misses", "atomic", "sti",
             "cli", "popf", "pushf", "tsc", "fence", "priv", "lookups",
             "jcmiss", "trans"]
    lines, details, shown = [], [], None
    for (kind, name), sides in jobs.items():
        if "ours" not in sides or "debian" not in sides:
            continue
        prof, per_io = {}, {}
        for side in ("ours", "debian"):
            ios, n = sides[side]
            syms = load_syms(kernel, os.path.join(a.dir, f"ksyms.{n}"))
            prof[side] = profile(os.path.join(a.dir, f"d.{2 * n + 1}"), syms)
            tot = [sum(v[i] for v in prof[side].values())
                   for i in range(len(names))]
            per_io[side] = [t / max(ios, 1) for t in tot]
        if shown is None:
            shown = [i for i in range(len(names)) if per_io["ours"][i]]
            lines.append("| side | job | " + " | ".join(
                f"ours {names[i]}/IO | Debian | ratio" for i in shown) + " |")
            lines.append("|---|---|" + "---|---|---|" * len(shown))
        o, d = per_io["ours"], per_io["debian"]
        lines.append(f"| {kind or '-'} | {name} | " + " | ".join(
            f"{o[i]:.0f} | {d[i]:.0f} | {o[i] / d[i] if d[i] else 0:.3f}"
            for i in shown) + " |")
        for m in ([0] + [i for i in shown if i >= 2]) if a.detail else []:
            io_o, io_d = sides["ours"][0], sides["debian"][0]
            rows = []
            for s in set(prof["ours"]) | set(prof["debian"]):
                x = prof["ours"][s][m] / io_o
                y = prof["debian"][s][m] / io_d
                rows.append((x - y, x, y, s))
            rows.sort(key=lambda r: -abs(r[0]))
            details.append(f"\n{kind} {name}: {names[m]} per I/O by symbol")
            details.append(f"{'ours-deb':>9} {'ours':>8} {'debian':>8}  symbol")
            details += [f"{r[0]:9.1f} {r[1]:8.1f} {r[2]:8.1f}  {r[3]}"
                        for r in rows[:a.detail]]
    text = "\n".join(lines + details)
    print(text)
    if a.out:
        with open(a.out, "w") as fh:
            fh.write(text + "\n")


if __name__ == "__main__":
    main()
