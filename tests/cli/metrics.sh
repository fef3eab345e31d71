#!/bin/bash
# acsctl metrics (doc/metrics.md): `promtool check metrics` on the metrics
# of every example, VM capture (tests/fixtures/vm/*/*/lspci.txt), snapshot
# and real machine (../shared/realdata, plain and with the kernel's groups
# put back; skipped where absent); each value against the command that says
# the same (groups -m, audit -j, p2p -m, groups --check, the dump's ACS
# control); --expect; the file written whole or not at all; the units.
# promtool (Debian 12: apt-get install prometheus) is skipped with a
# message where it is missing, the value checks are not.
# Usage: metrics.sh ACSCTL SRCDIR [METRICS_UNIT]
set -u
acsctl=$1
src=$2
unit=${3:-}
shared=${ACSCTL_SHARED:-$src/../shared}
. "$(dirname "$0")/lib.sh"

have_promtool=false
if command -v promtool >/dev/null; then
	have_promtool=true
else
	echo "# skip: promtool is missing (Debian 12: apt-get install prometheus): the exposition format is not checked"
fi

# lspci -vv text with the kernel's "IOMMU group: N" lines put back (as cli.sh)
with_groups() { sh "$src/tests/cli/with-groups.sh" "$1"; }

# ---- the inputs ----
inputs=()
for f in "$src"/examples/*.json "$src"/tests/fixtures/vm/*/*/lspci.txt "$src"/tests/fixtures/vm-snapshot/*/*/snapshot.txt \
	"$src"/tests/fixtures/real/*/lspci-vvnn.txt; do   # real: the kernel's IOMMU group lines in
	[ -f "$f" ] && inputs+=("$f")
done
if [ -d "$shared/realdata" ]; then
	for d in "$shared"/realdata/*/; do
		[ -f "$d/lspci-vvnn.txt" ] || continue
		inputs+=("$d/lspci-vvnn.txt")
		if [ -f "$d/groups.txt" ]; then
			with_groups "$d/groups.txt" <"$d/lspci-vvnn.txt" >"$tmp/$(basename "$d").with-groups.txt"
			inputs+=("$tmp/$(basename "$d").with-groups.txt")
		fi
	done
else
	echo "# skip: $shared/realdata is absent (real machines' data)"
fi
if command -v lspci >/dev/null &&
	lspci -F "$src/tests/fixtures/vm/6.12/pxb-pcie/lspci.txt" -vvnn 2>/dev/null |
	with_groups "$src/tests/fixtures/vm/6.12/pxb-pcie/groups.txt" >"$tmp/pxb.with-groups.txt"; then
	inputs+=("$tmp/pxb.with-groups.txt")
	# a kernel that put 00:02.0 in group 0 with 00:00.0: groups --check FAIL, mismatch 1
	awk '/^00:02.0 / { moved = 1 } moved && /IOMMU group:/ { print "\tIOMMU group: 0"; moved = 0; next } { print }' \
		"$tmp/pxb.with-groups.txt" >"$tmp/pxb-moved.with-groups.txt"
	inputs+=("$tmp/pxb-moved.with-groups.txt")
	"$acsctl" -F "$tmp/pxb-moved.with-groups.txt" metrics 2>/dev/null | grep -qx 'acsctl_groups_check_mismatch 1' &&
		ok "mismatch: a kernel group the prediction splits is 1" || bad "mismatch: a kernel group the prediction splits is 1"
else
	echo "# skip: lspci is missing: no VM capture with the kernel's groups"
fi

# ---- every input: exit 0, promtool, the values ----
n=0 checked=0 failed_runs=0
for f in "${inputs[@]}"; do
	n=$((n + 1))
	out=$tmp/m.$n.prom
	if ! "$acsctl" -F "$f" metrics >"$out" 2>"$tmp/err"; then
		bad "metrics of $f exits 0: $(head -c 300 "$tmp/err")"
		failed_runs=$((failed_runs + 1))
		continue
	fi
	echo "$f $out" >>"$tmp/list"
	if $have_promtool; then
		if promtool check metrics <"$out" >"$tmp/pt" 2>&1; then
			checked=$((checked + 1))
		else
			bad "promtool check metrics on $f: $(head -3 "$tmp/pt")"
		fi
	fi
