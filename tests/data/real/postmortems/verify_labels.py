#!/usr/bin/env python3
"""Sanity checks for labels/actions.tsv and labels/sentences.tsv against docs/."""

import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
DOCS = os.path.join(HERE, "docs")


def read_tsv(path):
    with open(path, encoding="utf-8", newline="") as f:
        rows = [l.rstrip("\n") for l in f if not l.startswith("#")]
    header = rows[0].split("\t")
    return header, [
        dict(zip(header, r.split("\t"))) | {"_n": len(r.split("\t"))} for r in rows[1:] if r
    ]


def doc_lines(doc, cache={}):
    if doc not in cache:
        with open(os.path.join(DOCS, doc), encoding="utf-8", newline="") as f:
            cache[doc] = f.read().replace("\r\n", "\n").split("\n")
    return cache[doc]


def main():
    problems = []
    specs = {
        "actions.tsv": (
            ["doc", "line", "text", "vague", "joined", "owner", "dated"],
            {
                "vague": {"0", "1"},
                "joined": {"0", "1"},
                "owner": {"person", "nonperson", "none"},
                "dated": {"0", "1"},
            },
        ),
        "sentences.tsv": (
            ["doc", "line", "text", "label", "kind", "note"],
            {
                "label": {"0", "1"},
                "kind": {"blame", "counterfactual", "human-error", "passive", "none"},
            },
        ),
    }
    counts = {}
    for name, (cols, enums) in specs.items():
        header, rows = read_tsv(os.path.join(HERE, "labels", name))
        if header != cols:
            problems.append(f"{name}: header {header} != {cols}")
        counts[name] = rows
        for i, r in enumerate(rows, 1):
            where = f"{name} row {i} ({r.get('doc')}:{r.get('line')})"
            if r["_n"] != len(cols):
                problems.append(f"{where}: {r['_n']} fields")
                continue
            for k, allowed in enums.items():
                if r[k] not in allowed:
                    problems.append(f"{where}: bad {k}={r[k]!r}")
            path = os.path.join(DOCS, r["doc"])
            if not os.path.isfile(path):
                problems.append(f"{where}: doc missing")
                continue
            L = doc_lines(r["doc"])
            n = int(r["line"])
            if not 1 <= n <= len(L):
                problems.append(f"{where}: line out of range (1..{len(L)})")
                continue
            head = r["text"][:20]
            window = L[n - 1 : n + 3]
            joined = " ".join(x.strip() for x in L[n - 1 : n + 14])
            if not (any(head in x for x in window) or head in " ".join(x.strip() for x in window)):
                problems.append(f"{where}: first 20 chars {head!r} not on line {n}..{n + 3}")
            elif r["text"] not in joined:
                problems.append(f"{where}: full text not found verbatim from line {n}")
            if name == "sentences.tsv" and (r["label"] == "0") != (r["kind"] == "none"):
                problems.append(f"{where}: label/kind inconsistent")
    # SOURCES.md lists every doc
    src = open(os.path.join(HERE, "SOURCES.md"), encoding="utf-8").read()
    listed = set(re.findall(r"^\| ([^|]+?\.md) \|", src, re.M))
    on_disk = {os.path.relpath(os.path.join(d, f), DOCS) for d, _, fs in os.walk(DOCS) for f in fs}
    for d in sorted(on_disk - listed):
        problems.append(f"SOURCES.md: {d} not listed")
    for d in sorted(listed - on_disk):
        problems.append(f"SOURCES.md: {d} listed but missing")
    A, S = counts["actions.tsv"], counts["sentences.tsv"]
    print(f"documents: {len(on_disk)}")
    print(
        f"actions: {len(A)} (vague {sum(r['vague'] == '1' for r in A)}, specific {sum(r['vague'] == '0' for r in A)})"
    )
    print(
        f"sentences: {len(S)} (positive {sum(r['label'] == '1' for r in S)}, negative {sum(r['label'] == '0' for r in S)})"
    )
    for p in problems:
        print("PROBLEM:", p)
    print("OK" if not problems else f"{len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
