#!/bin/bash
# acsctl against NVIDIA's rdma_topo (rdma-core kernel-boot/rdma_topo), the
# only other ACS planner, on rdma_topo's own shapes (issue 16 item 6).
# tests/fixtures/rdma-topo/ holds each shape as a topology (SHAPE.json), the
# same fabric in rdma_topo's dump format and rdma_topo's recorded answers
# (SHAPE.rdma_topo.txt, by record.sh, the rdma-core commit named there).
# For each shape this reads rdma_topo's ACS changes (its `check` lines:
# control before and after, port by port) and its config_acs parameter
# (`write-grub-acs -n`), boots the shape with that parameter in acsctl
# (--cmdline) and asks acsctl plan for what rdma_topo sets the shape up for,
# then checks:
#   - acsctl boots rdma_topo's parameter to the values its setpci-acs writes;
#   - the audit with rdma_topo's settings: OK, or what rdma_audit records;
#   - each plan clears no more ACS bits, and sets no more, than rdma_topo;
#   - the audit after each plan is OK (no unsafe pair);
#   - the groups after each plan are rdma_topo's groups or finer (every
#     group after the plan lies inside one of rdma_topo's).
# Where rdma_topo refuses a shape (dma-direct-nvme) acsctl must still plan
# it, with its audit after OK.
# Where rdma_topo changes nothing (its NUMA shapes: NIC and GPU on root
# ports of their own) acsctl's plan must be infeasible (their P2P goes
# through the host bridge, which ACS cannot open) and change nothing.
#
# Checks known to fail today are listed in KNOWN_FAIL below (one name a
# line; ACSCTL_RDMA_TOPO_XFAIL, when set, replaces the list): such a check
# that fails is reported "not ok ... # TODO known failure" and does not fail
# the test; one that passes is an unexpected pass and fails the test, so
# that its name is taken off the list.
# Usage: rdma-topo.sh ACSCTL SOURCE_ROOT
set -u
acsctl=$1
dir=$2/tests/fixtures/rdma-topo
py=/usr/bin/python3
[ -x "$py" ] || py=python3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Bits are compared where rdma_topo's settings give the intent (acsctl's
# plan of the intent on the fabric as rdma_topo leaves it changes nothing):
# its DMA-Direct answer lets the GPU's own requests to the DMA function go
# through the root complex, and its inline --virt answer the GPU's
# translated requests, so the two-way intents (--p2p, --p2p-translated) are
# more than rdma_topo gives and their bits are not compared (the check says
# so, and fails should rdma_topo's settings ever give them).
KNOWN_FAIL=${ACSCTL_RDMA_TOPO_XFAIL-""}

# What acsctl's audit says of the fabric as rdma_topo's settings leave it
# (verdict, number of unsafe findings), where it is not "ok 0": on
# inline-x2-bf3 rdma_topo's --no-virt answer clears SV RR CR UF on the
# BlueField-3's switch ports too, which are in no complex, but not SV on
# the root port above them: Linux then gives the BlueField's two functions
# groups of their own though each reaches the other without the IOMMU.
declare -A rdma_audit=([inline-x2-bf3]="fail 1")

pass=0 fail=0 xfail=0 xpass=0
known() { printf '%s\n' "$KNOWN_FAIL" | grep -qxF -- "$1"; }
# check NAME DETAIL STATUS: one result; STATUS 0 is a pass
check() {
	if [ "$3" = 0 ]; then
		if known "$1"; then
			xpass=$((xpass + 1))
			echo "not ok - $1 ($2) # unexpected pass: take it off KNOWN_FAIL in $0"
		else
			pass=$((pass + 1))
			echo "ok - $1 ($2)"
		fi
	elif known "$1"; then
		xfail=$((xfail + 1))
		echo "not ok - $1 ($2) # TODO known failure"
	else
		fail=$((fail + 1))
		echo "not ok - $1 ($2)"
	fi
}

