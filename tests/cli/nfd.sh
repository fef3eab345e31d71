#!/bin/bash
# acsctl nfd (doc/nfd.md): the exact label lines on fixtures (an isolated
# host, a shared group, an unsafe audit, ACS not read: an lspci -xxx dump
# and lspci text with `<access denied>`), every label name and value by
# NFD's and Kubernetes' rules on every example and VM capture, the file as
# NFD's local source reads it, --expire-after, the labels of doc/nfd.md,
# the file written whole through a hidden temporary, a failed source.
# The service meson made and its timer, as metrics.sh checks its own.
# Usage: nfd.sh ACSCTL SRCDIR [NFD_UNIT]
set -u
acsctl=$1
src=$2
unit=${3:-}
. "$(dirname "$0")/lib.sh"
P=feature.node.kubernetes.io/acsctl-

# labels NAME=VALUE of FILE, comments left out
labels() { grep -v '^#' "$1"; }
expect() { # what FILE EXPECTED-LINES...
	local what=$1 file=$2
	shift 2
	if [ "$(labels "$file")" = "$(printf '%s\n' "$@")" ]; then
		ok "$what"
	else
		bad "$what: $(labels "$file" | tr '\n' ' ')"
	fi
}
run() { # FILE ARGS...: the labels of acsctl -F FILE nfd ARGS to $tmp/out, exit to $rc
	local f=$1
	shift
	"$acsctl" -F "$f" nfd "$@" >"$tmp/out" 2>"$tmp/err"
	rc=$?
}

# ---- the exact lines ----
run "$src/examples/switch-acs-everywhere.json"
[ $rc -eq 0 ] || bad "isolated host: exit $rc"
expect "isolated host (every switch port with ACS): isolated, no direct path, audit ok" "$tmp/out" \
	${P}acs-isolation=isolated ${P}p2p-direct=false ${P}p2pdma-direct=false ${P}audit=ok
run "$src/tests/fixtures/vm/6.12/switch-noacs-root/lspci.txt"
expect "a switch without ACS: a shared group, a direct path both ways, audit ok" "$tmp/out" \
	${P}acs-isolation=shared ${P}p2p-direct=true ${P}p2pdma-direct=true ${P}audit=ok
run "$src/examples/workstation-chipset.json"
expect "groups isolated that the hardware does not keep apart: audit unsafe" "$tmp/out" \
	${P}acs-isolation=isolated ${P}p2p-direct=true ${P}p2pdma-direct=true ${P}audit=unsafe
run "$src/tests/fixtures/vm/6.12/ep-mf-noacs-rp/lspci.txt"
expect "functions of one device share a group: isolated, and no pair of devices" "$tmp/out" \
	${P}acs-isolation=isolated ${P}p2p-direct=false ${P}p2pdma-direct=false ${P}audit=ok
grep -qx '# 2 GPU, NIC and NVMe functions, 0 pairs of different devices' "$tmp/out" &&
	ok "the comment counts the devices and pairs" || bad "the comment counts: $(grep '^# [0-9]' "$tmp/out")"

# ACS not read: an lspci -xxx dump (the first 256 bytes of each function)
fx=$src/tests/fixtures/vm/6.12/switch-acs-root/lspci.txt
grep -vE '^[0-9a-f]{3}: ' "$fx" >"$tmp/xxx.txt"
run "$tmp/xxx.txt"
[ $rc -eq 0 ] && expect "lspci -xxx (no extended config space): every label unknown, none safe" "$tmp/out" \
	${P}acs-isolation=unknown ${P}p2p-direct=unknown ${P}p2pdma-direct=unknown ${P}audit=unknown ||
	bad "lspci -xxx: exit $rc"
grep -q "^# 8 functions' ACS was not read" "$tmp/out" && ok "lspci -xxx: a comment says what was not read" ||
	bad "lspci -xxx: no comment on what was not read"
if command -v lspci >/dev/null && lspci -F "$fx" -vvnn 2>/dev/null >"$tmp/t.txt"; then
	# as lspci prints it without root (tests/robust/run.sh makes it the same way)
	awk '/^\tCapabilities:/ { if (!done) print "\tCapabilities: <access denied>"; done = 1; skip = 1; next }
	     skip && /^\t\t/ { next } /^[^\t]/ { done = 0 } { skip = 0; print }' "$tmp/t.txt" >"$tmp/denied.txt"
	run "$tmp/denied.txt"
	[ $rc -eq 0 ] && expect "lspci text with <access denied>: every label unknown" "$tmp/out" \
		${P}acs-isolation=unknown ${P}p2p-direct=unknown ${P}p2pdma-direct=unknown ${P}audit=unknown ||
		bad "<access denied>: exit $rc"
	run "$tmp/t.txt"
	expect "the same text as root: the facts" "$tmp/out" \
		${P}acs-isolation=isolated ${P}p2p-direct=true ${P}p2pdma-direct=true ${P}audit=unsafe
