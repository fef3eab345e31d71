# SPDX-License-Identifier: GPL-2.0-or-later
"""plan: the changes, the groups after (and those new), the P2P after, the
audit after, the pairs to assign together, the ways of making it stick,
the conflicts and the verdict. Requirements from the input's endpoints:
isolate the last; P2P between two below one switch where there are (else
the first two), with -v and on 6.1 (disable_acs_redir, the boot unit);
the same pair one way (--p2p-one-way) and with --allow-unsafe-groups.
Every plan without --allow-unsafe-groups leaves the audit after with no
unsafe pair that the fabric's own audit (acsctl audit -j) lacks.
"""
import json

import common

# PE platforms group by PE, which plan does not plan for
PLATFORMS = False
# two switch ports already open one way: the plan may not excuse the other
EXTRA_INPUTS = ["tests/fixtures/p2p-view/*.json"]
KINDS = ("unsafe", "conservative", "unknown")
WAYS = ("config_acs", "disable_acs_redir", "acs.conf")


def endpoints(path):
    rc, out = acsctl(["-F", path, "show", "-j"])  # noqa: F821 (set by run.py)
    if rc != 0:
        return [], {}
    funcs = json.loads(out)["functions"]
    parent = {f["address"]: f.get("parent") for f in funcs}
    eps = [f["address"] for f in funcs
           if f.get("type") == "Endpoint" and not f.get("class", "").startswith("06")]
    return eps, parent


def runs(path):
    eps, parent = endpoints(path)
    if not eps:
        return []
    pair = eps[:2]
    for i, a in enumerate(eps):
        for b in eps[i + 1:]:
            pa, pb = parent.get(a), parent.get(b)
            if pa and pb and pa != pb and parent.get(pa) and parent.get(pa) == parent.get(pb):
                pair = [a, b]
                break
        else:
            continue
        break
    r = [["plan", "--isolate", eps[-1]]]
    if len(pair) == 2:
        p2p = ",".join(pair)
        r += [["plan", "-v", "--p2p", p2p], ["--kernel", "6.1", "plan", "--p2p", p2p],
              ["plan", "--p2p-one-way", p2p], ["plan", "--p2p", p2p, "--allow-unsafe-groups"]]
    before = unsafe_before(path)
    for args in r:
        truthful(path, args, before)
    return r


def unsafe_before(path):
    """The pairs the fabric's own audit finds unsafe (each route's)."""
    rc, out = acsctl(["-F", path, "audit", "-j"])  # noqa: F821 (set by run.py)
    if rc not in (0, 1):
        return None
    return {tuple(r["devices"]) for s in json.loads(out)["unsafe"] for r in s.get("routes", [])}


def truthful(path, args, before):
    """Groups that tell the truth (issue 16): a feasible plan without
    --allow-unsafe-groups has no unsafe pair after that was not there."""
    rc, out = acsctl(["-F", path] + args + ["-j"])  # noqa: F821 (set by run.py)
    d = json.loads(out)
    if not d["feasible"] or before is None:
        return
    after = {tuple(f["devices"]) for f in d["audit"]["unsafe"]}
    allowed = "--allow-unsafe-groups" in args
    assert d["allow_unsafe_groups"] is allowed, (path, args)
    assert allowed or after <= before, (path, args, sorted(after - before))


def json_facts(d):
    f = {"feasible": d["feasible"], "verdict": d["verdict"], "unknown_ports": len(d["unknown_ports"]),
         "cmdline": d["cmdline"], "conflicts": len(d.get("conflicts", []))}
    if d["feasible"]:
        f.update(changes=len(d["changes"]), groups=len(d["groups"]),
                 new_groups=sum(g["new"] for g in d["groups"]), p2p=len(d["p2p"]),
                 assign_together=len(d["assign_together"]), live=len(d["live"]),
                 ways=sorted(w["way"] for w in d["boot"]),
                 unit_lines=sum(len(w.get("lines", [])) for w in d["boot"]),
                 meets=sorted(w["meets"] for w in d["boot"] if "meets" in w))
        f.update({"audit_" + k: len(d["audit"][k]) for k in KINDS})
        f.update(allow_unsafe_groups=d["allow_unsafe_groups"], truthful_groups=len(d["truthful_groups"]))
    return f


