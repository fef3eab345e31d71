#!/bin/bash
# List each device of an lspci -xxxx dump with its ACS extended capability
# (id 0x000d): offset, ACS Capability and ACS Control registers, or "none".
# Usage: show-acs.sh lspci.txt...
set -euo pipefail
export LC_ALL=C
awk '
function hex(s,   i, v) { v = 0; s = tolower(s)
	for (i = 1; i <= length(s); i++) v = v * 16 + index("0123456789abcdef", substr(s, i, 1)) - 1
	return v }
function flush(   off, id, nxt, guard, found) {
	if (dev == "") return
	off = 256; guard = 0; found = 0
	while (off >= 256 && off < 4096 && guard++ < 64 && ((off + 7) in b)) {
		id = hex(b[off + 1] b[off]); nxt = int(hex(b[off + 3] b[off + 2]) / 16)
		if (id == 13) {
			printf "%s %s%s:%s%s ACS@%03x cap=0x%s%s ctrl=0x%s%s\n", dev, b[1], b[0], b[3], b[2],
				off, b[off + 5], b[off + 4], b[off + 7], b[off + 6]
			found = 1
		}
		if (nxt == 0) break
		off = nxt
	}
	if (!found) printf "%s %s%s:%s%s none\n", dev, b[1], b[0], b[3], b[2]
	split("", b); dev = ""
}
/^[0-9a-fA-F]+:[0-9a-fA-F]+:[0-9a-fA-F]+\.[0-7]/ { flush(); dev = $1; next }
/^[0-9a-fA-F]+: / { base = hex(substr($1, 1, length($1) - 1))
	for (i = 2; i <= NF; i++) b[base + i - 2] = $i }
END { flush() }' "$@"
