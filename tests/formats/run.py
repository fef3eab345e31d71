#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""One result, every format: for each command with a module here
(tests/formats/CMD.py), run it on every input in text, -m and -j; the exit
status must be the same in the three, the facts the module reads from each
must be equal, and the JSON must validate against doc/schema/CMD.json and
be, byte for byte, what json-c's tree printed (same_as_tree()).

A module defines EXTRA_INPUTS (optional: globs of inputs for it alone),
runs(path) (path None, once, where it sets NO_SOURCE) -> [[arg, ...], ...] (what to run after
`acsctl -F path`) and facts(fmt, out, args) -> dict, fmt one of "text",
"machine", "json" (out parsed for json). It may call acsctl(args) ->
(status, stdout), set here, to learn what it needs (a device to name).

usage: run.py ACSCTL [CMD...]
"""
import concurrent.futures
import glob
import importlib.util
import json
import os
import subprocess
import sys
import threading

VALIDATING = threading.Lock()
HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
FORMATS = (("text", []), ("machine", ["-m"]), ("json", ["-j"]))


def inputs():
    """Every example and fixture, with the options its platform needs."""
    out = [(p, []) for p in sorted(glob.glob(os.path.join(ROOT, "examples", "*.json")))]
    out += [(p, []) for p in sorted(glob.glob(os.path.join(ROOT, "tests/fixtures/vm/*/*/lspci.txt")))]
    out += [(p, []) for p in sorted(glob.glob(os.path.join(ROOT, "tests/fixtures/vm-snapshot/*/*/snapshot.txt")))]
    for p in sorted(glob.glob(os.path.join(ROOT, "tests/fixtures/vm-power/*/*/lspci.txt"))):
        out.append((p, ["--platform", p.split(os.sep)[-3]]))
    out += [(p, []) for p in with_groups()]
    # ACSCTL_FORMATS_STRIDE=N: the examples and every Nth capture (make
    # asan: the sanitizers over every command, at a tenth of the runs)
    stride = int(os.environ.get("ACSCTL_FORMATS_STRIDE", "1"))
    return [x for i, x in enumerate(out) if "/examples/" in x[0] or i % stride == 0]


def insert_groups(text, groups):
    """lspci -vv text with "\tIOMMU group: N" put back where lspci 3.9
    prints it: after the header and its Subsystem ... NUMA node lines."""
    before = ("\tSubsystem:", "\tDeviceName:", "\tPhysical Slot:", "\tDevice tree node:", "\tControl:",
              "\tStatus:", "\tLatency:", "\tInterrupt:", "\tNUMA node:")
    g = {}
    for line in groups.splitlines():
        n, addr = line.split()[:2]
        g[addr] = g[addr[5:]] = n
    out, pend = [], None
    for line in text.splitlines():
        if pend is not None and not line.startswith(before):
            out.append("\tIOMMU group: " + pend)
            pend = None
        if line[:1] and line[0] in "0123456789abcdef":
            pend = g.get(line.split()[0])
        out.append(line)
    if pend is not None:
        out.append("\tIOMMU group: " + pend)
    return "\n".join(out) + "\n"


WITH_GROUPS = None


def with_groups():
    """lspci -vvnn texts with the kernel's IOMMU group lines: the real
    machines of ../shared (where present) and one VM capture through the
    system's lspci, written once into a temporary directory."""
    global WITH_GROUPS
    if WITH_GROUPS is not None:
        return WITH_GROUPS
    import atexit
    import shutil
    import tempfile
    tmp = tempfile.mkdtemp(prefix="acsctl-formats-")
    atexit.register(shutil.rmtree, tmp, True)
    pairs = []
    for d in sorted(glob.glob(os.path.join(ROOT, "..", "shared", "realdata", "*", ""))):
        if os.path.exists(d + "lspci-vvnn.txt") and os.path.exists(d + "groups.txt"):
            with open(d + "lspci-vvnn.txt") as f:
                pairs.append((os.path.basename(d.rstrip("/")), f.read(), d + "groups.txt"))
    vm = os.path.join(ROOT, "tests/fixtures/vm/6.12/pxb-pcie")
    p = subprocess.run(["lspci", "-F", vm + "/lspci.txt", "-vvnn"], stdout=subprocess.PIPE,
                       stderr=subprocess.DEVNULL, text=True) if shutil.which("lspci") else None
    if p and p.returncode == 0:
        pairs.append(("vm-6.12-pxb-pcie", p.stdout, vm + "/groups.txt"))
    WITH_GROUPS = []
    for name, text, groups in pairs:
        with open(groups) as f:
            out = os.path.join(tmp, name + ".with-groups.txt")
            with open(out, "w") as o:
                o.write(insert_groups(text, f.read()))
        WITH_GROUPS.append(out)
    return WITH_GROUPS


