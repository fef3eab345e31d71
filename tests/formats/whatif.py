# SPDX-License-Identifier: GPL-2.0-or-later
"""whatif: the groups that split, merge, move, come and go; the P2P pairs
that change (all counted, some listed); the audit findings new and
resolved; the counts of what was compared; the verdict. Run with an
override (any input), redirect cleared on one port with ACS, and a whole
switch's downstream ports changed where each has ACS; before a kernel
upgrade: the newest modelled kernel against the oldest (--kernel-to), and
a command line against none (--cmdline-to)."""
import common
import json

PLATFORMS = False   # whatif judges by the kernel's groups, not PEs

OVERRIDE = "pcie_acs_override=downstream,multifunction"
GROUPS = ("split", "merged", "moved", "added", "removed")
P2P = ("peers", "pairs", "routed", "changed", "gained", "lost", "listed")
AUDIT = ("unsafe", "conservative", "unknown")


def ports(path):
    """A port with ACS read, and a switch whose downstream ports all have
    ACS: from show -j."""
    rc, out = acsctl(["-F", path, "show", "-j"])  # noqa: F821 (set by run.py)
    if rc != 0:
        return None, None
    funcs = json.loads(out)["functions"]
    port = next((f["address"] for f in funcs if f.get("acs") and f["acs_known"]
                 and f["type"] in ("Root Port", "Downstream Port")), None)
    switch = None
    for f in funcs:
        if f["type"] != "Upstream Port":
            continue
        below = [g for g in funcs if g["parent"] == f["address"]]
        if below and all(g.get("acs") for g in below):
            switch = f["address"]
            break
    return port, switch


def runs(path):
    r = [["whatif", "--cmdline", OVERRIDE],
         ["--kernel", "7.3-rc7", "whatif", "--kernel-to", "5.4"],
         ["whatif", "--cmdline-to", OVERRIDE]]
    port, switch = ports(path)
    if port:
        r.append(["whatif", port + ":RR-,CR-"])
    if switch:
        r.append(["whatif", "-v", "switch", switch + ":ReqRedir-,CmpltRedir-,EgressCtrl-"])
    return r


def json_facts(out):
    g, p, a = out["groups"], out["p2p"], out["audit"]
    f = {"groups_" + k: len(g[k]) for k in GROUPS}
    f.update({"groups_before": g["before"], "groups_after": g["after"], "groups_unchanged": g["unchanged"]})
    f.update({"p2p_" + k: p[k] for k in P2P})
    f["p2p_truncated"] = p["truncated"]
    if len(p["changes"]) != p["listed"]:
        raise ValueError("p2p: %d changes, listed says %d" % (len(p["changes"]), p["listed"]))
    for side in ("before", "after"):
        f.update({"audit_%s_%s" % (side, k): a[side][k] for k in AUDIT})
    f["audit_new"], f["audit_resolved"] = len(a["new"]), len(a["resolved"])
    # the old arrays of lines say the same
    old = {"split": len(g["split"]), "merged": len(g["merged"]), "added": len(g["added"]),
           "p2p_gained": sum(c["change"] == "gained" for c in p["changes"]),
           "p2p_lost": sum(c["change"] == "lost" for c in p["changes"]),
           "audit_new": len(a["new"]), "audit_resolved": len(a["resolved"])}
    for k, n in old.items():
        if len(out.get(k, [])) != n:
            raise ValueError("%s: %d lines, %d records" % (k, len(out.get(k, [])), n))
    f["verdict"] = out["verdict"]
    f["unknown_ports"] = len(out["unknown_ports"])
    f["passthrough_lost"] = len(out["passthrough"]["lost"])
    f["passthrough_gained"] = len(out["passthrough"]["gained"])
    f["passthrough_shared"] = sum(len(x["shared_with"]) for k in ("lost", "gained") for x in out["passthrough"][k])
    f["to"] = out["to"]["kernel"] if "to" in out else None
    return f


