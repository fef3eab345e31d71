#!/bin/sh
# lspci -vv text with the kernel's "IOMMU group: N" lines put back, where
# lspci -vv prints them (pciutils 3.7 on, lspci.c show_verbose()): after a
# device's header and its Subsystem ... NUMA node lines. GROUPS.TXT holds
# "GROUP ADDRESS" lines (tests/fixtures/vm/*/*/groups.txt, ../shared/realdata).
# Usage: with-groups.sh GROUPS.TXT < LSPCI_TEXT
exec awk -v groups="$1" '
BEGIN { while ((getline l < groups) > 0) { split(l, f, " "); a = f[2]; g[a] = f[1]; sub(/^0000:/, "", a); g[a] = f[1] } }
function flush() { if (pend != "") { print "\tIOMMU group: " pend; pend = "" } }
/^[0-9a-f]/ { flush(); print; split($0, h, " "); pend = (h[1] in g) ? g[h[1]] : ""; next }
pend != "" && /^\t(Subsystem|DeviceName|Physical Slot|Device tree node|Control|Status|Latency|Interrupt|NUMA node):/ { print; next }
{ flush(); print }
END { flush() }'
