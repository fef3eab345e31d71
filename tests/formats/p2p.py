# SPDX-License-Identifier: GPL-2.0-or-later
"""p2p: the pairs, their kernel verdicts and matrix cells, the verdict."""
import common
import re

MAPS = ("bus_addr", "thru_host_bridge", "not_supported")
VERDICT_MAP = {"bus": "bus_addr", "hb": "thru_host_bridge", "no": "not_supported"}
LABEL = re.compile(r"^(GPU|NIC|NVMe|STOR|USB|DEV|BR)[0-9]+$")
# NUMA nodes, links, every class (tests/cli/cli.sh reads it too)
EXTRA_INPUTS = ["tests/fixtures/p2p-view/*.json"]
CELL = re.compile(r"^(X|PIX|PXB|PHB|NODE|SYS|XHB)\*?/(bus|hb|no)\??$")


def runs(path):
    return [["p2p"], ["p2p", "-v"]]


def records(out, path):
    """The -m records of PATH, each value as its list of items."""
    return [{k: common.values(v) for k, v in r.items()} for r in common.records(out, path)]


def top(out, cmd):
    recs = records(out, cmd)
    return recs[0] if recs else {}


def one(rec, key):
    """A scalar of a record: None for null ("-") or absent."""
    v = rec.get(key)
    return None if not v or (len(v) == 1 and v[0] == "-") else v[0]


def summary(verbose, pairs, devices, verdict, unknown_ports, built, cpu, labels=None):
    """pairs: (map, cell, cell_back, unknown) per pair; cells None in -v;
    labels: the matrix's rows (text) or legend (data), in order."""
    f = {m: sum(p[0] == m for p in pairs) for m in MAPS}
    f.update(pairs=len(pairs), unknown_pairs=sum(bool(p[3]) for p in pairs), verdict=verdict,
             unknown_ports=unknown_ports, p2pdma_built=built, cpu_unknown=cpu == "unknown")
    if not verbose:
        f["devices"] = devices
        f["cells"] = sorted((p[1], p[2]) for p in pairs)
        f["labels"] = labels
        assert all(CELL.match(c) for p in pairs for c in p[1:3]), pairs
    return f


def facts(fmt, out, args):
    verbose = "-v" in args
    if fmt == "json":
        pairs = [(p["map"], p["cell"], p["cell_back"], p["unknown"]) for p in out["pairs"]]
        return summary(verbose, pairs, len(out["devices"]), out["verdict"], len(out["unknown_ports"]),
                       out["p2pdma_built"], out["cpu"], [d["label"] for d in out["legend"]])
    if fmt == "machine":
        t = top(out, "p2p")
        pairs = [(one(p, "map"), one(p, "cell"), one(p, "cell_back"), p["unknown"]) for p in records(out, "p2p.pairs")]
        return summary(verbose, pairs, len(t["devices"]), one(t, "verdict"), len(t["unknown_ports"]),
                       one(t, "p2pdma_built") == "true", one(t, "cpu"),
                       [one(d, "label") for d in records(out, "p2p.legend")])
    lines = out.splitlines()
    built = not any("no P2PDMA (CONFIG_PCI_P2PDMA is not set)" in l for l in lines)
    cpu = "unknown" if any(l.startswith("# CPU unknown") for l in lines) else "known"
    verdict = "unknown" if any(l.startswith("UNKNOWN: ") for l in lines) else "ok"
    nunk = sum(bool(re.match(r"^UNKNOWN [0-9a-f]+:", l)) for l in lines)
    if verbose:
        pairs = []
        for l in lines:
            m = re.match(r"^\S+ -> \S+: (\w+), distance", l)
            if m:
                pairs.append([m.group(1), None, None, False])
            elif l.startswith("    unknown: ") and pairs:
                pairs[-1][3] = True
        return summary(True, pairs, None, verdict, nunk, built, cpu)
    # the matrix's rows: a label at the start of the line (the legend's
    # device lines are indented)
    rows = [l.split() for l in lines if l[:1].strip() and LABEL.match(l.split()[0])]
    n = len(rows)
    pairs = []
    for i in range(n):
        for j in range(i + 1, n):
            c, back = rows[i][1 + j], rows[j][1 + i]
            pairs.append((VERDICT_MAP[c.split("/")[1].rstrip("?")], c, back, c.endswith("?")))
    return summary(False, pairs, n, verdict, nunk, built, cpu, [r[0] for r in rows])
