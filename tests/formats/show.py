# SPDX-License-Identifier: GPL-2.0-or-later
"""show: every function once, with its group; ports with their ACS."""
import re

import common

LINE = re.compile(r"^[| ]*[+\\]- (\S+)  \[[^]]*\] .*  (no group|not managed by the IOMMU|group (\d+))")


def runs(path):
    return [["show"]]


def facts(fmt, out, args):
    if fmt == "json":
        fns = out["functions"]
        return {"functions": len(fns), "all": len(fns) == out["function_count"],
                "grouped": sum(f["group"] is not None for f in fns),
                "groups": len({f["group"] for f in fns if f["group"] is not None}),
                "acs": sum(f["acs"] is not None for f in fns),
                "unmanaged": sum(not f["managed"] for f in fns),
                "kernel_differs": sum(f["kernel_differs"] for f in fns)}
    if fmt == "machine":
        fns = common.records(out, "show.functions")
        t = common.top(out, "show")
        return {"functions": len(fns), "all": len(fns) == int(t["function_count"]),
                "grouped": sum(f["group"] != "-" for f in fns),
                "groups": len({f["group"] for f in fns if f["group"] != "-"}),
                "acs": common.count(out, "show.functions.acs"),
                "unmanaged": sum(f["managed"] == "false" for f in fns),
                "kernel_differs": sum(f["kernel_differs"] == "true" for f in fns)}
    rows = [LINE.match(l) for l in out.splitlines()]
    rows = [m for m in rows if m]
    total = re.search(r"\((\d+) functions\)", out)
    return {"functions": len(rows), "all": bool(total) and len(rows) == int(total.group(1)),
            "grouped": sum(m.group(3) is not None for m in rows),
            "groups": len({m.group(3) for m in rows if m.group(3) is not None}),
            "acs": len(re.findall(r"^[| ]*ACSCtl: ", out, re.M)),
            "unmanaged": sum(m.group(2) == "not managed by the IOMMU" for m in rows),
            "kernel_differs": len(re.findall(r": differs\]$", out, re.M))}
