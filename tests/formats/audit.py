# SPDX-License-Identifier: GPL-2.0-or-later
"""audit: the places where groups reach each other (sites: where, which
groups, the fix: config_acs, the changes, the groups to assign together),
with -v the pairs of groups (issues) and their routes; findings of the
other kinds, the verdict and what it depends on."""
import json
import re

import common

SITE = re.compile(r"^FAIL (switch|device|stale)(?: ([0-9a-f:.]+))?: groups((?: \d+)+)")
TOGETHER = re.compile(r"no ACS setting separates groups((?: \d+)+): assign them together")
APPLY = re.compile(r"; fix: acsctl apply((?: [0-9a-f:.]+:[A-Z+,-]+)+)")
CONFIG_ACS = re.compile(r"; fix: (pci=config_acs=\S+)")


def runs(path):
    r = [["audit"], ["audit", "-v"]]
    if "/examples/" not in path:
        return r
    # the examples redirect everywhere: clear ReqRedir on every other
    # downstream port with ACS, so that some groups reach each other and
    # ACS fixes it (config_acs on the newest kernel, the changes on 6.1)
    status, out = acsctl(["-F", path, "show", "-j"])
    ports = [f["address"] for f in json.loads(out)["functions"]
             if f.get("type") == "Downstream Port" and f.get("acs")] if status == 0 else []
    if ports:
        cmdline = "pci=disable_acs_redir=" + ";".join(ports[::2])
        r += [["--cmdline", cmdline, "audit", "-v"], ["--kernel", "6.1", "--cmdline", cmdline, "audit"]]
    return r


def ints(s):
    return [int(x) for x in s.split() if x]


def site_fact(kind, at, groups, config_acs, changes, together):
    return {"at": "%s %s" % (kind, at or "-"), "groups": groups, "config_acs": config_acs,
            "changes": changes, "together": together}


def text_sites(lines):
    sites = []
    for line in lines:
        m = SITE.match(line)
        if not m:
            continue
        c = CONFIG_ACS.search(line)
        a = APPLY.search(line)
        config_acs = c.group(1).rstrip(";") if c else None
        changes = len(config_acs.split("=", 2)[2].split(";")) if config_acs else \
            len(a.group(1).split()) if a else 0
        together = [ints(t) for t in TOGETHER.findall(line)]
        sites.append(site_fact(m.group(1), m.group(2), ints(m.group(3)), config_acs, changes, together))
    return sites


def machine_sites(out):
    """audit.sites lines, each followed by its own missing, fix and
    together records: read in order."""
    sites = []
    for line in out.splitlines():
        head, _, rest = line.partition(" ")
        rec = common.records(line, head)
        rec = rec[0] if rec else {}
        if head == "audit.sites":
            sites.append({"at": "%s %s" % (rec["meets_kind"], rec["meets_at"]),
                          "groups": [int(g) for g in rec["groups"].split(",") if g]})
        elif head == "audit.sites.fix":
            ca = rec["config_acs"]
            sites[-1]["config_acs"] = None if ca == "-" else ca.strip('"')
            sites[-1]["together"] = []
        elif head == "audit.sites.fix.changes":
            sites[-1]["changes"] = sites[-1].get("changes", 0) + 1
        elif head == "audit.sites.fix.together":
            sites[-1]["together"].append([int(g) for g in rec["groups"].split(",")])
    return [site_fact(s["at"].split()[0], None if s["at"].split()[1] == "-" else s["at"].split()[1],
                      s["groups"], s["config_acs"], s.get("changes", 0), s["together"]) for s in sites]


def json_sites(out):
    return [site_fact(s["meets_kind"], s["meets_at"], s["groups"], s["fix"]["config_acs"],
                      len(s["fix"]["changes"]), [t["groups"] for t in s["fix"]["together"]])
            for s in out["sites"]]


def judged(fmt, out):
    """Which groups the audit held against the routes."""
    if fmt == "json":
        return out["groups_judged"]
    if fmt == "machine":
        return common.top(out, "audit")["groups_judged"]
    return "kernel" if "\n# groups judged: the kernel's own" in "\n" + out else "predicted"


def facts(fmt, out, args):
    f = format_facts(fmt, out, "-v" in args)
    f["groups_judged"] = judged(fmt, out)
    if "-v" not in args:
        # text shows UNKNOWN pairs with -v only (the UNKNOWN lines per port say it)
        f.pop("unknown", None)
    return f


def format_facts(fmt, out, verbose):
    if fmt == "json":
        f = {"sites": json_sites(out),
             "conservative": len(out["conservative"]), "unknown": len(out["unknown"]),
             "verdict": out["verdict"], "unknown_ports": len(out["unknown_ports"])}
        if verbose:
            f["issues"] = [u["groups"] for u in out["unsafe"]]
            f["members"] = sum(len(u["members"]) for u in out["unsafe"])
            f["routes"] = sum(len(u["routes"]) for u in out["unsafe"])
        # the sites' issues are the issues, each once
        assert sorted(i for s in out["sites"] for i in s["issues"]) == list(range(len(out["unsafe"])))
        return f
    if fmt == "machine":
        t = common.top(out, "audit")
        f = {"sites": machine_sites(out),
             "conservative": common.count(out, "audit.conservative"),
             "unknown": common.count(out, "audit.unknown"),
             "verdict": t["verdict"],
             "unknown_ports": len([p for p in t["unknown_ports"].split(",") if p])}
        if verbose:
            f["issues"] = [[int(g) for g in r["groups"].split(",")] for r in common.records(out, "audit.unsafe")]
            f["members"] = common.count(out, "audit.unsafe.members")
            f["routes"] = common.count(out, "audit.unsafe.routes")
        return f
    lines = out.splitlines()
    sites = text_sites(lines)
    f = {"sites": sites,
         "conservative": sum(l.startswith("INFO conservative:") for l in lines),
         "verdict": "fail" if sites else "unknown" if any(l.startswith("UNKNOWN: ") for l in lines) else "ok",
         "unknown_ports": sum(l.startswith("UNKNOWN 0") for l in lines)}
    if verbose:
        # each pair of groups: its line, a line per group, then its routes
        f["unknown"] = sum(l.startswith("UNKNOWN pair:") for l in lines)
        f["issues"] = []
        for l in lines:
            if l.startswith("  ") and not l.startswith("    "):
                f["issues"].append([])
            m = re.match(r"^    group (\d+):", l)
            if m:
                f["issues"][-1].append(int(m.group(1)))
        f["members"] = sum(len(g) for g in f["issues"])
        f["routes"] = sum(l.startswith("FAIL unsafe:") for l in lines)
    return f

