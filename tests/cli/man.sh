#!/bin/bash
# The man page and the boot unit as a package installs them: the page
# renders without warnings and describes every command and option of
# acsctl --help, and lists the options each command takes as its --help
# does; acsctl --version, the page and the package's changelog carry
# meson.build's version; the unit meson made from
# contrib/acsctl-apply.service.in passes systemd-analyze verify with
# acsctl and the page where it names them, and systemd-analyze security
# rates it 2.5 or better.
# Usage: man.sh ACSCTL SRCDIR UNIT
set -u
acsctl=$1
src=$2
page=$src/doc/acsctl.8
unit=$3
. "$(dirname "$0")/lib.sh"

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

# options: every one acsctl --help lists (all the options of all the
# commands, from the tables in src/cli/options.c), as \-\-name or \-c
optnames() { sed -n 's/^  \(-[a-zA-Z]\)\(, \(--[a-z0-9-]*\)\)\{0,1\}[ ,].*/\1 \3/p; s/^  \(--[a-z0-9-]*\)\([ ,].*\)\{0,1\}$/\1/p'; }
opts=$(optnames <"$tmp/help" | tr ' ' '\n' | sed '/^$/d' | sort -u)
[ "$(wc -w <<<"$opts")" -gt 30 ] && ok "options read from acsctl --help" || bad "options read from acsctl --help"
for o in $opts; do
	# in roff, not the start of a longer name
	pat=${o//-/'\\-'}'(?![a-zA-Z0-9]|\\-)'
	grep -qP -- "$pat" "$page" && ok "man: $o" || bad "man: $o is not described"
done

# OPTIONS BY COMMAND: for each command, the options its --help lists (the
# first name of each, -h left out: every command takes it), no more
# (ACSCTL_UPDATE_DOCS=1 rewrites each list from --help)
takes() { "$acsctl" "$1" --help | sed -n 's/^  \(-[^ ,]*\).*/\1/p' | grep -vx -- -h; }
if [ "${ACSCTL_UPDATE_DOCS:-0}" = 1 ]; then
	for c in $cmds; do
		[ "$c" = help ] && continue
		list=$(takes "$c" | sed 's/-/\\-/g; s/.*/\\fB&\\fP/' | paste -sd, | sed 's/,/, /g' | fold -s -w 72 |
			sed 's/ $//')
		LIST=$list awk -v c="$c" '/^\.SH / { sec = /^\.SH OPTIONS BY COMMAND/ }
			skip && /^\.(TP|SH)/ { skip = 0 } skip { next } { print }
			sec && prev == ".TP" && $1 == ".B" && $2 == c { print ENVIRON["LIST"]; skip = 1 } { prev = $0 }' \
			"$page" >"$tmp/page" && cat "$tmp/page" >"$page"
	done
fi
section=$(sed -n '/^\.SH OPTIONS BY COMMAND/,/^\.SH /p' "$page")
[ -n "$section" ] && ok "man: OPTIONS BY COMMAND" || bad "man: no OPTIONS BY COMMAND section"
for c in $cmds; do
	[ "$c" = help ] && continue
	want=$(takes "$c" | sort | tr '\n' ' ')
	have=$(awk -v c="$c" 'on && /^\.(TP|SH)/ { exit } on { print } prev == ".TP" && $1 == ".B" && $2 == c { on = 1 }
		{ prev = $0 }' <<<"$section" | grep -oP '\\-(\\-[a-z0-9]+(\\-[a-z0-9]+)*|[a-zA-Z](?![a-zA-Z0-9]))' |
		sed 's/\\-/-/g' | sort | tr '\n' ' ')
	[ -n "$want" ] && [ "$want" = "$have" ] && ok "man: the options $c takes" ||
		bad "man: $c takes '$want' (acsctl $c --help), the page says '$have'"
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
if command -v man >/dev/null; then
	unit_sandbox "$unit"
else
	echo "# skip: man is missing"
fi

# one version: meson.build, acsctl --version (meson passes it), the
# package's changelog, the page's .TH line
v=$(sed -n "s/^  version : '\([^']*\)',$/\1/p" "$src/meson.build")
[ -n "$v" ] && ok "meson.build: version $v" || bad "meson.build: no version"
[ "$("$acsctl" --version)" = "acsctl $v" ] && ok "acsctl --version: $v" ||
	bad "acsctl --version says '$("$acsctl" --version)', meson.build '$v'"
head -1 "$src/packaging/debian/changelog" | grep -qF "acsctl ($v)" && ok "packaging/debian/changelog: $v" ||
	bad "packaging/debian/changelog: $(head -1 "$src/packaging/debian/changelog"), meson.build '$v'"
grep -q "^\.TH ACSCTL 8 \"[^\"]*\" \"acsctl ${v//./\\.}\" " "$page" && ok "doc/acsctl.8: .TH acsctl $v" ||
	bad "doc/acsctl.8: $(grep '^\.TH' "$page"), meson.build '$v'"

finish