def run(acsctl, args, env=None):
    p = subprocess.run([acsctl] + args, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       text=True, errors="replace", env=env)
    return p.returncode, p.stdout, p.stderr


TREE = dict(os.environ, ACSCTL_FAULT_JSON_TREE="1")


def same_as_tree(acsctl, args, rc, out, what):
    """-j is written as the calls come (src/cli/emit.c); a test build
    (-Dfault_injection=true) can still print json-c's whole tree, and the
    two must agree byte for byte (elsewhere the variable is not read and
    the two runs are one)."""
    trc, tout, _ = run(acsctl, args, TREE)
    if (trc, tout) == (rc, out):
        return []
    at = next((i for i, (a, b) in enumerate(zip(out, tout)) if a != b), min(len(out), len(tout)))
    return ["%s: -j streamed is not json-c's tree (exit %d, %d): at byte %d: %r, tree %r" %
            (what, rc, trc, at, out[max(0, at - 40):at + 40], tout[max(0, at - 40):at + 40])]


def load_modules(names):
    mods = {}
    for path in sorted(glob.glob(os.path.join(HERE, "*.py"))):
        name = os.path.basename(path)[:-3]
        if name in ("run", "common", "written") or (names and name not in names):
            continue
        spec = importlib.util.spec_from_file_location("formats_" + name, path)
        mod = importlib.util.module_from_spec(spec)
        sys.path.insert(0, HERE)
        spec.loader.exec_module(mod)
        mods[name] = mod
    return mods


def bundle(x, files):
    """x with every $ref to another file's $defs replaced by a copy of it:
    one self-contained schema, whose own "#/$defs/..." refs any
    jsonschema resolves alike (Debian 12's 4.10 resolves a $ref met inside
    another file against the referring one)."""
    if isinstance(x, dict):
        ref = x.get("$ref", "")
        if ref and not ref.startswith("#"):
            name, _, pointer = ref.partition("#")
            target = files[name]
            for part in pointer.strip("/").split("/"):
                target = target[part]
            merged = dict(target)
            merged.update({k: v for k, v in x.items() if k != "$ref"})
            return bundle(merged, files)
        return {k: bundle(v, files) for k, v in x.items()}
    if isinstance(x, list):
        return [bundle(v, files) for v in x]
    return x


def validator(cmd):
    """The schema of CMD, with what it takes from doc/schema's other files."""
    import jsonschema
    files = {}
    for p in glob.glob(os.path.join(ROOT, "doc", "schema", "*.json")):
        with open(p) as f:
            files[os.path.basename(p)] = json.load(f)
    if cmd + ".json" not in files:
        return None
    schema = bundle(files[cmd + ".json"], files)
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


def warnings_agree(cmd, warned):
    """Every answer with the header: as many warnings in -j's "warnings"
    and -m's CMD.warnings records as text put on stderr."""
    doc = warned["json"][0]
    if not isinstance(doc, dict) or "notes" not in doc:
        return []
    n = {"text": sum(l.startswith("acsctl: warning: ") for l in warned["text"][1].splitlines()),
         "json": len(doc.get("warnings", []))}
    out = warned["machine"][0]
    if any(l.startswith(cmd + " ") for l in out.splitlines()):
        n["machine"] = sum(l.startswith(cmd + ".warnings ") for l in out.splitlines())
    if len(set(n.values())) > 1:
        return ["warnings differ: %s" % n]
    return []


