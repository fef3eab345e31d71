#!/bin/bash
# The man page and the boot unit as a package installs them: the page
# renders without warnings and describes every command of acsctl --help
# and every long option acsctl takes; the unit meson made from
# contrib/acsctl-apply.service.in passes systemd-analyze verify with
# acsctl and the page where it names them, and systemd-analyze security
# rates it 2.5 or better.
# Usage: man.sh ACSCTL SRCDIR UNIT
set -u
acsctl=$1
src=$2
page=$src/doc/acsctl.8
unit=$3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0
ok() { pass=$((pass + 1)); echo "ok - $1"; }
bad() { fail=$((fail + 1)); echo "not ok - $1"; }

if command -v groff >/dev/null; then
	groff -man -ww -z "$page" 2>"$tmp/warn"
	[ ! -s "$tmp/warn" ] && ok "groff: no warnings" || bad "groff: $(head -3 "$tmp/warn")"
else
	echo "# skip: groff is missing (apt-get install groff-base)"
fi

# commands: the --help list, each an entry of its own in the page
"$acsctl" --help >"$tmp/help"
cmds=$(sed -n '/^Commands:/,/^$/p' "$tmp/help" | awk 'NR > 1 && $1 !~ /^\(/ && NF { print $1 }')
[ -n "$cmds" ] && ok "--help lists commands" || bad "--help lists commands"
for c in $cmds; do
	awk -v c="$c" 'prev == ".TP" && ($1 == ".B" || $1 == ".BR") && $2 == c { found = 1 } { prev = $0 }
		END { exit !found }' "$page" && ok "man: command $c" || bad "man: command $c is not described"
done

# long options: every one main.c takes, as \-\-name in the page
opts=$(sed -n '/^static const struct option longopts/,/^};/p' "$src/src/cli/main.c" | sed -n 's/^[[:space:]]*{ "\([a-z0-9-]*\)".*/\1/p')
[ "$(wc -w <<<"$opts")" -gt 20 ] && ok "options read from main.c" || bad "options read from main.c"
for o in $opts; do
	# \-\-NAME in roff, not the start of a longer name
	pat='\\-\\-'${o//-/'\\-'}'(?![a-z0-9]|\\-)'
	grep -qP -- "$pat" "$page" && ok "man: --$o" || bad "man: --$o is not described"
done

# the unit, with acsctl and this page where they are installed
grep -q '^Documentation=man:acsctl(8)$' "$unit" && grep -q '^\.TH ACSCTL 8 ' "$page" &&
	ok "unit names this page" || bad "unit names this page"
# meson filled in the paths: acsctl where this prefix installs it
exe=$(sed -n 's/^ExecStart=\([^ ]*\).*/\1/p' "$unit")
case $exe in
/*/acsctl) ok "ExecStart: $exe" ;;
*) bad "ExecStart is not an absolute path to acsctl: '$exe'" ;;
esac
! grep -q '@[a-z_]*@' "$unit" && ok "unit: every @placeholder@ filled in" || bad "unit: $(grep '@[a-z_]*@' "$unit" | head -1)"
if command -v systemd-analyze >/dev/null && command -v man >/dev/null; then
	mkdir -p "$tmp/root${exe%/*}" "$tmp/root/lib/systemd/system" "$tmp/man/man8"
	cp "$acsctl" "$tmp/root$exe"
	cp "$unit" "$tmp/root/lib/systemd/system/acsctl-apply.service"
	cp "$page" "$tmp/man/man8/"
	MANPATH=$tmp/man systemd-analyze --root="$tmp/root" verify \
		"$tmp/root/lib/systemd/system/acsctl-apply.service" >"$tmp/out" 2>&1
	rc=$?
	[ $rc -eq 0 ] && [ ! -s "$tmp/out" ] && ok "systemd-analyze verify" ||
		bad "systemd-analyze verify (exit $rc): $(head -3 "$tmp/out")"
	# the sandbox (systemd 252 rates a unit file offline): 2.5 or better
	(cd "$tmp" && systemd-analyze security --offline=yes --threshold=25 --root="$tmp/root" \
		"$tmp/root/lib/systemd/system/acsctl-apply.service") >"$tmp/sec" 2>&1
	rc=$?
	score=$(sed -n 's/^.*Overall exposure level for acsctl-apply.service: \([0-9.]*\).*/\1/p' "$tmp/sec")
	[ $rc -eq 0 ] && [ -n "$score" ] && ok "systemd-analyze security: exposure $score" ||
		bad "systemd-analyze security (exit $rc): exposure '${score:-?}' above 2.5: $(grep '^✗' "$tmp/sec" | head -3)"
else
	echo "# skip: systemd-analyze or man is missing"
fi

# one version: meson.build, the package's changelog, the page
v=$(sed -n "s/^  version : '\([^']*\)',$/\1/p" "$src/meson.build")
[ -n "$v" ] && head -1 "$src/packaging/debian/changelog" | grep -qF "acsctl ($v)" &&
	grep -qF "\"acsctl $v\"" "$page" && ok "version $v everywhere" ||
	bad "versions differ: meson.build '$v', packaging/debian/changelog, doc/acsctl.8"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
