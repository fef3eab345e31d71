# SPDX-License-Identifier: GPL-2.0-or-later
"""p2p: the pairs, their kernel verdicts and matrix cells, the verdict."""
import common
import re

MAPS = ("bus_addr", "thru_host_bridge", "not_supported")
CODE_MAP = {"PIX": "bus_addr", "PXB": "bus_addr", "PHB": "thru_host_bridge", "NS": "not_supported"}
ADDR = re.compile(r"^[0-9a-f]{4,8}:[0-9a-f]{2}:[0-9a-f]{2}\.[0-7]$")


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


def summary(verbose, pairs, devices, verdict, unknown_ports, built, cpu):
    """pairs: (map, cell, cell_back, unknown) per pair; cells None in -v."""
    f = {m: sum(p[0] == m for p in pairs) for m in MAPS}
    f.update(pairs=len(pairs), unknown_pairs=sum(bool(p[3]) for p in pairs), verdict=verdict,
             unknown_ports=unknown_ports, p2pdma_built=built, cpu_unknown=cpu == "unknown")
    if not verbose:
        f["devices"] = devices
        f["cells"] = sorted((p[1], p[2]) for p in pairs)
    return f


def facts(fmt, out, args):
    verbose = "-v" in args
    if fmt == "json":
        pairs = [(p["map"], p["cell"], p["cell_back"], p["unknown"]) for p in out["pairs"]]
        return summary(verbose, pairs, len(out["devices"]), out["verdict"], len(out["unknown_ports"]),
                       out["p2pdma_built"], out["cpu"])
    if fmt == "machine":
        t = top(out, "p2p")
        pairs = [(one(p, "map"), one(p, "cell"), one(p, "cell_back"), p["unknown"]) for p in records(out, "p2p.pairs")]
        return summary(verbose, pairs, len(t["devices"]), one(t, "verdict"), len(t["unknown_ports"]),
                       one(t, "p2pdma_built") == "true", one(t, "cpu"))
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
    rows = [l.split() for l in lines if l.split() and ADDR.match(l.split()[0])]
    n = len(rows)
    pairs = []
    for i in range(n):
        for j in range(i + 1, n):
            c, back = rows[i][1 + j], rows[j][1 + i]
            pairs.append((CODE_MAP[c.rstrip("*?")], c, back, c.endswith("?")))
    return summary(False, pairs, n, verdict, nunk, built, cpu)
