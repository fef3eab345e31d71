#!/bin/bash
# acsctl report as a person sees it: every example, three VM captures, a
# synthetic fabric of many groups and one twelve switches deep, each
# written as a report, opened in
# headless Chromium; a screenshot of each kept under OUTDIR
# (build/report-screens/NAME.png) and the page's DOM measured by
# tests/cli/report-check.js, injected into a copy: every function has a
# box with its whole name, no text leaves its box, no boxes overlap, no two groups look alike,
# every unsafe pair of the audit (audit -j, its routes) is an arc between
# the two boxes, the picture as wide as the page. Skipped (77) where
# chromium is missing (Debian 12: apt-get install chromium).
# Usage: report-browser.sh ACSCTL SRCDIR OUTDIR
set -u
acsctl=$1
src=$2
outdir=$3
if ! command -v chromium >/dev/null; then
	echo "# skip: chromium is missing (Debian 12: apt-get install chromium)"
	exit 77
fi
. "$(dirname "$0")/lib.sh"
mkdir -p "$outdir" || exit 1

# one Chromium a page, its own profile; slow on a loaded machine
browse() {
	timeout 180 chromium --headless --no-sandbox --disable-gpu --user-data-dir="$tmp/profile" \
		--window-size=1600,2400 --hide-scrollbars "$@" 2>>"$tmp/chromium.log"
}

# what the DOM must hold, from acsctl's JSON of the same input: the
# function count, then one "pair A B" line per unordered pair of functions
# an unsafe route names (its first device with each other one)
expected() {
	"$acsctl" -F "$1" audit -j | "$py" -c '
import json, sys
d = json.load(sys.stdin)
pairs = set()
for issue in d["unsafe"]:
    for r in issue["routes"]:
        for other in r["devices"][1:]:
            pairs.add(" ".join(sorted((r["devices"][0], other))))
print("boxes=%d" % d["function_count"])
print("arcs=%d" % len(pairs))
for p in sorted(pairs):
    print("pair " + p)
'
}

check_page() {
	local input=$1 name=$2 html="$tmp/$2.html" dom="$tmp/$2.dom"

	if ! "$acsctl" -F "$input" report "$html" >/dev/null 2>"$tmp/err"; then
		bad "$name: report written"
		cat "$tmp/err"
		return
	fi
	rm -f "$outdir/$name.png"
	browse --screenshot="$outdir/$name.png" "file://$html" >/dev/null
	[ -s "$outdir/$name.png" ] && ok "$name: screenshot $outdir/$name.png" || bad "$name: screenshot"
	{
		sed '/<\/body>/,$d' "$html"
		echo "<script>"
		cat "$src/tests/cli/report-check.js"
		echo "</script>"
		echo "</body></html>"
	} >"$tmp/$name-check.html"
	browse --run-all-compositor-stages-before-draw --virtual-time-budget=10000 --dump-dom \
		"file://$tmp/$name-check.html" >"$dom"
	# the verdict: the <pre> block's lines
	sed -n '/<pre id="acsctl-check">/,/<\/pre>/p' "$dom" | sed '1d;$d' >"$tmp/$name.verdict"
	if [ ! -s "$tmp/$name.verdict" ]; then
		bad "$name: the checker ran in Chromium"
		tail -5 "$tmp/chromium.log"
		return
	fi
	expected "$input" >"$tmp/$name.want"
	grep -E '^(boxes|arcs)=' "$tmp/$name.verdict" >"$tmp/$name.got"
	grep '^pair ' "$tmp/$name.verdict" >>"$tmp/$name.got"
	if cmp -s "$tmp/$name.want" "$tmp/$name.got"; then
		ok "$name: every function a box, every unsafe pair an arc ($(head -2 "$tmp/$name.want" | tr '\n' ' '))"
	else
		bad "$name: every function a box, every unsafe pair an arc"
		diff "$tmp/$name.want" "$tmp/$name.got" | sed 's/^/# /'
	fi
	grep -qx 'overflow=0' "$tmp/$name.verdict" && grep -qx 'overlap=0' "$tmp/$name.verdict" &&
		grep -qx 'loose=0' "$tmp/$name.verdict" && ok "$name: no text past its box, no box on another, arcs end at their boxes" ||
		bad "$name: no text past its box, no box on another, arcs end at their boxes"
	grep -qx 'cut=0' "$tmp/$name.verdict" && ok "$name: every name whole in its box" ||
		bad "$name: every name whole in its box"
	local groups looks want
	groups=$(sed -n 's/^groups=//p' "$tmp/$name.verdict")
	looks=$(sed -n 's/^looks=//p' "$tmp/$name.verdict")
	want=$("$acsctl" -F "$input" groups -j | "$py" -c 'import json, sys; print(len(json.load(sys.stdin)["groups"]))')
	[ "$groups" = "$want" ] && [ "$groups" = "$looks" ] && ok "$name: $groups groups (groups -j: $want), $looks looks" ||
		bad "$name: $groups groups (groups -j: $want), $looks looks"
	# as wide as the page, unless that would blow it up past 1.25 times
	local page scale
	page=$(sed -n 's/^page=//p' "$tmp/$name.verdict")
	scale=$(sed -n 's/^scale=//p' "$tmp/$name.verdict")
	{ [ "${page:-0}" -ge 90 ] || awk -v s="${scale:-0}" 'BEGIN { exit !(s >= 1.24) }'; } &&
		ok "$name: the picture takes $page% of the page's width at scale $scale" ||
		bad "$name: the picture takes $page% of the page's width at scale $scale"
	grep '^bad ' "$tmp/$name.verdict" | head -10 | sed 's/^/# /'
}

for f in "$src"/examples/*.json; do
	check_page "$f" "$(basename "$f" .json)"
done
# VM captures whose audit finds unsafe pairs: across a switch, inside a
# multifunction device, with SR-IOV
for d in kitchen-sink-1 sriov-mf switch-acs-root; do
	check_page "$src/tests/fixtures/vm/6.12/$d/lspci.txt" "vm-6.12-$d"
done
# past the palette's 20 colours and its 160 hatched looks: 198 groups
"$acsctl" synth --functions 500 --seed 5 -o "$tmp/synth.json" >/dev/null
check_page "$tmp/synth.json" synth-500

# a wide fabric: twelve switches deep (25 levels), long names at the
# bottom, a port without ACS at every level
"$py" - >"$tmp/deep.json" <<'PY'
import json
def chain(n):
    if n == 0:
        return [{"slot": "00.0", "type": "endpoint", "vendor": "10de", "device": "2330"},
                {"slot": "00.1", "type": "endpoint", "vendor": "8086", "device": "1572"}]
    return [{"slot": "00.0", "type": "upstream-port", "vendor": "1000", "device": "c010", "children": [
        {"slot": "00.0", "type": "downstream-port", "vendor": "1000", "device": "c010", "acs": {},
         "children": chain(n - 1)},
        {"slot": "01.0", "type": "downstream-port", "vendor": "1000", "device": "c010",
         "children": [{"slot": "00.0", "type": "endpoint", "vendor": "15b3", "device": "1021"}]}]}]
print(json.dumps({"acsctl-topology": 1, "roots": [{"functions": [
    {"slot": "00.0", "type": "host-bridge", "vendor": "8086", "device": "09a2"},
    {"slot": "02.0", "type": "root-port", "acs": {}, "vendor": "8086", "device": "347a", "children": chain(12)}]}]}))
PY
check_page "$tmp/deep.json" deep-12-switches

finish