# rdma_topo's changes in a recorded answer: "BDF BEFORE AFTER" lines from
# the first `check -F` section (before anything was set)
rdma_changes() {
	sed -n '/^\$ rdma_topo check -F [^ ]*\.sysfs\.json$/,/^# exit/p' "$1" |
		sed -n '1,/^# exit/s/^FAIL\tACS for [a-z0-9_]* \([0-9a-f:.]*\) has incorrect values .*(0x\([0-9a-f]*\) != 0x\([0-9a-f]*\))$/\1 \2 \3/p'
}
# its config_acs parameter (write-grub-acs -n, its own virt guess)
rdma_param() {
	sed -n 's/^GRUB_CMDLINE_LINUX=.* pci=config_acs=\\"\(.*\)\\""$/\1/p' "$1" | head -n 1
}
# its setpci-acs -n values: "BDF AFTER" lines
rdma_setpci() {
	sed -n 's/^setpci -r -s \([0-9a-f:.]*\) ECAP_ACS+0x6\.w=\([0-9a-f]*\)$/\1 \2/p' "$1"
}
# bits CHANGES: cleared and set bits of "BDF BEFORE AFTER" lines
bits() {
	"$py" -c '
import sys
c = s = 0
for line in sys.stdin:
    _, b, a = line.split()
    b, a = int(b, 16), int(a, 16)
    c += bin(b & ~a).count("1")
    s += bin(a & ~b).count("1")
print(c, s)'
}
# finer A B: every group of `groups -m` file A lies inside one of B's
finer() {
	"$py" - "$1" "$2" <<'EOF'
import sys
def parts(p):
    g = {}
    for line in open(p):
        n, bdf = line.split()
        g.setdefault(n, set()).add(bdf)
    return list(g.values())
a, b = parts(sys.argv[1]), parts(sys.argv[2])
bad = [sorted(x) for x in a if not any(x <= y for y in b)]
for x in bad:
    print("not inside one of rdma_topo's groups:", " ".join(x))
sys.exit(1 if bad else 0)
EOF
}
# jget FILE EXPR: a value of a JSON answer (d is the document)
jget() {
	"$py" -c 'import json, sys; d = json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2"
}

# the shapes and their intents: tests/fixtures/rdma-topo/shapes.txt
shapes=$(sed -n 's/^\([a-z0-9-]*\) .*/\1/p' "$dir/shapes.txt" | uniq)
[ -n "$shapes" ] && st=0 || st=1
check "shapes.txt names the shapes" "${shapes//$'\n'/ }" "$st"
for shape in $shapes; do
	topo=$dir/$shape.json
	rec=$dir/$shape.rdma_topo.txt
	if [ ! -f "$topo" ] || [ ! -f "$rec" ]; then
		check "$shape: fixture and recorded answer" "missing $topo or $rec" 1
		continue
	fi
	# the answer was recorded on this very fabric
	have=$(sha256sum <"$topo" | cut -d' ' -f1)
	grep -qx "# shape: $shape.json sha256 $have" "$rec" && st=0 || st=1
	check "$shape: rdma_topo's answer was recorded on $shape.json as it is" \
		"$(grep -m1 '^# shape:' "$rec" || echo 'no "# shape:" line'); now $have; else run record.sh" "$st"
	rdma_changes "$rec" >"$tmp/$shape.rchg"
	param=$(rdma_param "$rec")
	# a shape rdma_topo refuses: acsctl must still plan it, audit after OK
	refused=$(sed -n '/^\$ rdma_topo write-grub-acs -n$/,/^# exit/s/^E: //p' "$rec")
	read -r rclr rset < <(bits <"$tmp/$shape.rchg")
	if [ -n "$refused" ]; then
		echo "# $shape: rdma_topo refuses it: $refused"
	else
		echo "# $shape: rdma_topo clears $rclr, sets $rset ACS bits: pci=config_acs=$param"
	fi

	# rdma_topo's settings booted in acsctl
	if [ -n "$param" ]; then
		cl=(--cmdline "pci=config_acs=$param")
	else
		cl=()
	fi
	"$acsctl" -F "$topo" --kernel 6.12 "${cl[@]}" show -j >"$tmp/$shape.show.json"
	"$py" -c '
