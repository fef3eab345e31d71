#!/bin/bash
# Adversarial inputs, each with its asserted outcome (issue 13): the exact
# groups, or exit 2 and the message, or exit 3. Every run is bounded by
# `timeout`, so a hang fails rather than stalls the suite.
# Usage: run.sh ACSCTL SRC [SHARED]
set -u
export LC_ALL=C
acsctl=$1
src=$2
shared=${3:-$src/../shared}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0 skip=0

ok() { pass=$((pass + 1)); echo "ok - $1"; }
bad() { fail=$((fail + 1)); echo "not ok - $1"; }

# run CODE NAME PATTERN CMD...: exit status CODE within 10 s; PATTERN
# (grep -E, '' for none) in stdout+stderr; on 2, stderr is one line.
run() {
	local code=$1 name=$2 pat=$3 rc
	shift 3
	timeout -k 2 10 "$@" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	if [ "$rc" -ne "$code" ]; then
		bad "$name (exit $rc, want $code): $(head -c 300 "$tmp/err")"
	elif [ "$code" -eq 2 ] && [ "$(wc -l <"$tmp/err")" -ne 1 ]; then
		bad "$name (stderr is $(wc -l <"$tmp/err") lines, want 1)"
	elif [ -n "$pat" ] && ! cat "$tmp/out" "$tmp/err" | grep -qE -- "$pat"; then
		bad "$name (no /$pat/ in: $(head -c 300 "$tmp/err") $(head -c 200 "$tmp/out"))"
	else
		ok "$name"
	fi
}

# The answer without the lines naming the source, and with the file's name
# (in warnings) as FILE: a pipe is "<stdin>", a substitution "/dev/fd/63".
answer() {
	local file='' prev=''
	for a in "$@"; do [ "$prev" = -F ] && file=$a; prev=$a; done
	timeout -k 2 10 "$acsctl" "$@" 2>/dev/null | grep -v -e '^# source' -e '"source"' |
		awk -v f="$file" '{ while (f != "" && (i = index($0, f))) $0 = substr($0, 1, i - 1) "FILE" substr($0, i + length(f)); print }' |
		sed 's|<stdin>|FILE|g'
	return "${PIPESTATUS[0]}"
}

# same NAME ARGS -- ARGS: both give exit 0..3 alike and the same answer
same() {
	local name=$1 a=() b=() rca rcb
	shift
	while [ "$1" != -- ]; do a+=("$1"); shift; done
	shift
	b=("$@")
	answer "${a[@]}" >"$tmp/a"; rca=$?
	answer "${b[@]}" >"$tmp/b"; rcb=$?
	if [ "$rca" -ne "$rcb" ] || [ "$rca" -gt 3 ] || ! cmp -s "$tmp/a" "$tmp/b"; then
		bad "$name (exit $rca vs $rcb, $(diff "$tmp/a" "$tmp/b" | head -3 | tr '\n' ' '))"
	elif [ ! -s "$tmp/a" ]; then
		bad "$name (no answer)"
	else
		ok "$name"
	fi
}

dump=$src/tests/fixtures/vm/6.12/kitchen-sink-1/lspci.txt
small=$src/tests/fixtures/vm/6.12/rp-acs-single/lspci.txt
switch=$src/tests/fixtures/vm/6.12/switch-acs-root/lspci.txt
topo=$src/examples/switch-acs-everywhere.json

# --- one reader: pipes, FIFOs, standard input, compression ---
same "pipe: -F - gives the file's groups" -F "$dump" groups -m -- -F - groups -m <"$dump"
# /dev/stdin and <(...) are /proc/self/fd/N: not in a chroot without /proc
if [ -e /proc/self/fd ]; then
	cat "$dump" | same "pipe: -F /dev/stdin" -F "$dump" audit -- -F /dev/stdin audit
	same "process substitution" -F "$dump" groups -m -- -F <(cat "$dump") groups -m
else
	echo "# skip: -F /dev/stdin and process substitution need /proc"
fi
mkfifo "$tmp/fifo"
# a writer that pauses half way: the reader waits for the end
{ head -n 2000 "$dump"; sleep 0.3; tail -n +2001 "$dump"; } >"$tmp/fifo" &
same "FIFO written in two bursts" -F "$dump" groups -m -- -F "$tmp/fifo" groups -m
wait
gzip -c "$dump" >"$tmp/d.gz"
xz -c "$dump" >"$tmp/d.xz" 2>/dev/null || cp "$tmp/d.gz" "$tmp/d.xz"
zstd -q -c "$dump" >"$tmp/d.zst" 2>/dev/null || cp "$tmp/d.gz" "$tmp/d.zst"
same "gzip file" -F "$dump" groups -m -- -F "$tmp/d.gz" groups -m
same "xz file" -F "$dump" groups -m -- -F "$tmp/d.xz" groups -m
same "zstd file" -F "$dump" groups -m -- -F "$tmp/d.zst" groups -m
same "gzip through a pipe" -F "$dump" groups -m -- -F - groups -m <"$tmp/d.gz"
head -n 3000 "$dump" | gzip -c >"$tmp/two.gz"
tail -n +3001 "$dump" | gzip -c >>"$tmp/two.gz"
same "gzip of two members" -F "$dump" groups -m -- -F "$tmp/two.gz" groups -m
half() { head -c $(($(wc -c <"$1") / 2)) "$1"; }
half "$tmp/d.gz" >"$tmp/cut.gz"
run 2 "gzip cut short" 'cut.gz: gzip data cut short' "$acsctl" -F "$tmp/cut.gz" groups
half "$tmp/d.xz" >"$tmp/cut.xz"
run 2 "xz cut short" 'cut.xz: (xz|gzip) data cut short' "$acsctl" -F "$tmp/cut.xz" groups
half "$tmp/d.zst" >"$tmp/cut.zst"
run 2 "zstd cut short" 'cut.zst: (zstd|gzip) data cut short' "$acsctl" -F "$tmp/cut.zst" groups
# a small xz that asks for a 1.5 GiB dictionary: refused, not allocated
if head -c 20000 /dev/urandom | xz -9e --lzma2=dict=1536MiB -c >"$tmp/dict.xz" 2>/dev/null; then
	run 2 "xz asking for a 1.5 GiB dictionary" 'asks for more than 256 MiB' "$acsctl" -F "$tmp/dict.xz" groups
