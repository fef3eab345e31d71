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

# unit_sandbox SERVICE [TIMER]: a unit meson made from contrib/*.service.in
# as a package installs it, acsctl where ExecStart names it and the man
# page: systemd-analyze verify passes, security rates the service 2.5 or
# better (systemd 252 rates a unit file offline). Needs $acsctl and $src;
# skipped with a message without systemd-analyze.
unit_sandbox() {
	local unit=$1 timer=${2:-} exe rc score name=${1##*/}
	if ! command -v systemd-analyze >/dev/null; then
		echo "# skip: systemd-analyze is missing: $name not verified"
		return
	fi
	exe=$(sed -n 's/^ExecStart=\([^ ]*\).*/\1/p' "$unit")
	rm -rf "$tmp/root" "$tmp/man"
	mkdir -p "$tmp/root${exe%/*}" "$tmp/root/lib/systemd/system" "$tmp/man/man8"
	cp "$acsctl" "$tmp/root$exe"
	# default dependencies: the targets they name
	cp /lib/systemd/system/*.target "$tmp/root/lib/systemd/system/" 2>/dev/null
	cp "$unit" ${timer:+"$timer"} "$tmp/root/lib/systemd/system/"
	cp "$src/doc/acsctl.8" "$tmp/man/man8/"
	MANPATH=$tmp/man systemd-analyze --root="$tmp/root" verify "$tmp/root/lib/systemd/system/$name" \
		${timer:+"$tmp/root/lib/systemd/system/${timer##*/}"} >"$tmp/verify" 2>&1
	rc=$?
	[ $rc -eq 0 ] && [ ! -s "$tmp/verify" ] && ok "$name: systemd-analyze verify" ||
		bad "$name: systemd-analyze verify (exit $rc): $(head -3 "$tmp/verify")"
	(cd "$tmp" && systemd-analyze security --offline=yes --threshold=25 --root="$tmp/root" \
		"$tmp/root/lib/systemd/system/$name") >"$tmp/sec" 2>&1
	rc=$?
	score=$(sed -n "s/^.*Overall exposure level for $name: \([0-9.]*\).*/\1/p" "$tmp/sec")
	[ $rc -eq 0 ] && [ -n "$score" ] && ok "$name: systemd-analyze security: exposure $score" ||
		bad "$name: systemd-analyze security (exit $rc): exposure '${score:-?}' above 2.5: $(grep '^✗' "$tmp/sec" | head -3)"
}

# check_units SERVICE TIMER ARGS: a oneshot service and the timer that
# starts it (unit_sandbox), ExecStart acsctl ARGS, and the timer, not the
# service, is what one enables.
check_units() {
	local unit=$1 timer=$2 args=$3 exe name=${1##*/}
	if [ -z "$unit" ]; then
		echo "# skip: no unit given"
		return
	fi
	exe=$(sed -n 's/^ExecStart=\([^ ]*\).*/\1/p' "$unit")
	grep -qxF "ExecStart=$exe $args" "$unit" && [ "${exe##*/}" = acsctl ] &&
		ok "$name: ExecStart $exe $args" || bad "$name: ExecStart: $(grep ExecStart "$unit")"
	unit_sandbox "$unit" "$timer"
	! grep -q '^\[Install\]' "$unit" && grep -q '^WantedBy=timers.target$' "$timer" &&
		grep -qxF "Type=oneshot" "$unit" && ok "$name: the timer is what one enables" ||
		bad "$name: the timer is what one enables"
}

# finish [NAME]: the counts, and the script's status from them
finish() {
	echo "# ${1:+$1: }$pass passed, $fail failed"
	[ "$fail" -eq 0 ]
}
