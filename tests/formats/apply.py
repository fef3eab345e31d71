# SPDX-License-Identifier: GPL-2.0-or-later
"""apply: what can run on a file input: --status (the journal, no fabric
loaded), and --from an acs.conf without changes (the boot unit on a host
with nothing configured: the fabric loaded, nothing to apply). Dry runs
and changes need this host's live sysfs (tests/vm/apply-in-vm.sh)."""
import atexit
import os
import tempfile

import common

PLATFORMS = False
_conf = []


def conf():
    """An acs.conf of comments only, ours alone (apply refuses others')."""
    if not _conf:
        fd, path = tempfile.mkstemp(prefix="acsctl-formats-", suffix=".conf")
        os.write(fd, b"# nothing configured\n")
        os.close(fd)
        os.chmod(path, 0o600)
        atexit.register(os.unlink, path)
        _conf.append(path)
    return _conf[0]


def runs(path):
    r = [["apply", "--from", conf()]]
    # --status reads /run/acsctl/journal.json whatever the input: once;
    # a journal directory closed to us is exit 2, not a format's business
    first = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))),
                         "examples", "switch-acs-everywhere.json")
    run_dir = "/run/acsctl"
    if os.path.abspath(path) == first and (not os.path.exists(run_dir) or os.access(run_dir, os.R_OK | os.X_OK)):
        r.append(["apply", "--status"])
    return r


def facts(fmt, out, args):
    if "--status" in args:
        if fmt == "json":
            return {"pending": out["pending"], "journal": "journal" in out}
        if fmt == "machine":
            t = common.top(out, "apply")
            return {"pending": t["pending"] == "true", "journal": "journal" in t}
        pending = out.startswith("pending change")
        return {"pending": pending, "journal": pending}
    if fmt == "json":
        return {"changes": len(out["changes"]), "steps": len(out.get("steps", [])), "applied": out["applied"],
                "verdict": out["verdict"], "from": out.get("from")}
    if fmt == "machine":
        t = common.top(out, "apply")
        return {"changes": common.count(out, "apply.changes"),
                "steps": len([s for s in t.get("steps", "").split(",") if s]),
                "applied": t["applied"] == "true", "verdict": t["verdict"], "from": t.get("from")}
    lines = out.splitlines()
    nothing = [l for l in lines if l.startswith("nothing to apply: ")]
    return {"changes": 0 if nothing else None, "steps": sum(l.startswith("would: ") for l in lines),
            "applied": any(l.startswith("OK: applied") for l in lines),
            "verdict": "fail" if any(l.startswith("FAIL ") for l in lines) else "ok",
            "from": nothing[0][len("nothing to apply: "):-len(" holds no changes")] if nothing else None}