fi
# a zstd frame's window is allocated before any output: bounded by the input
# limit (never below zstd -19's 8 MiB), so a stream made with --long=27 reads
# at the default limit and is refused, not allocated, under --max-input 4m
if zstd --long=27 -c <"$dump" >"$tmp/long.zst" 2>/dev/null; then
	run 0 "zstd --long=27 at the default limit" '' "$acsctl" -F "$tmp/long.zst" groups
	run 2 "zstd window past --max-input" 'long.zst: corrupt zstd data: a frame asks for a window larger than the input limit' \
		"$acsctl" --max-input 4m -F "$tmp/long.zst" groups
	zstd -19 -c <"$dump" >"$tmp/l19.zst"
	run 0 "zstd -19 (8 MiB window) under --max-input 4m" '' "$acsctl" --max-input 4m -F "$tmp/l19.zst" groups
fi
cp "$tmp/d.gz" "$tmp/bad.gz"
printf '\377\377\377\377\377\377\377\377' | dd of="$tmp/bad.gz" bs=1 seek=$(($(wc -c <"$tmp/d.gz") / 3)) conv=notrunc 2>/dev/null
run 2 "gzip corrupt" 'bad.gz: (corrupt gzip data|gzip data cut short)' "$acsctl" -F "$tmp/bad.gz" groups

# --- bounded: endless and huge inputs fail at once ---
run 2 "/dev/zero" '/dev/zero:1: a NUL byte: binary data' timeout 1 "$acsctl" -F /dev/zero groups
yes | run 2 "yes | -F -" 'no PCI data in its first 64 KiB' timeout 1 "$acsctl" -F - groups
truncate -s 2G "$tmp/sparse"
run 2 "sparse 2 GiB file" 'sparse: 2147483648 bytes, more than 1 GiB' timeout 1 "$acsctl" -F "$tmp/sparse" groups
run 2 "--max-input below the file" 'more than 64 KiB|more than 65536 bytes' "$acsctl" --max-input 64k -F "$dump" groups
run 2 "--max-input: decompressed size counts" 'once decompressed' "$acsctl" --max-input 64k -F "$tmp/d.gz" groups
run 0 "--max-input 0: no limit" '' "$acsctl" --max-input 0 -F "$dump" groups
run 2 "--max-input not a size" 'max-input lots: a size' "$acsctl" --max-input lots -F "$dump" groups
: >"$tmp/empty"
run 2 "empty file" 'empty: empty' "$acsctl" -F "$tmp/empty" groups
run 2 "empty standard input" '<stdin>: empty' "$acsctl" -F - groups </dev/null
# a directory is many inputs (each run alone); one with nothing in it
mkdir -p "$tmp/no-files"
run 2 "a directory with no files" 'no-files: no files in it' "$acsctl" -F "$tmp/no-files" groups
ln -s "$tmp/loop2" "$tmp/loop1"; ln -s "$tmp/loop1" "$tmp/loop2"
run 2 "symlink loop" 'loop1: Too many levels of symbolic links' "$acsctl" -F "$tmp/loop1" groups
run 2 "missing file" 'nope: No such file' "$acsctl" -F "$tmp/nope" groups
head -c 3000 /bin/sh >"$tmp/elf"
run 2 "binary junk" 'elf:1: a NUL byte' "$acsctl" -F "$tmp/elf" groups
# a NUL past the first 64 KiB: the JSON reader took it for the file's end
"$acsctl" synth --functions 1500 -o "$tmp/syn.json" 2>/dev/null
{ cat "$tmp/syn.json"; printf '\0junk\n'; } >"$tmp/synnul.json"
run 2 "a NUL byte after 64 KiB of a topology" "synnul.json:$(($(wc -l <"$tmp/syn.json") + 1)): a NUL byte" "$acsctl" -F "$tmp/synnul.json" groups
# the same in a dump and a snapshot (read line by line, no whole-file
# scan: input.h), in a config row and in a device line
"$acsctl" synth --functions 60 --format dump -o "$tmp/syn60.txt" 2>/dev/null
"$acsctl" -F "$tmp/syn60.txt" snapshot "$tmp/syn60.snap" >/dev/null 2>&1
for f in syn60.txt syn60.snap; do
	n=$(grep -n '^[0-9a-f]*:[0-9a-f]*:[0-9a-f]*\.' "$tmp/$f" | tail -1 | cut -d: -f1)
	perl -pe "s/ / \\0/ if \$. == $((n + 3))" "$tmp/$f" >"$tmp/nulrow-$f"
	perl -pe "s/\\./.\\0/ if \$. == $n" "$tmp/$f" >"$tmp/nuldev-$f"
	run 2 "a NUL byte after 64 KiB: $f, a config row" "nulrow-$f:$((n + 3)): a NUL byte" "$acsctl" -F "$tmp/nulrow-$f" groups
	run 2 "a NUL byte after 64 KiB: $f, a device line" "nuldev-$f:$n: a NUL byte" "$acsctl" -F "$tmp/nuldev-$f" groups