else
	echo "# skip: lspci is missing: no <access denied> text"
fi

# ---- every example and capture: NFD's rules, the documented labels ----
n=0
for f in "$src"/examples/*.json "$src"/tests/fixtures/vm/*/*/lspci.txt "$src"/tests/fixtures/vm-snapshot/*/*/snapshot.txt \
	"$tmp/xxx.txt"; do
	[ -f "$f" ] || continue
	n=$((n + 1))
	if "$acsctl" -F "$f" nfd >"$tmp/all.$n" 2>"$tmp/err"; then
		echo "$tmp/all.$n" >>"$tmp/list"
	else
		bad "nfd of $f: exit $?: $(head -1 "$tmp/err")"
	fi
done
"$acsctl" -F "$fx" nfd --expire-after 1d >"$tmp/all.exp" && echo "$tmp/all.exp" >>"$tmp/list"
"$py" - "$src/doc/nfd.md" "$tmp/list" <<'EOF' && ok "$n inputs: every line a comment or a label NFD and Kubernetes take, the labels of doc/nfd.md" || bad "NFD's rules on $n inputs"
import re, sys

doc, listing = sys.argv[1], sys.argv[2]
# Kubernetes' label rules (apimachinery IsQualifiedName, IsValidLabelValue):
# prefix a DNS subdomain of at most 253, name at most 63 alphanumerics and
# -_. inside, value at most 63 of the same or empty
SUBDOMAIN = re.compile(r'^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$')
NAME = re.compile(r'^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$')
VALUE = re.compile(r'^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$')
EXPIRY = re.compile(r'^# \+expiry-time=\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$')

# the contract: doc/nfd.md's table, `name` | values `a`, `b`
documented = {}
for line in open(doc):
    m = re.match(r'^\| `(feature\.node\.kubernetes\.io/acsctl-[^`]+)` \| (.*?) \|', line)
    if m:
        documented[m.group(1)] = set(re.findall(r'`([^`]+)`', m.group(2)))
assert len(documented) == 4, documented
bad = 0
for path in open(listing).read().split():
    data = open(path, 'rb').read()
    assert len(data) < 65536, path + ": over NFD's 64 KiB"
    text = data.decode('ascii')
    assert text.endswith('\n'), path
    seen = []
    for line in text.split('\n')[:-1]:
        # NFD trims each line, takes '#' as a comment and "# +" as a directive
        if line.startswith('#'):
            if line.startswith('# +') and not EXPIRY.match(line):
                print('#', path, 'a comment NFD takes for a directive:', line); bad += 1
            continue
        if line != line.strip() or '=' not in line:
            print('#', path, 'not NAME=VALUE:', repr(line)); bad += 1
            continue
        key, value = line.split('=', 1)
        prefix, _, name = key.rpartition('/')
        if not (prefix and len(prefix) <= 253 and SUBDOMAIN.match(prefix) and len(name) <= 63 and NAME.match(name)
                and len(value) <= 63 and VALUE.match(value)):
            print('#', path, 'not a valid label:', line); bad += 1
        if key not in documented or value not in documented[key]:
            print('#', path, 'not in doc/nfd.md:', line); bad += 1
        seen.append(key)
    if seen != list(documented):
        print('#', path, 'labels', seen, 'not', list(documented)); bad += 1
sys.exit(1 if bad else 0)
EOF

# ---- --expire-after ----
now=$(date +%s)
run "$fx" --expire-after 15m
when=$(sed -n 's/^# +expiry-time=\(.*\)$/\1/p' "$tmp/out")
t=$(date -d "$when" +%s 2>/dev/null || echo 0)
[ $rc -eq 0 ] && [ "$t" -ge $((now + 900 - 5)) ] && [ "$t" -le $((now + 900 + 60)) ] &&
	[ "$(grep -n '^# +expiry-time=' "$tmp/out" | cut -d: -f1)" -lt "$(grep -n "^$P" "$tmp/out" | head -1 | cut -d: -f1)" ] &&
	ok "--expire-after 15m: # +expiry-time= fifteen minutes on (RFC 3339, UTC), before the labels" ||
	bad "--expire-after 15m: '$when' (exit $rc)"
run "$fx"
grep -q '^# +' "$tmp/out" && bad "no --expire-after: no directive" || ok "no --expire-after: no directive"
wrong=0
for v in 0 -5 15x 1.5h m 99999999999d; do
	run "$fx" --expire-after "$v"
	[ $rc -eq 2 ] && [ "$(wc -l <"$tmp/err")" -eq 1 ] && [ ! -s "$tmp/out" ] || { wrong=1; echo "# --expire-after $v: exit $rc"; }
