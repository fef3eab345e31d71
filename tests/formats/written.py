# SPDX-License-Identifier: GPL-2.0-or-later
"""What snapshot, export and report share: the answer is the file, and
stdout says what was written ("wrote FILE (FORMAT, N functions)")."""
import atexit
import hashlib
import re
import shutil
import tempfile

import common

_tmp = tempfile.mkdtemp(prefix="acsctl-formats-")
atexit.register(shutil.rmtree, _tmp, True)


def target(cmd, path):
    return "%s/%s-%s" % (_tmp, cmd, hashlib.sha1(path.encode()).hexdigest()[:12])


def facts(cmd, fmt, out):
    if fmt == "json":
        return {"written": out["written"], "format": out["format"], "functions": out["function_count"]}
    if fmt == "machine":
        t = common.top(out, cmd)
        return {"written": t["written"], "format": t["format"].strip('"'), "functions": int(t["function_count"])}
    m = re.match(r"^wrote (.*) \((.*), (\d+) functions\)$", out.strip())
    return {"written": m.group(1), "format": m.group(2), "functions": int(m.group(3))}