def one(acsctl, cmd, mod, val, path, extra, args):
    """Problems with one run in the three formats, as lines."""
    base = (["-F", path] if path else []) + extra + args
    what = "%s %s" % (os.path.relpath(path, ROOT) if path else "acsctl", " ".join(extra + args))
    res, problems, warned = {}, [], {}
    for fmt, opt in FORMATS:
        rc, out, err = run(acsctl, base + opt)
        warned[fmt] = (out, err)
        if rc == 2:
            return ["%s: %s exit 2: %s" % (what, fmt, err.strip().splitlines()[-1:] or "")]
        if fmt == "json":
            problems += same_as_tree(acsctl, base + opt, rc, out, what)
            try:
                out = json.loads(out)
            except ValueError as e:
                return ["%s: -j is not JSON: %s" % (what, e)]
            warned[fmt] = (out, err)
            if val is not None:
                with VALIDATING:  # jsonschema 4.10's resolver keeps one scope stack
                    errs = sorted(val.iter_errors(out), key=lambda e: list(e.path))
                problems += ["%s: schema: %s at %s" % (what, e.message[:200], "/".join(map(str, e.path)))
                             for e in errs[:3]]
        try:
            res[fmt] = (rc, mod.facts(fmt, out, args))
        except Exception as e:  # a module that cannot read a format is a failure
            problems.append("%s: %s: facts: %r" % (what, fmt, e))
    problems += ["%s: %s" % (what, p) for p in warnings_agree(cmd, warned)]
    if len(res) == 3:
        t, m, j = res["text"], res["machine"], res["json"]
        if not (t[0] == m[0] == j[0]):
            problems.append("%s: exit status text %d, -m %d, -j %d" % (what, t[0], m[0], j[0]))
        if not (t[1] == m[1] == j[1]):
            problems.append("%s: facts differ:\n  text    %s\n  -m      %s\n  -j      %s" % (what, t[1], m[1], j[1]))
    return problems


def main():
    if len(sys.argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    try:
        import jsonschema  # noqa: F401
    except ImportError:
        print("formats: python3-jsonschema is missing (make install-deps)", file=sys.stderr)
        return 1
    acsctl = os.path.abspath(sys.argv[1])
    mods = load_modules(sys.argv[2:])
    jobs, counts, failures = [], {}, []
    with concurrent.futures.ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        for cmd, mod in mods.items():
            mod.acsctl = lambda args: run(acsctl, args)[:2]
            val = validator(cmd)
            if val is None:
                failures.append("%s: no doc/schema/%s.json" % (cmd, cmd))
            # a command that reads no fabric (synth) runs once, without -F
            # EXTRA_INPUTS: globs under the tree that one module adds for itself
            own = [(p, []) for g in getattr(mod, "EXTRA_INPUTS", []) for p in sorted(glob.glob(os.path.join(ROOT, g)))]
            for path, extra in inputs() + own if not getattr(mod, "NO_SOURCE", False) else [(None, [])]:
                for args in mod.runs(path) if not extra or getattr(mod, "PLATFORMS", True) else []:
                    jobs.append((cmd, pool.submit(one, acsctl, cmd, mod, val, path, extra, args)))
        for cmd, fut in jobs:
            counts[cmd] = counts.get(cmd, 0) + 1
            failures += fut.result()
    for line in failures:
        print("FAIL " + line)
    for cmd in sorted(counts):
        print("formats: %-8s %4d runs, each in text, -m and -j" % (cmd, counts[cmd]))
    print("formats: %d runs, %d problems" % (len(jobs), len(failures)))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
