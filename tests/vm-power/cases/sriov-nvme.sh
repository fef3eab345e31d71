# Sourced by /init (as /case.sh) before the capture. For each SR-IOV PF
# (a device with sriov_totalvfs): bind it to pci-pf-stub with driver_override
# and enable all its VFs (sriov_totalvfs). sriov_drivers_autoprobe is
# cleared first, so the VFs exist as PCI functions without a driver.
insmod /lib/modules/pci-pf-stub.ko* || exit 1
for d in /sys/bus/pci/devices/*; do
	[ -e "$d/sriov_totalvfs" ] || continue
	pf=${d##*/} n=$(cat "$d/sriov_totalvfs")
	echo "PF $pf $(cat "$d/vendor"):$(cat "$d/device") totalvfs=$(cat "$d/sriov_totalvfs") offset=$(cat "$d/sriov_offset") stride=$(cat "$d/sriov_stride")"
	echo 0 > "$d/sriov_drivers_autoprobe"
	echo pci-pf-stub > "$d/driver_override"
	echo "$pf" > /sys/bus/pci/drivers_probe
	echo "  driver=$(basename "$(readlink "$d/driver")")"
	echo "$n" > "$d/sriov_numvfs"
	echo "  numvfs=$(cat "$d/sriov_numvfs")"
	i=0
	while [ -e "$d/virtfn$i" ]; do
		echo "  virtfn$i $(basename "$(readlink "$d/virtfn$i")")"
		i=$((i + 1))
	done
done
