#!/bin/bash
# The bash completion meson made (acsctl --completion bash, installed as
# share/bash-completion/completions/acsctl): sourced in bash and asked as
# bash asks it (COMP_WORDS, COMP_CWORD), it offers each command the
# options its --help lists and no other, and the values of options.
# Usage: completion.sh ACSCTL COMPLETION
set -u
acsctl=$1
script=$2
. "$(dirname "$0")/lib.sh"

"$acsctl" --completion bash >"$tmp/now" && cmp -s "$tmp/now" "$script" &&
	ok "the built script is acsctl --completion bash's" || bad "the built script is not acsctl --completion bash's"
bash -n "$script" && ok "bash -n" || bad "bash -n: a syntax error"
# shellcheck source=/dev/null
source "$script"
complete -p acsctl 2>/dev/null | grep -q -- '-F _acsctl acsctl$' && ok "complete -F _acsctl acsctl" ||
	bad "complete -F _acsctl acsctl: $(complete -p acsctl 2>&1)"

# offers WORD...: what the completion offers for the last word, sorted, one a line
offers() {
	COMP_WORDS=("$@")
	COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
	COMP_LINE="$*"
	COMP_POINT=${#COMP_LINE}
	COMPREPLY=()
	_acsctl
	printf '%s\n' "${COMPREPLY[@]}" | sed '/^$/d' | sort
}
# has NAME WORD WORDS...: WORD is among the offers
has() {
	local name=$1 w=$2
	shift 2
	offers "$@" | grep -qxF -- "$w" && ok "$name" || bad "$name (offers: $(offers "$@" | tr '\n' ' '))"
}
hasnt() {
	local name=$1 w=$2
	shift 2
	! offers "$@" | grep -qxF -- "$w" && ok "$name" || bad "$name (offers: $(offers "$@" | tr '\n' ' '))"
}

has "apply --<TAB>: --yes" --yes acsctl apply --
hasnt "show --<TAB>: no --yes" --yes acsctl show --
has "apply --y<TAB>: --yes, options before it" --yes acsctl -F dump.txt --kernel 6.1 apply --y
[ "$(offers acsctl apply --y)" = --yes ] && ok "apply --y: --yes alone" || bad "apply --y: $(offers acsctl apply --y)"
has "plan --is<TAB>: --isolate" --isolate acsctl plan --is
hasnt "p2p --is<TAB>: no --isolate" --isolate acsctl p2p --is
has "p2p --c<TAB>: --cpu" --cpu acsctl p2p --c
has "pe: --allocate" --allocate acsctl --platform phb4 pe --
hasnt "groups: no --allocate" --allocate acsctl groups --
hasnt "synth: no -F" -F acsctl synth -
has "synth: --functions" --functions acsctl synth --
has "no command: --version" --version acsctl --
hasnt "apply: no --version" --version acsctl apply --
hasnt "--completion is hidden" --completion acsctl --
# values that split at ':' and '=' (COMP_WORDBREAKS) before the command
has "-s 00:02.0 groups --ch<TAB>" --check acsctl -s 00 : 02.0 groups --ch
has "--kernel=6.1 apply --ro<TAB>" --rollback acsctl --kernel = 6.1 apply --ro
has "-F FILE groups -<TAB>: -m" -m acsctl -F groups.txt groups -

# commands: the list of acsctl --help
"$acsctl" --help >"$tmp/help"
sed -n '/^Commands:/,/^$/p' "$tmp/help" | awk 'NR > 1 && $1 !~ /^\(/ && NF { print $1 }' | sort >"$tmp/cmds"
offers acsctl "" >"$tmp/offered"
cmp -s "$tmp/cmds" "$tmp/offered" && ok "the commands of --help" ||
	bad "commands: --help $(tr '\n' ' ' <"$tmp/cmds"), offered $(tr '\n' ' ' <"$tmp/offered")"
has "after -F FILE: commands" groups acsctl -F dump.txt gr
has "help <TAB>: commands" plan acsctl help pl

# every command: exactly the names its --help lists
for c in $(grep -vx help "$tmp/cmds"); do
	"$acsctl" "$c" --help | sed -n 's/^  \(-[a-zA-Z]\)\(, \(--[a-z0-9-]*\)\)\{0,1\}[ ,].*/\1 \3/p; s/^  \(--[a-z0-9-]*\)\([ ,].*\)\{0,1\}$/\1/p' |
		tr ' ' '\n' | sed '/^$/d' | sort >"$tmp/want"
	offers acsctl "$c" - >"$tmp/have"
	[ -s "$tmp/want" ] && cmp -s "$tmp/want" "$tmp/have" && ok "$c: the options of $c --help" ||
		bad "$c: --help $(tr '\n' ' ' <"$tmp/want"), offered $(tr '\n' ' ' <"$tmp/have")"
done

# values
[ "$(offers acsctl --cpu "" | tr '\n' ' ')" = "amd-zen other " ] && ok "--cpu: amd-zen other" ||
	bad "--cpu: $(offers acsctl --cpu "")"
[ "$(offers acsctl groups --pe-policy "" | tr '\n' ' ')" = "bus device slot " ] && ok "--pe-policy: bus device slot" ||
	bad "--pe-policy: $(offers acsctl groups --pe-policy "")"
for p in $(offers acsctl --platform ""); do
	"$acsctl" -F /dev/null --platform "$p" pe 2>&1 | grep -q -- '--platform:' &&
		bad "--platform $p is offered, not known" || ok "--platform: $p, a platform acsctl knows"
done
has "--platform: powernv9" powernv9 acsctl --platform ""
has "--format: dump" dump acsctl synth --format ""
mkdir -p "$tmp/d/sub" && : >"$tmp/d/lspci.txt"
has "-F: a file" "$tmp/d/lspci.txt" acsctl -F "$tmp/d/l"
has "--from=: a file" "$tmp/d/lspci.txt" acsctl apply --from = "$tmp/d/l"
has "--sysfs: a directory" "$tmp/d/sub" acsctl --sysfs "$tmp/d/s"
hasnt "--sysfs: not a file" "$tmp/d/lspci.txt" acsctl --sysfs "$tmp/d/l"
[ -z "$(offers acsctl --kernel "")" ] && ok "--kernel: nothing offered" || bad "--kernel: $(offers acsctl --kernel "")"
has "snapshot FILE" "$tmp/d/lspci.txt" acsctl snapshot "$tmp/d/l"

finish