done
{ printf '\357\273\277'; cat "$tmp/syn.json"; } >"$tmp/bom.json"
same "a topology over 64 KiB with a UTF-8 byte-order mark" -F "$tmp/syn.json" groups -m -- -F "$tmp/bom.json" groups -m
printf 'hello\nworld\n' >"$tmp/prose"
run 2 "prose" 'prose: no PCI data' "$acsctl" -F "$tmp/prose" groups

# --- hex dumps: every row as lspci prints it, devices whole ---
printf '00:00.0 Host\n00: 86 80 zz 29 00 00 00 00 00 00 00 06 00 00 00 00\n' >"$tmp/zz"
run 2 "dump: non-hex byte" 'zz:2: 00:00.0: config row 0x0: byte 2 is bad' "$acsctl" -F "$tmp/zz" groups
printf '00:00.0 Host\n00: 86 80 c0 29\n' >"$tmp/short"
run 2 "dump: short row" 'short:2: 00:00.0: config row 0x0: byte 4 is missing' "$acsctl" -F "$tmp/short" groups
printf '00:00.0 Host\n00: 86 80 c0 29 00 00 00 00 00 00 00 06 00 00 00 00 00\n' >"$tmp/long"
run 2 "dump: row of 17 bytes" 'more than 16 bytes' "$acsctl" -F "$tmp/long" groups
sed '2,4d' "$small" >"$tmp/gap"
run 2 "dump: rows missing" 'gap:2: 0000:00:00.0: config row at 0x30 where 0x0 was due' "$acsctl" -F "$tmp/gap" groups
sed '3,5d' "$small" >"$tmp/gap2"
run 2 "dump: rows missing inside" 'gap2:3: 0000:00:00.0: config row at 0x40 where 0x10 was due' "$acsctl" -F "$tmp/gap2" groups
second=$(grep -n -E '^[0-9a-f]{4}:' "$small" | sed -n '2s/:.*//p')
{ head -n 4 "$small"; echo; tail -n +"$second" "$small"; } >"$tmp/devcut"
run 2 "dump: a device cut after 3 rows" 'devcut:1: 0000:00:00.0: 48 bytes of config space: cut short' "$acsctl" -F "$tmp/devcut" groups
{ head -n 9 "$small"; echo; tail -n +"$second" "$small"; } >"$tmp/dev128"
run 2 "dump: 128 bytes of a device that is no CardBus bridge" 'dev128:1: 0000:00:00.0: 128 bytes of config space: cut short' "$acsctl" -F "$tmp/dev128" groups
printf '00: 86 80 c0 29 00 00 00 00 00 00 00 06 00 00 00 00\n' >"$tmp/orphan"
run 2 "dump: row before any device" 'before any device line' "$acsctl" -F "$tmp/orphan" groups
head -c 5000 "$small" >"$tmp/midline"
run 2 "dump: cut inside a line" 'midline:[0-9]+: 0000:00:0[0-9].0: the file ends inside this line' "$acsctl" -F "$tmp/midline" groups
{ head -n 2 "$small"; head -c 300 /dev/zero | tr '\0' x; printf '\n'; } >"$tmp/longline"
run 2 "dump: line over 254 characters" 'longline:3: line too long' "$acsctl" -F "$tmp/longline" groups
printf '00:02.0 VGA\n80000000: 00\n' >"$tmp/far"
run 2 "dump: row far past 4 KiB" 'far:2: 00:02.0: config row at 0x80000000' "$acsctl" -F "$tmp/far" groups
sed 's/$/\r/' "$dump" >"$tmp/crlf-dump"
same "dump with CRLF" -F "$dump" groups -m -- -F "$tmp/crlf-dump" groups -m
{ printf '\357\273\277'; cat "$dump"; } >"$tmp/bom-dump"
same "dump with a UTF-8 byte-order mark" -F "$dump" groups -m -- -F "$tmp/bom-dump" groups -m
cat "$small" "$small" >"$tmp/dup"
run 2 "dump: the same device twice" 'duplicate' "$acsctl" -F "$tmp/dup" groups
# device lines libpci's reader skips ("%x:%x.%d" stops at a hex function)
# or folds into another address: its rows would land on the device before
sed 's/^0000:00:1f.3 /0000:00:1f.b /' "$small" >"$tmp/hexfn"
run 2 "dump: a hex function digit" 'hexfn:313: 0000:00:1f.b: not a PCI address' "$acsctl" -F "$tmp/hexfn" groups
sed 's/^0000:00:1f.3 /0000:00:1f.8 /' "$small" >"$tmp/fn8"
run 2 "dump: function 8" 'fn8:313: 0000:00:1f.8: not a PCI address' "$acsctl" -F "$tmp/fn8" groups
sed 's/^0000:00:1f.3 /0000:00:2f.3 /' "$small" >"$tmp/dev2f"
run 2 "dump: device 0x2f" 'dev2f:313: 0000:00:2f.3: not a PCI address' "$acsctl" -F "$tmp/dev2f" groups
# libpci ends a device at an empty line and drops rows until the next one
awk 'NR == 24 { print "" } { print }' "$small" >"$tmp/blankin"
run 2 "dump: a blank line inside a device's rows" 'blankin:25: a config row outside a device' "$acsctl" -F "$tmp/blankin" groups
awk 'NR == 24 { print "\r" } { print }' "$small" >"$tmp/blankcr"
run 2 "dump: a CR-only line inside a device's rows" 'blankcr:25: a config row outside a device' "$acsctl" -F "$tmp/blankcr" groups
# libpci reads lines of 253 characters and refuses longer ones
awk 'NR == 1 { $0 = $0 " " sprintf("%*s", 253 - length($0) - 1, "x") } { print }' "$small" >"$tmp/l253"
run 0 "dump: a device line of 253 characters" '' "$acsctl" -F "$tmp/l253" groups
awk 'NR == 1 { $0 = $0 " " sprintf("%*s", 254 - length($0) - 1, "x") } { print }' "$small" >"$tmp/l254"
run 2 "dump: a line of 254 characters" 'l254:1: line too long' "$acsctl" -F "$tmp/l254" groups
# one space after a row's last byte, as libpci takes it; two are its error
sed '3s/$/ /' "$small" >"$tmp/sp1"
same "dump: one trailing space on a row" -F "$small" groups -m -- -F "$tmp/sp1" groups -m
sed '3s/$/  /' "$small" >"$tmp/sp2"
run 2 "dump: two trailing spaces on a row" 'sp2:3: 0000:00:00.0: config row 0x10: text after its 16 bytes' "$acsctl" -F "$tmp/sp2" groups
sed '3s/$/\r\r/' "$small" >"$tmp/cr2"
run 2 "dump: two CRs after a row" 'cr2:3: 0000:00:00.0: config row 0x10: text after' "$acsctl" -F "$tmp/cr2" groups
sed '3s/ 00/ 0A/' "$small" >"$tmp/upper"
run 0 "dump: uppercase hex in a row" '' "$acsctl" -F "$tmp/upper" groups