import json, sys
d = json.load(open(sys.argv[1]))
for f in d["functions"]:
    if f.get("acs"):
        print(f["address"], f["acs"]["ctrl"])' "$tmp/$shape.show.json" | sort >"$tmp/$shape.booted"
	bad=$(rdma_setpci "$rec" | while read -r bdf v; do
		grep -qx "$bdf $v" "$tmp/$shape.booted" || echo "$bdf: setpci $v, acsctl $(grep "^$bdf " "$tmp/$shape.booted")"
	done)
	[ -z "$bad" ] && st=0 || st=1
	check "$shape: acsctl boots rdma_topo's config_acs to its setpci values" "${bad:-$(rdma_setpci "$rec" | wc -l) ports}" "$st"
	# the ports rdma_topo changes are those its setpci writes
	cut -d' ' -f1,3 "$tmp/$shape.rchg" | sed 's/ 0*\([0-9a-f]\)/ \1/' | sort >"$tmp/a"
	rdma_setpci "$rec" | sed 's/ 0*\([0-9a-f]\)/ \1/' | sort >"$tmp/b"
	cmp -s "$tmp/a" "$tmp/b" && st=0 || st=1
	check "$shape: rdma_topo's check and setpci-acs agree" "$(wc -l <"$tmp/a") ports" "$st"

	"$acsctl" -F "$topo" --kernel 6.12 "${cl[@]}" groups -m >"$tmp/$shape.rgroups"
	"$acsctl" -F "$topo" --kernel 6.12 "${cl[@]}" audit -j >"$tmp/$shape.raudit.json"
	v=$(jget "$tmp/$shape.raudit.json" 'd["verdict"] + " " + str(len(d["unsafe"]))')
	want=${rdma_audit[$shape]-ok 0}
	[ "$v" = "$want" ] && st=0 || st=1
	check "$shape: the audit with rdma_topo's settings says $want" "verdict, unsafe: $v; groups: $(cut -d' ' -f1 "$tmp/$shape.rgroups" | sort -u | wc -l)" "$st"

	while read -r intent; do
		opts=()
		IFS='|' read -ra parts <<<"$intent"
		for o in "${parts[@]}"; do
			opts+=("${o%%=*}" "${o#*=}")
		done
		name="$shape ${opts[0]}"
		arg="${opts[*]:1}"
		out=$tmp/$shape.plan.json
		rc=0
		"$acsctl" -F "$topo" --kernel 6.12 plan "${opts[@]}" -j >"$out" 2>"$tmp/err" </dev/null || rc=$?
		if ! "$py" -c 'import json, sys; json.load(open(sys.argv[1]))' "$out" 2>/dev/null; then
			check "$name $arg: plan answers" "exit $rc: $(head -c 300 "$tmp/err")" 1
			continue
		fi
		feasible=$(jget "$out" 'd["feasible"]')
		if [ -n "$refused" ]; then
			v=$(jget "$out" 'd["verdict"] + " " + str(len(d.get("audit", {}).get("unsafe", [])))')
			[ "$rc" = 0 ] && [ "$feasible" = True ] && [ "$v" = "ok 0" ] && st=0 || st=1
			check "$name $arg: planned, audit after OK, where rdma_topo refuses the shape" \
				"exit $rc, feasible $feasible, verdict and unsafe: $v; rdma_topo: $refused" "$st"
			continue
		fi
		if [ ! -s "$tmp/$shape.rchg" ]; then
			# rdma_topo changes nothing here: neither may acsctl
			[ "$rc" = 1 ] && [ "$feasible" = False ] && st=0 || st=1
			check "$name $arg: infeasible, as rdma_topo changes nothing" \
				"exit $rc, feasible $feasible: $(jget "$out" '"; ".join(d.get("conflicts", []))')" "$st"
			continue
		fi
		[ "$rc" = 0 ] && [ "$feasible" = True ] && st=0 || st=1
		check "$name $arg: plan feasible" "exit $rc, feasible $feasible" "$st"
		[ "$st" = 0 ] || continue
		jget "$out" '"\n".join(c["device"] + " " + c["acs_ctl_before"] + " " + c["acs_ctl_after"] for c in d["changes"])' >"$tmp/achg"
		read -r aclr aset < <(bits <"$tmp/achg")
		# does rdma_topo's answer give this intent at all?
		"$acsctl" -F "$topo" --kernel 6.12 "${cl[@]}" plan "${opts[@]}" --allow-unsafe-groups -j \
			>"$tmp/rplan.json" 2>/dev/null </dev/null
		rgives=$(jget "$tmp/rplan.json" 'str(d["feasible"] and not d["changes"])')
		if [ "$rgives" = True ]; then
			[ "$aclr" -le "$rclr" ] && st=0 || st=1
			check "$name: clears no more ACS bits than rdma_topo" "acsctl $aclr, rdma_topo $rclr" "$st"
			[ "$aset" -le "$rset" ] && st=0 || st=1
			check "$name: sets no more ACS bits than rdma_topo" "acsctl $aset, rdma_topo $rset" "$st"
		else
			[ "$rgives" = False ] && st=0 || st=1
			check "$name: rdma_topo's settings do not give this intent: bits not compared" \
				"acsctl clears $aclr, sets $aset; rdma_topo clears $rclr, sets $rset and would need $(jget "$tmp/rplan.json" 'str(len(d.get("changes", [])))') more ports changed" "$st"
		fi
		v=$(jget "$out" 'd["verdict"] + " " + str(len(d["audit"]["unsafe"]))')
		[ "$v" = "ok 0" ] && st=0 || st=1
		check "$name: the audit after is OK" "verdict, unsafe: $v" "$st"
		jget "$out" '"\n".join(str(g["id"]) + " " + x for g in d["groups"] for x in g["devices"])' >"$tmp/agroups"
		why=$(finer "$tmp/agroups" "$tmp/$shape.rgroups") && st=0 || st=1
		check "$name: groups after are rdma_topo's or finer" \
			"${why:-acsctl $(cut -d' ' -f1 "$tmp/agroups" | sort -u | wc -l) groups, rdma_topo $(cut -d' ' -f1 "$tmp/$shape.rgroups" | sort -u | wc -l)}" "$st"
	done < <(sed -n "s/^$shape \(.*\)/\1/p" "$dir/shapes.txt")
done

echo "# $pass passed, $fail failed, $xfail known failures, $xpass unexpected passes"
[ "$fail" = 0 ] && [ "$xpass" = 0 ]