def unquote(v):
    if v == "-":
        return None
    if v.startswith('"'):
        return v[1:-1].replace('\\"', '"').replace("\\\\", "\\")
    return v


def machine_facts(out):
    t = common.records(out, "plan")[0]
    feasible = {"true": True, "false": False, "-": None}[t["feasible"]]
    f = {"feasible": feasible, "verdict": t["verdict"],
         "unknown_ports": len([p for p in t["unknown_ports"].split(",") if p]),
         "cmdline": unquote(t["cmdline"]),
         "conflicts": len(common.values(t["conflicts"])) if t.get("conflicts") else 0}
    if feasible:
        groups = common.records(out, "plan.groups")
        boot = common.records(out, "plan.boot")
        f.update(changes=common.count(out, "plan.changes"), groups=len(groups),
                 new_groups=sum(g["new"] == "true" for g in groups), p2p=common.count(out, "plan.p2p"),
                 assign_together=common.count(out, "plan.assign_together"),
                 live=len(common.values(t["live"])) if t.get("live") else 0,
                 ways=sorted(unquote(w["way"]) for w in boot),
                 unit_lines=sum(len(common.values(w["lines"])) for w in boot if w.get("lines")),
                 meets=sorted(w["meets"] == "true" for w in boot if "meets" in w))
        f.update({"audit_" + k: common.count(out, "plan.audit." + k) for k in KINDS})
        f.update(allow_unsafe_groups=t["allow_unsafe_groups"] == "true",
                 truthful_groups=len(common.values(t["truthful_groups"])) if t.get("truthful_groups") else 0)
    return f


def text_facts(out, args):
    lines = out.splitlines()
    unknown = any(l.startswith("UNKNOWN plan:") for l in lines)
    conflicts = sum(l.startswith("FAIL infeasible: ") for l in lines)
    feasible = None if unknown else not conflicts
    at_boot = [l.split(": ", 1)[1].split("   [")[0] for l in lines if l.startswith("at boot (Linux ")]
    f = {"feasible": feasible,
         "verdict": "unknown" if unknown else "fail" if conflicts else "ok",
         "unknown_ports": sum(l.startswith("UNKNOWN 0") for l in lines),
         "cmdline": at_boot[0] if at_boot else None, "conflicts": conflicts}
    if feasible:
        head = next(l for l in lines if l.startswith("groups after: "))
        ngroups, nnew = head[len("groups after: "):].rstrip(" new)").split(" (")
        listed = [l for l in lines if l.startswith("  group ")]
        audit = next(l for l in lines if l.startswith("audit after: "))[len("audit after: "):].split(", ")
        ways = ["config_acs" if p.startswith("pci=config_acs=") else "disable_acs_redir" for p in at_boot]
        ways += ["acs.conf"] * sum(l.startswith("at every boot: add to ") for l in lines)
        f.update(changes=int(next(l for l in lines if l.startswith("plan: ")).split()[1]),
                 groups=int(ngroups), new_groups=int(nnew), p2p=sum(l.startswith("p2p after: ") for l in lines),
                 assign_together=sum(l.startswith("assign together: ") for l in lines),
                 live=sum(l.startswith("live: setpci ") for l in lines), ways=sorted(ways),
                 unit_lines=sum(l.startswith("    0") and ":" in l and l.rstrip()[-1] in "+-" for l in lines),
                 meets=sorted("   [booting from firmware defaults" not in l for l in lines
                              if l.startswith("at boot (Linux ")))
        f.update({"audit_" + a.split()[1]: int(a.split()[0]) for a in audit})
        merged = [l for l in lines if l.startswith("for truthful groups (")]
        f.update(allow_unsafe_groups=any(l.startswith("WARNING --allow-unsafe-groups: ") for l in lines),
                 truthful_groups=len(merged[0].split(": ", 1)[1].split()) if merged else 0)
        # text lists the new groups, all of them with -v
        assert len(listed) == (f["groups"] if "-v" in args else f["new_groups"])
    return f


def facts(fmt, out, args):
    if fmt == "json":
        return json_facts(out)
    if fmt == "machine":
        return machine_facts(out)
    return text_facts(out, args)