# --- lspci text ---
if command -v lspci >/dev/null; then
	lspci -F "$dump" -vvnn 2>/dev/null >"$tmp/t.txt"
	same "lspci -vvnn text gives the dump's groups" -F "$dump" groups -m -- -F "$tmp/t.txt" groups -m
	lspci -F "$dump" -vvnnD 2>/dev/null >"$tmp/tD.txt"
	same "lspci -vvnnD (domains)" -F "$dump" groups -m -- -F "$tmp/tD.txt" groups -m
	lspci -F "$dump" -vvn 2>/dev/null >"$tmp/tn.txt"
	same "lspci -vvn (numbers only)" -F "$dump" groups -m -- -F "$tmp/tn.txt" groups -m
	lspci -F "$dump" -vvv 2>/dev/null >"$tmp/tnames.txt"
	run 2 "lspci -vvv without -n: no IDs" 'tnames.txt:1: no vendor and device IDs on any device line' "$acsctl" -F "$tmp/tnames.txt" groups
	lspci -F "$dump" -vnn 2>/dev/null >"$tmp/tv.txt"
	run 0 "lspci -vnn: groups, ACS unknown said" 'ACS state unknown for [0-9]+ functions' "$acsctl" -F "$tmp/tv.txt" groups
	sed 's/$/\r/' "$tmp/t.txt" >"$tmp/tcrlf.txt"
	same "lspci text with CRLF" -F "$dump" groups -m -- -F "$tmp/tcrlf.txt" groups -m
	awk 'NR % 2 { sub(/^\t/, "        ") } { print }' "$tmp/t.txt" >"$tmp/tspaces.txt"
	same "lspci text, tabs and spaces mixed" -F "$dump" groups -m -- -F "$tmp/tspaces.txt" groups -m
	sed -E 's/Capabilities: \[([0-9a-f]+) v[0-9]+\]/Capabilities: [\1]/' "$tmp/t.txt" >"$tmp/told.txt"
	same "lspci text of old pciutils (no capability versions)" -F "$dump" groups -m -- -F "$tmp/told.txt" groups -m
	{ printf '\357\273\277'; cat "$tmp/t.txt"; } >"$tmp/tbom.txt"
	same "lspci text with a UTF-8 byte-order mark" -F "$dump" groups -m -- -F "$tmp/tbom.txt" groups -m
	if iconv -f UTF-8 -t UTF-16 "$tmp/t.txt" >"$tmp/t16.txt" 2>/dev/null; then
		run 2 "UTF-16 lspci text" 't16.txt: UTF-16 text' "$acsctl" -F "$tmp/t16.txt" groups
	fi
	head -c 3000 "$tmp/t.txt" >"$tmp/tmid.txt"
	run 2 "lspci text cut inside a line" 'tmid.txt:[0-9]+: 0000:[0-9a-f:.]+: the file ends inside this line' "$acsctl" -F "$tmp/tmid.txt" groups
	head -n 40 "$tmp/t.txt" >"$tmp/t40.txt"
	run 0 "lspci text cut at a line inside a device: warned" 't40.txt:40: .*no blank line after the last device' "$acsctl" -F "$tmp/t40.txt" groups
	# without root: lspci shows <access denied> for every capability list
	awk '/^\tCapabilities:/ { if (!done) print "\tCapabilities: <access denied>"; done = 1; skip = 1; next }
	     skip && /^\t\t/ { next } /^[^\t]/ { done = 0 } { skip = 0; print }' "$tmp/t.txt" >"$tmp/tdenied.txt"
	run 3 "lspci text without root: audit is UNKNOWN, never OK" '^UNKNOWN ' "$acsctl" -F "$tmp/tdenied.txt" audit
	run 3 "the same as JSON: verdict unknown" '"verdict": "unknown"' "$acsctl" -F "$tmp/tdenied.txt" audit -j
	run 0 "without root: groups marked uncertain" 'uncertain' "$acsctl" -F "$tmp/tdenied.txt" groups
	# one file cut at every line: exit 0 with every function of the
	# prefix (and a warning inside a device), or exit 2 naming the file
	n=$(wc -l <"$tmp/t.txt") wrong=0
	for ((k = 1; k <= n; k++)); do
		head -n "$k" "$tmp/t.txt" >"$tmp/cut.txt"
		timeout 10 "$acsctl" -F "$tmp/cut.txt" groups >"$tmp/out" 2>"$tmp/err"
		rc=$? heads=$(grep -c '^[0-9a-f]' "$tmp/cut.txt")
		last=$(tail -n 1 "$tmp/cut.txt")
		if [ $rc -eq 0 ]; then
			grep -q "($heads functions)" "$tmp/out" || { wrong=$((wrong + 1)); echo "# cut $k: not $heads functions"; }
			if [ -n "$last" ] && grep -q '^$' "$tmp/cut.txt"; then
				grep -q 'no blank line after the last device' "$tmp/err" ||
					{ wrong=$((wrong + 1)); echo "# cut $k: no warning"; }
			fi
		elif [ $rc -ne 2 ] || ! grep -q "^acsctl: $tmp/cut.txt:" "$tmp/err"; then
			wrong=$((wrong + 1)); echo "# cut $k: exit $rc: $(head -c 200 "$tmp/err")"
		fi
	done
	[ $wrong -eq 0 ] && ok "lspci text cut at each of its $n lines" || bad "lspci text cut at every line: $wrong wrong"