done
[ "$failed_runs" -eq 0 ] && ok "metrics exits 0 on all ${#inputs[@]} inputs" || bad "metrics failed on $failed_runs inputs"
if $have_promtool; then
	[ "$checked" -eq "${#inputs[@]}" ] && ok "promtool check metrics: $checked inputs, all clean" ||
		bad "promtool check metrics: $checked of ${#inputs[@]} clean"
fi

# The values, each against the command that says the same.
"$py" - "$acsctl" "$tmp/list" <<'EOF'
import collections, json, re, subprocess, sys

acsctl, listing = sys.argv[1], sys.argv[2]
bad = 0
checks = 0
SAMPLE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (\S+)$')
LABEL = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)",?')


def parse(text):
    m, helps, types = {}, set(), set()
    for line in text.splitlines():
        if line.startswith("# HELP "):
            helps.add(line.split()[2])
        elif line.startswith("# TYPE "):
            types.add(line.split()[2])
        elif line.startswith("#") or not line:
            continue
        else:
            s = SAMPLE.match(line)
            assert s, line
            labels = tuple(LABEL.findall(s.group(3) or ""))
            m[(s.group(1), labels)] = float(s.group(4))
    for name, _ in m:
        assert name in helps and name in types, "no HELP/TYPE for " + name
    return m