def machine_facts(out):
    g = common.records(out, "whatif.groups")[0]
    f = {"groups_" + k: common.count(out, "whatif.groups." + k) for k in GROUPS if k != "removed"}
    f["groups_removed"] = len([x for x in g["removed"].split(",") if x])
    f.update({"groups_before": int(g["before"]), "groups_after": int(g["after"]),
              "groups_unchanged": int(g["unchanged"])})
    p = common.records(out, "whatif.p2p")[0]
    f.update({"p2p_" + k: int(p[k]) for k in P2P})
    f["p2p_truncated"] = p["truncated"] == "true"
    if common.count(out, "whatif.p2p.changes") != f["p2p_listed"]:
        raise ValueError("p2p: changes records differ from listed")
    for side in ("before", "after"):
        r = common.records(out, "whatif.audit." + side)[0]
        f.update({"audit_%s_%s" % (side, k): int(r[k]) for k in AUDIT})
    f["audit_new"] = common.count(out, "whatif.audit.new")
    f["audit_resolved"] = common.count(out, "whatif.audit.resolved")
    t = common.records(out, "whatif")[0]
    f["verdict"] = t["verdict"]
    f["unknown_ports"] = len([x for x in t["unknown_ports"].split(",") if x])
    f["passthrough_lost"] = common.count(out, "whatif.passthrough.lost")
    f["passthrough_gained"] = common.count(out, "whatif.passthrough.gained")
    f["passthrough_shared"] = sum(len(r["shared_with"].split(",")) for k in ("lost", "gained")
                                  for r in common.records(out, "whatif.passthrough." + k))
    to = common.records(out, "whatif.to")
    f["to"] = to[0]["kernel"] if to else None
    return f


def numbers(line):
    return [int(w.strip(",;()")) for w in line.split() if w.strip(",;()").isdigit()]


def text_facts(out):
    lines = out.splitlines()

    def n(prefix):
        return sum(l.startswith(prefix) for l in lines)
    f = {"groups_" + k: n(k + ": ") for k in GROUPS}
    summary = {l.split(":")[0]: numbers(l) for l in lines if l.startswith(("groups: ", "p2p: ", "audit: "))
               and not l.startswith("p2p: the first")}
    b, a, u = summary["groups"]
    f.update({"groups_before": b, "groups_after": a, "groups_unchanged": u})
    pairs, peers, routed, changed, gained, lost = summary["p2p"]
    listed = n("p2p_gained: ") + n("p2p_lost: ")
    f.update({"p2p_peers": peers, "p2p_pairs": pairs, "p2p_routed": routed, "p2p_changed": changed,
              "p2p_gained": gained, "p2p_lost": lost, "p2p_listed": listed, "p2p_truncated": n("p2p: the first ") > 0})
    au = summary["audit"]
    for i, side in enumerate(("before", "after")):
        f.update({"audit_%s_%s" % (side, k): au[3 * i + j] for j, k in enumerate(AUDIT)})
    f["audit_new"], f["audit_resolved"] = n("audit_new: "), n("audit_resolved: ")
    f["verdict"] = "fail" if n("CHANGED: ") else "unknown" if n("UNKNOWN: ") or n("UNCERTAIN: ") else "ok"
    f["unknown_ports"] = n("UNKNOWN 0")
    f["passthrough_lost"], f["passthrough_gained"] = n("passthrough_lost: "), n("passthrough_gained: ")
    f["passthrough_shared"] = sum(len(l.split(" with ", 1)[1].split()) for l in lines
                                  if l.startswith(("passthrough_lost: ", "passthrough_gained: ")))
    to = [l for l in lines if l.startswith("# after: kernel policy: ")]
    f["to"] = to[0].split()[4] if to else None
    return f


def facts(fmt, out, args):
    if fmt == "json":
        return json_facts(out)
    if fmt == "machine":
        return machine_facts(out)
    return text_facts(out)