else
	skip=$((skip + 1)); echo "# SKIP lspci text cases: no lspci (apt-get install pciutils)"
fi

# a dump cut at every line: exit 0 only where every device is whole
n=$(wc -l <"$small") wrong=0
for ((k = 1; k <= n; k++)); do
	head -n "$k" "$small" >"$tmp/cut.txt"
	timeout 10 "$acsctl" -F "$tmp/cut.txt" groups >"$tmp/out" 2>"$tmp/err"
	rc=$?
	want=$(awk '/^[0-9a-f]+:[0-9a-f]+:[0-9a-f]+\.[0-7] / { if (d && r != 4 && r != 16 && r != 256) bad = 1; d = 1; r = 0; next }
		/^[0-9a-f]+: / { r++ } END { if (!d || (r != 4 && r != 16 && r != 256)) bad = 1; print bad ? 2 : 0 }' "$tmp/cut.txt")
	[ "$rc" -eq "$want" ] || { wrong=$((wrong + 1)); echo "# dump cut $k: exit $rc, want $want: $(head -c 200 "$tmp/err")"; }
done
[ $wrong -eq 0 ] && ok "dump cut at each of its $n lines" || bad "dump cut at every line: $wrong wrong"

# --- snapshots: the end line makes a cut visible ---
"$acsctl" -F "$dump" snapshot "$tmp/snap.txt" 2>/dev/null
same "snapshot read back" -F "$dump" groups -m -- -F "$tmp/snap.txt" groups -m
"$acsctl" -F "$dump" snapshot - 2>/dev/null | same "snapshot through a pipe" -F "$dump" groups -m -- -F - groups -m
n=$(wc -l <"$tmp/snap.txt") wrong=0
for ((k = 1; k < n; k += 97)); do
	head -n "$k" "$tmp/snap.txt" >"$tmp/cut.txt"
	timeout 10 "$acsctl" -F "$tmp/cut.txt" groups >/dev/null 2>"$tmp/err" && wrong=$((wrong + 1))
done
[ $wrong -eq 0 ] && ok "snapshot cut anywhere: exit 2" || bad "snapshot cut: $wrong cuts read as whole"
head -n -1 "$tmp/snap.txt" >"$tmp/noend.txt"
run 2 "snapshot without its end line" "no '# end: N functions' line: the snapshot was cut short \\(21 functions read\\)" "$acsctl" -F "$tmp/noend.txt" groups
sed 's/^# end: 21 functions$/# end: 22 functions/' "$tmp/snap.txt" >"$tmp/badend.txt"
run 2 "snapshot end line counts wrong" 'the end line counts 22 functions, the file has 21' "$acsctl" -F "$tmp/badend.txt" groups
{ cat "$tmp/snap.txt"; echo "0000:09:00.0 id=8086:1533"; } >"$tmp/after.txt"
run 2 "snapshot: text after the end line" 'text after the end line' "$acsctl" -F "$tmp/after.txt" groups
sed '1s/.*/# acsctl snapshot 1/; /^# end: /d' "$tmp/snap.txt" >"$tmp/v1.txt"
run 0 "snapshot version 1 (no end line) still read, with a warning" "version 1 snapshot has no end line.*21 functions read" "$acsctl" -F "$tmp/v1.txt" groups

run 2 "a snapshot of a what-if is refused" 'not a what-if' "$acsctl" -F "$dump" --cmdline "pci=noats" snapshot "$tmp/whatif.txt"
[ ! -e "$tmp/whatif.txt" ] && ok "nothing written for it" || bad "a what-if snapshot was written"

# --- topologies: JSON errors as a person writes them ---
n=$(wc -l <"$topo") wrong=0
for ((k = 1; k < n; k++)); do
	head -n "$k" "$topo" >"$tmp/cut.json"
	timeout 10 "$acsctl" -F "$tmp/cut.json" groups >/dev/null 2>"$tmp/err"
	[ $? -eq 2 ] && grep -qE "cut.json:[0-9]+:[0-9]+: " "$tmp/err" || { wrong=$((wrong + 1)); echo "# topology cut $k: $(cat "$tmp/err")"; }
done
[ $wrong -eq 0 ] && ok "topology cut at each of its lines: exit 2 with line:column" || bad "topology cut: $wrong wrong"
head -n 20 "$topo" >"$tmp/trunc.json"
run 2 "topology cut short" 'trunc.json:21:1: the file ends inside the JSON' "$acsctl" -F "$tmp/trunc.json" groups
printf '{ "acsctl-topology": 1\n  "roots": [] }\n' >"$tmp/comma.json"
run 2 "topology: missing comma" "comma.json:2:3: expected ',' or '}' after a member's value \\(at '\"'\\)" "$acsctl" -F "$tmp/comma.json" groups
{ cat "$topo"; echo '}'; } >"$tmp/extra.json"
run 2 "topology: text after the document" "extra.json:[0-9]+:1: text after the end of the topology's '}'" "$acsctl" -F "$tmp/extra.json" groups
# json-c keeps the last of two members of one name: the first "roots" lost
printf '{"acsctl-topology":1,"roots":[{"functions":[{"slot":"00.0","type":"host-bridge"},{"slot":"01.0","type":"endpoint"}]}],\n "roots":[{"functions":[{"slot":"00.0","type":"host-bridge"}]}]}\n' >"$tmp/dupkey.json"
run 2 "topology: \"roots\" twice" 'dupkey.json:2:2: "roots" a second time in one object' "$acsctl" -F "$tmp/dupkey.json" groups
printf '{"acsctl-topology":1,"roots":[{"functions":[{"slot":"00.0","type":"host-bridge","slot":"02.0"}]}]}\n' >"$tmp/dupslot.json"
run 2 "topology: \"slot\" twice in a function" 'dupslot.json:1:81: "slot" a second time' "$acsctl" -F "$tmp/dupslot.json" groups
printf '{"acsctl-topology":1, /* "roots": */ "x": "roots\\"", // "roots"\n "roots":[{"functions":[{"slot":"00.0","type":"host-bridge","b":{"slot":1}}]}]}\n' >"$tmp/names.json"
run 0 "topology: the same name in comments, strings and inner objects" '' "$acsctl" -F "$tmp/names.json" groups
printf '{"acsctl-topology":1,"roots":[{"functions":[{"slot":"00.0","type":"rootport"}]}]}\n' >"$tmp/type.json"
run 2 "topology: unknown type" "unknown type 'rootport'" "$acsctl" -F "$tmp/type.json" groups
printf '{"acsctl-topology":1,"roots":[{"functions":[{"slot":"01.0","type":"root-port","acs":{"cap":"005f"},"children":[{"slot":"00.0","type":"upstream-port","children":[
  {"slot":"00.0","type":"downstream-port","acs":"unknown","children":[{"slot":"00.0","type":"endpoint"}]},
  {"slot":"01.0","type":"downstream-port","acs":"unknown","children":[{"slot":"00.0","type":"endpoint"}]}]}]}]}]}\n' >"$tmp/unk.json"