done
[ $wrong -eq 0 ] && ok "--expire-after refuses 0, -5, 15x, 1.5h, m, past ten years (exit 2, one line)" ||
	bad "--expire-after: a bad duration taken"

# ---- the file: whole, through a hidden temporary, or not at all ----
ex=$src/examples/gpu8-nic8-nvme16.json
mkdir "$tmp/d"
(umask 022; "$acsctl" -F "$ex" nfd -o "$tmp/d/acsctl" >"$tmp/out" 2>"$tmp/err")
rc=$?
[ $rc -eq 0 ] && [ "$(ls -A "$tmp/d")" = acsctl ] && [ "$(stat -c %a "$tmp/d/acsctl")" = 644 ] &&
	grep -q "^wrote $tmp/d/acsctl (NFD feature file, 73 functions)$" "$tmp/out" &&
	ok "-o: written (0644), no temporary left, the answer says what was written" ||
	bad "-o: exit $rc: $(ls -A "$tmp/d") $(head -1 "$tmp/out") $(head -1 "$tmp/err")"
cmp -s "$tmp/d/acsctl" <("$acsctl" -F "$ex" nfd 2>/dev/null) && ok "-o: the same text as standard output" ||
	bad "-o: the same text as standard output"
if command -v strace >/dev/null; then
	strace -f -e trace=rename,renameat,renameat2 -o "$tmp/trace" "$acsctl" -F "$ex" nfd -o "$tmp/d/acsctl" >/dev/null 2>&1
	grep -qE "rename.*\"$tmp/d/\.acsctl\.acsctl-[A-Za-z0-9]{6}\".*\"$tmp/d/acsctl\"" "$tmp/trace" &&
		ok "-o: the temporary is a dot file (NFD skips those), renamed over the file" ||
		bad "-o: the temporary: $(grep rename "$tmp/trace")"
else
	echo "# skip: strace is missing: the temporary's name is not checked"
fi
"$acsctl" -F "$ex" nfd -j >"$tmp/out" 2>"$tmp/err"
[ $? -eq 2 ] && [ "$(wc -l <"$tmp/err")" -eq 1 ] && ok "-j without -o: exit 2" || bad "-j without -o: exit 2"
"$acsctl" -F "$ex" -F "$fx" nfd >"$tmp/out" 2>"$tmp/err"
[ $? -eq 2 ] && grep -q 'one input at a time' "$tmp/err" && ok "two inputs: refused (one host's labels)" ||
	bad "two inputs: $(head -1 "$tmp/err")"
cp "$tmp/d/acsctl" "$tmp/old"
(trap '' XFSZ; ulimit -f 0; exec "$acsctl" -F "$ex" nfd -o "$tmp/d/acsctl") >/dev/null 2>"$tmp/err"
rc=$?
[ $rc -eq 2 ] && cmp -s "$tmp/old" "$tmp/d/acsctl" && [ "$(ls -A "$tmp/d")" = acsctl ] &&
	ok "-o: a failed write leaves the old file and no temporary (exit 2)" ||
	bad "-o: a failed write (exit $rc): $(ls -A "$tmp/d") $(head -1 "$tmp/err")"
# a source that cannot be read whole: every label unknown, exit 2
head -c 3000 "$fx" >"$tmp/cut.txt"
"$acsctl" -F "$tmp/cut.txt" nfd -o "$tmp/d/acsctl" >/dev/null 2>"$tmp/err"
rc=$?
[ $rc -eq 2 ] && [ "$(wc -l <"$tmp/err")" -eq 1 ] && expect "a source cut short: exit 2, one line, every label unknown" "$tmp/d/acsctl" \
	${P}acs-isolation=unknown ${P}p2p-direct=unknown ${P}p2pdma-direct=unknown ${P}audit=unknown ||
	bad "a source cut short: exit $rc, $(head -1 "$tmp/err")"
"$acsctl" -F /nonexistent nfd --expire-after 1h >"$tmp/out" 2>/dev/null
[ $? -eq 2 ] && [ "$(labels "$tmp/out" | grep -c '=unknown$')" -eq 4 ] && grep -q '^# +expiry-time=' "$tmp/out" &&
	ok "a missing source, standard output: every label unknown, the expiry kept, exit 2" ||
	bad "a missing source, standard output"
"$acsctl" -F "$ex" nfd extra >"$tmp/out" 2>"$tmp/err"
[ $? -eq 2 ] && [ ! -s "$tmp/out" ] && ok "an argument: exit 2, nothing written" || bad "an argument: exit 2"

# ---- the units (meson made the service; the timer as it is) ----
check_units "$unit" "$src/contrib/acsctl-nfd.timer" \
	"nfd -o /etc/kubernetes/node-feature-discovery/features.d/acsctl --expire-after 15m"

finish
