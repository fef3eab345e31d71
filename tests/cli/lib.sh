# Shared by the tests/cli scripts: a scratch directory removed at exit, the
# TAP-like ok/bad lines and their counts, and the checks most scripts make.
# Source it after `set -u`; end the script with `finish`.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0
py=/usr/bin/python3
[ -x "$py" ] || py=python3

ok() { pass=$((pass + 1)); echo "ok - $1"; }
bad() { fail=$((fail + 1)); echo "not ok - $1"; }

# expect CODE NAME CMD...: exit status CODE, output in $tmp/out and
# $tmp/err; exit 2 must come with one line on standard error.
expect() {
	local code=$1 name=$2 rc
	shift 2
	"$@" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	if [ "$rc" -ne "$code" ]; then
		bad "$name (exit $rc, want $code): $(head -c 300 "$tmp/err")"
	elif [ "$code" -eq 2 ] && [ "$(wc -l <"$tmp/err")" -ne 1 ]; then
		bad "$name (stderr is not one line: $(head -c 300 "$tmp/err"))"
	else
		ok "$name"
	fi
}

# has NAME REGEX, hasnt NAME REGEX: the last output has (no) such line
has() { grep -qE -- "$2" "$tmp/out" && ok "$1" || bad "$1: no line /$2/ in: $(head -c 1500 "$tmp/out")"; }
hasnt() { ! grep -qE -- "$2" "$tmp/out" && ok "$1" || bad "$1: a line /$2/"; }

# finish [NAME]: the counts, and the script's status from them
finish() {
	echo "# ${1:+$1: }$pass passed, $fail failed"
	[ "$fail" -eq 0 ]
}