run 3 "topology with acs unknown: audit UNKNOWN" '^UNKNOWN 0000:02:00.0' "$acsctl" -F "$tmp/unk.json" audit
printf '{"acsctl-topology":1,"roots":[{"functions":[{"slot":"00.0","type":"host-bridge","express":"root-port"}]}]}\n' >"$tmp/express.json"
run 0 "topology: a host bridge whose capability says Root Port" 'Host bridge' "$acsctl" -F "$tmp/express.json" show

# --- without the extended space: never OK ---
awk '/^[0-9a-f]+:[0-9a-f]+:/ { print; next } /^[0-9a-f][0-9a-f]: / { print; next } /^$/ { print }' "$switch" >"$tmp/x3.txt"
run 3 "lspci -xxx dump: audit UNKNOWN" '^UNKNOWN 0000:02:00.0' "$acsctl" -F "$tmp/x3.txt" audit
awk '/^[0-9a-f]+:[0-9a-f]+:/ { print; next } /^[0-3]0: / { print; next } /^$/ { print }' "$switch" >"$tmp/x1.txt"
run 3 "lspci -x dump: audit UNKNOWN" '^UNKNOWN ' "$acsctl" -F "$tmp/x1.txt" audit
run 3 "lspci -x dump: p2p UNKNOWN" '' "$acsctl" -F "$tmp/x1.txt" p2p 03:00.0 04:00.0
run 3 "lspci -xxx dump: explain UNKNOWN" '' "$acsctl" -F "$tmp/x3.txt" explain 03:00.0 04:00.0
run 0 "lspci -x dump: groups exit 0, uncertain" 'uncertain' "$acsctl" -F "$tmp/x1.txt" groups

# --- kernel versions people run, and the kernel's leniency ---
run 0 "--kernel 5.13" 'kernel policy: 5\.13' "$acsctl" -F "$dump" --kernel 5.13 groups
run 0 "--kernel 6.10.14" 'kernel policy: 6\.10\.14' "$acsctl" -F "$dump" --kernel 6.10.14 groups
run 0 "--kernel 5.13.19-6-pve" 'kernel policy: 5\.13\.19' "$acsctl" -F "$dump" --kernel 5.13.19-6-pve groups
run 0 "--kernel 6.8.0-45-generic" 'kernel policy: 6\.8' "$acsctl" -F "$dump" --kernel 6.8.0-45-generic groups
run 0 "--kernel 7.3-rc4" 'kernel policy: 7\.3-rc4' "$acsctl" -F "$dump" --kernel 7.3-rc4 groups
run 2 "--kernel banana" "banana" "$acsctl" -F "$dump" --kernel banana groups
run 0 "disable_acs_redir with a leading @: warned, as the kernel ignores it" 'warning: --cmdline: .*@pci:1b36:000c' "$acsctl" -F "$dump" --cmdline "pci=disable_acs_redir=@pci:1b36:000c" groups
same "the ignored parameter changes nothing" -F "$dump" groups -m -- -F "$dump" --cmdline "pci=disable_acs_redir=@pci:1b36:000c" groups -m
run 0 "whatif sees the override as groups does" 'split|splits|->' "$acsctl" -F "$dump" --cmdline "pcie_acs_override=downstream,multifunction" whatif