def run(args, ok=(0,)):
    p = subprocess.run([acsctl] + args, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    assert p.returncode in ok, "%s: exit %d" % (args, p.returncode)
    return p.returncode, p.stdout


def dump_acs(path):
    """The ACS control of every function of an lspci -xxxx dump."""
    cfg, out = {}, {}
    addr = None
    for line in open(path):
        if re.match(r'^[0-9a-f]{4}:[0-9a-f]{2}:[0-9a-f]{2}\.[0-7] ', line) or re.match(r'^[0-9a-f]{2}:[0-9a-f]{2}\.[0-7] ', line):
            addr = line.split()[0]
            if len(addr) == 7:
                addr = "0000:" + addr
            cfg[addr] = bytearray(4096)
        elif addr and re.match(r'^[0-9a-f]{2,3}: ', line):
            off, hexes = line.split(":", 1)
            for k, b in enumerate(hexes.split()):
                cfg[addr][int(off, 16) + k] = int(b, 16)
    for a, c in cfg.items():
        pos, seen = 0x100, 0
        while pos and seen < 512:
            seen += 1
            hdr = int.from_bytes(c[pos:pos + 4], "little")
            if hdr in (0, 0xffffffff):
                break
            if hdr & 0xffff == 0x000d:
                out[a] = int.from_bytes(c[pos + 6:pos + 8], "little")
                break
            pos = (hdr >> 20) & 0xffc
    return out


def check(name, cond, what):
    global bad, checks
    checks += 1
    if not cond:
        bad += 1
        print("not ok - %s: %s" % (name, what))


for line in open(listing):
    path, prom = line.split()
    short = path.split("/tests/fixtures/")[-1].split("/examples/")[-1]
    m = parse(open(prom).read())
    get = lambda n, **l: m.get((n, tuple(sorted(l.items()))) if l else (n, ()))
    check(short, get("acsctl_run_errors") == 0, "acsctl_run_errors is not 0")
    _, gm = run(["-F", path, "groups", "-m"])
    _, gj = run(["-F", path, "groups", "-j"])
    gj = json.loads(gj)
    lines = [l.split() for l in gm.splitlines() if l.strip()]
    check(short, get("acsctl_functions") == len(lines) + len(gj["unmanaged"]),
          "acsctl_functions %s, groups -m lines %d + unmanaged %d" % (get("acsctl_functions"), len(lines), len(gj["unmanaged"])))
    check(short, get("acsctl_iommu_groups") == len(gj["groups"]) == len({l[0] for l in lines}),
          "acsctl_iommu_groups %s, groups -j %d" % (get("acsctl_iommu_groups"), len(gj["groups"])))
    _, aj = run(["-F", path, "audit", "-j"], ok=(0, 1, 3))
    aj = json.loads(aj)
    for verdict in ("unsafe", "unknown"):
        check(short, m.get(("acsctl_audit_findings", (("verdict", verdict),))) == len(aj[verdict]),
              "audit findings %s: %s, audit -j %d" % (verdict, m.get(("acsctl_audit_findings", (("verdict", verdict),))), len(aj[verdict])))
    # the metrics count every peer; p2p shows GPUs, NICs and NVMe unless -s selects
    _, pm = run(["-F", path, "-s", ":", "p2p", "-m"], ok=(0, 3))
    maps = collections.Counter(re.search(r' map=(\S+)', l).group(1) for l in pm.splitlines() if l.startswith("p2p.pairs "))
    for k in ("bus_addr", "thru_host_bridge", "not_supported"):
        check(short, m.get(("acsctl_p2p_pairs", (("map", k),))) == maps[k],
              "p2p pairs %s: %s, p2p -m %d" % (k, m.get(("acsctl_p2p_pairs", (("map", k),))), maps[k]))
    rc, _ = run(["-F", path, "groups", "--check"], ok=(0, 1, 2, 3))
    mm = get("acsctl_groups_check_mismatch")
    has_kernel = gj["kernel_groups"] == "present"
    want = {0: 0, 1: 1}.get(rc) if has_kernel else None
    check(short, mm == want, "acsctl_groups_check_mismatch %s, groups --check exit %d (kernel groups %s)" % (mm, rc, gj["kernel_groups"]))
    ctrl = {dict(l)["device"]: v for (n, l), v in m.items() if n == "acsctl_port_acs_ctrl"}
    if path.endswith("/lspci.txt"):
        d = dump_acs(path)
        vfs = set()
        sj = json.loads(run(["-F", path, "show", "-j"])[1])
        def walk(o):
            if isinstance(o, dict):
                if o.get("virtfn") or o.get("is_virtfn"):
                    vfs.add(o.get("address") or o.get("device"))
                for v in o.values():
                    walk(v)
            elif isinstance(o, list):
                for v in o:
                    walk(v)
        walk(sj)
        d = {a: v for a, v in d.items() if a not in vfs}
        check(short, ctrl == {a: float(v) for a, v in d.items() if a in ctrl} and set(ctrl) <= set(d),
              "acsctl_port_acs_ctrl differs from the dump's ACSCtl: %s" %
              sorted(set(ctrl.items()) ^ {(a, float(v)) for a, v in d.items() if a in ctrl})[:4])
        check(short, set(d) <= set(ctrl) or bool(set(d) - set(ctrl) <= vfs),
              "functions with ACS in the dump and no acsctl_port_acs_ctrl: %s" % sorted(set(d) - set(ctrl))[:4])

print("ok - values: %d checks, %d failed" % (checks, bad) if not bad else "not ok - values: %d of %d checks failed" % (bad, checks))
sys.exit(1 if bad else 0)
EOF
[ $? -eq 0 ] && pass=$((pass + 1)) || fail=$((fail + 1))

# ---- --expect: acsctl_acs_drift ----
fx=$src/tests/fixtures/vm/6.12/kitchen-sink-1/lspci.txt
port=$("$acsctl" -F "$fx" metrics 2>/dev/null | sed -n 's/^acsctl_port_acs_ctrl{device="\([^"]*\)"} \([0-9]*\)$/\1 \2/p' |
	awk '$2 % 8 >= 4 { print $1; exit }')	# a port with ReqRedir set
if [ -n "$port" ]; then
	printf '# the ACS this host should have\n%s:RR+\n' "$port" >"$tmp/same.conf"
	printf '%s:RR-,CR- # P2P\n' "$port" >"$tmp/off.conf"
	printf '# nothing\n' >"$tmp/empty.conf"
	chmod 600 "$tmp"/*.conf
	"$acsctl" -F "$fx" metrics --expect "$tmp/same.conf" >"$tmp/out" 2>"$tmp/err" &&
		grep -qx "acsctl_acs_drift{device=\"$port\"} 0" "$tmp/out" && ok "drift: ACS as acs.conf asks is 0" ||
		bad "drift: ACS as acs.conf asks is 0: $(grep drift "$tmp/out") $(head -1 "$tmp/err")"
	"$acsctl" -F "$fx" metrics --expect "$tmp/off.conf" >"$tmp/out" 2>"$tmp/err" &&
		grep -qx "acsctl_acs_drift{device=\"$port\"} 1" "$tmp/out" && [ "$(grep -c '^acsctl_acs_drift{' "$tmp/out")" -eq 1 ] &&
		ok "drift: ACS other than acs.conf asks is 1" || bad "drift: ACS other than acs.conf asks is 1: $(grep drift "$tmp/out")"
	"$acsctl" -F "$fx" metrics --expect "$tmp/empty.conf" >"$tmp/out" 2>"$tmp/err" &&
		grep -q '^# TYPE acsctl_acs_drift gauge$' "$tmp/out" && ! grep -q '^acsctl_acs_drift{' "$tmp/out" &&
		ok "drift: a file asking nothing gives no sample" || bad "drift: a file asking nothing gives no sample"
	"$acsctl" -F "$fx" metrics >"$tmp/out" 2>/dev/null && ! grep -q 'acsctl_acs_drift' "$tmp/out" &&
		ok "drift: no --expect, -F: left out (acs.conf is this host's)" || bad "drift: no --expect, -F: left out"
	$have_promtool && { promtool check metrics <"$tmp/out" >/dev/null 2>&1 && ok "drift: promtool" || bad "drift: promtool"; }
	chmod 666 "$tmp/off.conf"
	"$acsctl" -F "$fx" metrics --expect "$tmp/off.conf" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	[ $rc -eq 2 ] && grep -qx 'acsctl_run_errors 1' "$tmp/out" && ! grep -q '^acsctl_functions ' "$tmp/out" &&
		grep -q 'writable by group or others' "$tmp/err" &&
		ok "drift: an acs.conf others may write: exit 2, acsctl_run_errors 1, nothing else" ||
		bad "drift: an acs.conf others may write (exit $rc): $(head -1 "$tmp/err")"
	printf '%s:RR-\n%s:RR+\n' "$port" "$port" >"$tmp/twice.conf"
	chmod 600 "$tmp/twice.conf"
	"$acsctl" -F "$fx" metrics --expect "$tmp/twice.conf" >"$tmp/out" 2>"$tmp/err"
	[ $? -eq 2 ] && grep -qx 'acsctl_run_errors 1' "$tmp/out" && grep -q "changed twice" "$tmp/err" &&
		ok "drift: a port named twice: exit 2 (apply refuses it too)" || bad "drift: a port named twice: $(head -1 "$tmp/err")"
	printf '0000:ff:1f.7:RR-\n' >"$tmp/gone.conf"
	chmod 600 "$tmp/gone.conf"
	"$acsctl" -F "$fx" metrics --expect "$tmp/gone.conf" >"$tmp/out" 2>"$tmp/err"
	[ $? -eq 2 ] && grep -qx 'acsctl_run_errors 1' "$tmp/out" && grep -q 'gone.conf:1:' "$tmp/err" &&
		ok "drift: a device the fabric lacks: exit 2, the file and line named" || bad "drift: a device the fabric lacks: $(head -1 "$tmp/err")"
else
	bad "drift: a port with ReqRedir in $fx"
fi

# ---- the file: whole or not at all ----
ex=$src/examples/gpu8-nic8-nvme16.json
mkdir "$tmp/d"
(umask 022; "$acsctl" -F "$ex" metrics -o "$tmp/d/acsctl.prom" >"$tmp/out" 2>"$tmp/err")
rc=$?
[ $rc -eq 0 ] && [ "$(ls -A "$tmp/d")" = acsctl.prom ] && grep -qx 'acsctl_run_errors 0' "$tmp/d/acsctl.prom" &&
	ok "-o: written, no temporary left" || bad "-o: written (exit $rc): $(ls -A "$tmp/d") $(head -1 "$tmp/err")"
grep -q "^wrote $tmp/d/acsctl.prom (Prometheus text, 73 functions)$" "$tmp/out" && ok "-o: the answer says what was written" ||
	bad "-o: the answer: $(cat "$tmp/out")"
[ "$(stat -c %a "$tmp/d/acsctl.prom")" = 644 ] && ok "-o: mode 0644 under umask 022 (node_exporter reads it)" ||
	bad "-o: mode $(stat -c %a "$tmp/d/acsctl.prom")"
diff <(grep -v '^acsctl_last_run' "$tmp/d/acsctl.prom") <("$acsctl" -F "$ex" metrics 2>/dev/null | grep -v '^acsctl_last_run') >/dev/null &&
	ok "-o: the same text as standard output" || bad "-o: the same text as standard output"
"$acsctl" -F "$ex" metrics -o "$tmp/d/acsctl.prom" -j >"$tmp/out" 2>/dev/null &&
	"$py" -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["format"] == "Prometheus text" and d["function_count"] == 73' "$tmp/out" &&
	ok "-o -j: what was written, in JSON" || bad "-o -j: what was written, in JSON"
"$acsctl" -F "$ex" metrics -j >"$tmp/out" 2>"$tmp/err"
[ $? -eq 2 ] && [ "$(wc -l <"$tmp/err")" -eq 1 ] && ok "-j without -o: exit 2 (the text is the answer)" || bad "-j without -o: exit 2"
cp "$tmp/d/acsctl.prom" "$tmp/old"
# a write that fails part way (the file size limit: EFBIG, SIGXFSZ ignored)
(trap '' XFSZ; ulimit -f 1; exec "$acsctl" -F "$ex" metrics -o "$tmp/d/acsctl.prom") >/dev/null 2>"$tmp/err"
rc=$?
[ $rc -eq 2 ] && cmp -s "$tmp/old" "$tmp/d/acsctl.prom" && [ "$(ls -A "$tmp/d")" = acsctl.prom ] &&
	ok "-o: a failed write leaves the old file and no temporary (exit 2)" ||
	bad "-o: a failed write (exit $rc): $(ls -A "$tmp/d") $(head -1 "$tmp/err")"
# a source that cannot be read whole: the file says so, exit 2
head -c 3000 "$fx" >"$tmp/cut.txt"
"$acsctl" -F "$tmp/cut.txt" metrics -o "$tmp/d/acsctl.prom" >/dev/null 2>"$tmp/err"
rc=$?
[ $rc -eq 2 ] && [ "$(wc -l <"$tmp/err")" -eq 1 ] && grep -qx 'acsctl_run_errors 1' "$tmp/d/acsctl.prom" &&
	grep -q '^acsctl_info{version="[^"]*",kernel="",policy=""} 1$' "$tmp/d/acsctl.prom" &&
	grep -q '^acsctl_last_run_timestamp_seconds [0-9]*$' "$tmp/d/acsctl.prom" &&
	! grep -qE '^acsctl_(functions|iommu_groups|port_acs_ctrl|audit_findings|p2p_pairs|groups_check_mismatch)' "$tmp/d/acsctl.prom" &&
	[ "$(ls -A "$tmp/d")" = acsctl.prom ] &&
	ok "a source cut short: exit 2, one line, the file holds acsctl_run_errors 1 and nothing of the fabric" ||
	bad "a source cut short (exit $rc): $(head -1 "$tmp/err"); $(grep -v '^#' "$tmp/d/acsctl.prom" | head -3)"
$have_promtool && { promtool check metrics <"$tmp/d/acsctl.prom" >/dev/null 2>&1 && ok "failed run: promtool" || bad "failed run: promtool"; }
"$acsctl" -F /nonexistent metrics >"$tmp/out" 2>/dev/null
[ $? -eq 2 ] && grep -qx 'acsctl_run_errors 1' "$tmp/out" && ok "a missing source, standard output: acsctl_run_errors 1, exit 2" ||
	bad "a missing source, standard output"
cp "$tmp/d/acsctl.prom" "$tmp/old"
"$acsctl" -F "$ex" metrics extra -o "$tmp/d/acsctl.prom" >/dev/null 2>"$tmp/err"
[ $? -eq 2 ] && cmp -s "$tmp/old" "$tmp/d/acsctl.prom" && ok "usage error: exit 2, the file untouched" || bad "usage error: exit 2, the file untouched"
"$acsctl" -F "$ex" metrics --cmdline pci=noats >/dev/null 2>"$tmp/err"
[ $? -eq 2 ] && grep -q 'metrics does not take --cmdline' "$tmp/err" && ok "what-ifs refused (metrics are of the fabric read)" ||
	bad "what-ifs refused: $(head -1 "$tmp/err")"

# ---- label values escaped as the format says ----
snap=$src/tests/fixtures/vm-snapshot/6.12/switch-nested/snapshot.txt
sed '2s/^# kernel-release: .*/# kernel-release: 6.12"x\\y/' "$snap" >"$tmp/odd.txt"
if "$acsctl" -F "$tmp/odd.txt" --kernel 6.12 metrics >"$tmp/out" 2>"$tmp/err"; then
	grep -qF 'kernel="6.12\"x\\y"' "$tmp/out" && ok "labels: \" and \\ escaped" || bad "labels: $(grep acsctl_info "$tmp/out")"
	$have_promtool && { promtool check metrics <"$tmp/out" >/dev/null 2>&1 && ok "labels: promtool" || bad "labels: promtool"; }
else
	echo "# skip: a snapshot with an odd kernel release is refused: $(head -1 "$tmp/err")"
fi

# ---- the units (meson made the service; the timer as it is) ----
check_units "$unit" "$src/contrib/acsctl-metrics.timer" \
	"metrics -o /var/lib/prometheus/node-exporter/acsctl.prom"

finish