# --- plans steer writes as root: every field checked before anything else ---
plan() { printf '{"kernel":"6.12","feasible":true,"changes":%s}\n' "$1" >"$tmp/plan.json"; }
plan "[$(for i in $(seq 200); do printf '{"device":"0000:00:02.0","acs_ctl_after":"0011"},'; done)"'{"device":"0000:00:02.0","acs_ctl_after":"0011"}]'
run 2 "plan: 201 changes on 21 functions (was a heap overflow)" 'changes\[1\]: names a device a second time' "$acsctl" -F "$dump" apply "$tmp/plan.json"
plan '[{"device":null,"acs_ctl_after":"0011"}]'
run 2 "plan: device null (was a crash)" 'changes\[0\]: needs "device" and "acs_ctl_after" strings' "$acsctl" -F "$dump" apply "$tmp/plan.json"
plan '[{"device":"0000:00:02.0","acs_ctl_after":null}]'
run 2 "plan: value null (was a crash)" 'changes\[0\]: "acs_ctl_after" is not four hex digits' "$acsctl" -F "$dump" apply "$tmp/plan.json"
plan '5'
run 2 "plan: changes not an array (was a json-c assertion)" 'not a plan from acsctl plan --json' "$acsctl" -F "$dump" apply "$tmp/plan.json"
plan '[5]'
run 2 "plan: a change that is no object" 'changes\[0\]: needs' "$acsctl" -F "$dump" apply "$tmp/plan.json"
plan '[{"device":"0000:00:02.0","acs_ctl_after":"1zz"}]'
run 2 "plan: value not hex" 'not four hex digits' "$acsctl" -F "$dump" apply "$tmp/plan.json"
plan '[{"device":"0000:00:02.0","acs_ctl_after":"00ff"}]'
run 2 "plan: bits outside the capability" 'sets ACS bits the device.s capability does not have' "$acsctl" -F "$dump" apply "$tmp/plan.json"
plan '[{"device":"0000:7f:00.0","acs_ctl_after":"0011"}]'
run 2 "plan: a device not here" 'changes\[0\]: names no device here' "$acsctl" -F "$dump" apply "$tmp/plan.json"
plan '[{"device":"0000:02:00.0","acs_ctl_after":"0000"}]'
run 2 "plan: a device without ACS, value 0 (passed the mask; fuzz-plan)" 'changes\[0\]: names a device without an ACS capability' "$acsctl" -F "$dump" apply "$tmp/plan.json"
head -c 30 "$tmp/plan.json" >"$tmp/cutplan.json"
run 2 "plan: cut short" 'not a plan' "$acsctl" -F "$dump" apply "$tmp/cutplan.json"
plan '[{"device":"0000:00:02.0","acs_ctl_after":"0x0011"}]'
run 2 "plan: a good plan reaches the live check" 'apply needs this host.s live sysfs' "$acsctl" -F "$dump" apply "$tmp/plan.json"

# --- files written whole or not at all ---
echo keep >"$tmp/keep.json"
( ulimit -f 2; trap '' XFSZ; "$acsctl" -F "$dump" export "$tmp/keep.json" ) >/dev/null 2>"$tmp/err"
rc=$?
[ $rc -eq 2 ] && [ "$(cat "$tmp/keep.json")" = keep ] && ! ls "$tmp" | grep -q acsctl- &&
	ok "export over the file size limit: exit 2, the old file kept, no temporary" ||
	bad "export over the file size limit (exit $rc, file '$(head -c 20 "$tmp/keep.json")', $(ls "$tmp" | grep acsctl-))"
run 2 "export to a full device" 'No space left' "$acsctl" -F "$dump" export /dev/full
echo first >"$tmp/log.txt"
"$acsctl" -F "$small" export /dev/stdout >>"$tmp/log.txt" 2>/dev/null
[ "$(head -n 1 "$tmp/log.txt")" = first ] && grep -q acsctl-topology "$tmp/log.txt" &&
	ok "export /dev/stdout >>FILE appends" || bad "export /dev/stdout >>FILE replaced the file"
"$acsctl" -F "$small" export /dev/fd/3 3>>"$tmp/log.txt" 2>/dev/null
[ "$(head -n 1 "$tmp/log.txt")" = first ] && [ "$(grep -c acsctl-topology "$tmp/log.txt")" = 2 ] &&
	ok "export /dev/fd/3 3>>FILE appends" || bad "export /dev/fd/3 3>>FILE replaced the file"
echo keep >"$tmp/private.json"
chmod 600 "$tmp/private.json"
( umask 022; "$acsctl" -F "$small" export "$tmp/private.json" ) >/dev/null 2>&1
[ "$(stat -c %a "$tmp/private.json")" = 600 ] && ok "export over a 0600 file keeps its mode" ||
	bad "export over a 0600 file made it $(stat -c %a "$tmp/private.json")"
if [ "$(id -u)" -ne 0 ]; then
	echo keep >"$tmp/ro.json"
	chmod 444 "$tmp/ro.json"
	run 2 "export over a read-only file: refused as '>' refuses it" 'ro.json: Permission denied' "$acsctl" -F "$small" export "$tmp/ro.json"
else
	skip=$((skip + 1)); echo "# SKIP read-only target: root writes anything"
fi
run 2 "export into a missing directory" 'No such file or directory' "$acsctl" -F "$dump" export "$tmp/no/dir/x.json"
[ ! -e "$tmp/no" ] && ok "nothing created for it" || bad "something created in a missing directory"
if [ -d "$shared/realdata" ]; then
	for d in "$shared"/realdata/*/; do
		m=$(basename "$d")
		run 0 "export of real machine $m" '' "$acsctl" -F "$d/lspci-vvnn.txt" export "$tmp/$m.json"
		same "$m: its export gives its groups" -F "$d/lspci-vvnn.txt" groups -m -- -F "$tmp/$m.json" groups -m
		same "$m: a pipe gives the file's audit" -F "$d/lspci-vvnn.txt" audit -j -- -F - audit -j <"$d/lspci-vvnn.txt"
		gzip -c "$d/lspci-vvnn.txt" >"$tmp/$m.gz"
		same "$m: gzip gives the file's audit" -F "$d/lspci-vvnn.txt" audit -- -F "$tmp/$m.gz" audit
	done
else
	skip=$((skip + 1)); echo "# SKIP real machines: $shared/realdata is absent"
fi

# --- as root, no file steers a write unchecked (issue 14) ---
# acs.conf: only its owner (root, when root runs) may write it; bounded
printf '00:02.0:RR-\n' >"$tmp/acs.conf"
chmod 664 "$tmp/acs.conf"
run 2 "acs.conf writable by its group: refused" 'acs.conf: writable by group or others \(mode 0664\)' "$acsctl" -F "$dump" apply --from "$tmp/acs.conf"
chmod 646 "$tmp/acs.conf"
run 2 "acs.conf writable by others: refused" 'acs.conf: writable by group or others \(mode 0646\)' "$acsctl" -F "$dump" apply --from "$tmp/acs.conf"
chmod 644 "$tmp/acs.conf"
run 2 "acs.conf 0644: reaches the live check" 'apply needs this host.s live sysfs' "$acsctl" -F "$dump" apply --from "$tmp/acs.conf"
if [ "$(id -u)" -eq 0 ]; then
	chown 65534 "$tmp/acs.conf"
	run 2 "acs.conf not root's, as root: refused" 'acs.conf: owned by uid 65534, not root \(mode 0644\)' "$acsctl" -F "$dump" apply --from "$tmp/acs.conf"
else
	skip=$((skip + 1)); echo "# SKIP acs.conf of another user: needs root"
fi
{ for i in $(seq 70000); do echo "# padding padding"; done; } >"$tmp/big.conf"
run 2 "acs.conf over 1 MiB: refused" 'big.conf: over 1048576 bytes' "$acsctl" -F "$dump" apply --from "$tmp/big.conf"
# rollback writes only through the kernel's sysfs (a directory is not)
mkdir -p "$tmp/fakesys/bus/pci/devices/0000:00:00.0" "$tmp/jdir"
chmod 700 "$tmp/jdir"
{ printf '\x86\x80\x37\x12\x00\x00\x00\x00\x02\x00\x00\x06'; head -c 52 /dev/zero; } >"$tmp/fakesys/bus/pci/devices/0000:00:00.0/config"
printf '{"acsctl-journal":1,"sysfs":"%s","changes":[{"device":"0000:00:00.0","acs_pos":-2,"ctrl_before":7,"ctrl_after":0}],"drivers":[]}\n' "$tmp/fakesys" >"$tmp/jdir/journal.json"
chmod 600 "$tmp/jdir/journal.json"
cp "$tmp/fakesys/bus/pci/devices/0000:00:00.0/config" "$tmp/config.before"
ACSCTL_JOURNAL=$tmp/jdir/journal.json run 2 "rollback on a --sysfs directory: refused" "apply --rollback: $tmp/fakesys/bus/pci: not the kernel's sysfs" "$acsctl" --sysfs "$tmp/fakesys" apply --rollback
cmp -s "$tmp/config.before" "$tmp/fakesys/bus/pci/devices/0000:00:00.0/config" && [ -e "$tmp/jdir/journal.json" ] &&
	ok "rollback refused: config space and journal as they were" || bad "rollback on a --sysfs directory wrote something"
# a journal that cannot be read is still a pending change, never "none"
echo '{"acsctl-journal":' >"$tmp/jdir/cut.json"
ACSCTL_JOURNAL=$tmp/jdir/cut.json run 2 "apply --status on a cut journal: exit 2, not 'no pending change'" 'cut.json: not an acsctl journal' "$acsctl" apply --status
ACSCTL_JOURNAL=$tmp/jdir/none.json run 0 "apply --status without a journal" '^no pending change' "$acsctl" apply --status
# snapshots hold config space and serial numbers: a new one is 0600
( umask 022; "$acsctl" -F "$small" snapshot "$tmp/new.snap" ) >/dev/null 2>&1
[ "$(stat -c %a "$tmp/new.snap" 2>/dev/null)" = 600 ] && ok "a new snapshot is 0600 whatever the umask" ||
	bad "a new snapshot is $(stat -c %a "$tmp/new.snap" 2>/dev/null)"
( umask 022; "$acsctl" -F "$small" export "$tmp/new.json" ) >/dev/null 2>&1
[ "$(stat -c %a "$tmp/new.json")" = 644 ] && ok "a new export follows the umask" || bad "a new export is $(stat -c %a "$tmp/new.json")"
# the classic /tmp attack: someone else's link in a sticky world-writable directory
if [ "$(id -u)" -eq 0 ]; then
	mkdir -m 1777 "$tmp/sticky"
	echo keep >"$tmp/victim"
	ln -s "$tmp/victim" "$tmp/sticky/x"
	chown -h 65534 "$tmp/sticky/x"
	run 2 "snapshot through another user's link in a sticky directory: refused" 'sticky/x: a symbolic link of uid 65534 in a sticky world-writable directory: refused' "$acsctl" -F "$small" snapshot "$tmp/sticky/x"
	run 2 "export through it: refused" 'sticky/x: a symbolic link of uid 65534' "$acsctl" -F "$small" export "$tmp/sticky/x"
	[ "$(cat "$tmp/victim")" = keep ] && [ -L "$tmp/sticky/x" ] && ok "the link's target is untouched" || bad "the victim was written"
	ln -s "$tmp/victim" "$tmp/sticky/mine"
	run 0 "export through our own link there: written" '' "$acsctl" -F "$small" export "$tmp/sticky/mine"
	grep -q acsctl-topology "$tmp/victim" && ok "our own link is followed" || bad "our own link was not followed"
else
	skip=$((skip + 1)); echo "# SKIP another user's link: needs root"
fi

echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
