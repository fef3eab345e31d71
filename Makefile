# A thin front over meson + ninja. `make run` and `make check` do all set-up
# on a fresh Debian 12 machine.
BUILD ?= build
ASAN ?= build-asan
FUZZ ?= build-fuzz
DEB ?= build-deb
FUZZ_SECONDS ?= 60
FUZZ_RUNS ?=
FUZZ_TARGETS ?=
ACSCTL_VM_SAMPLE ?= 2
ACSCTL_POWER_SAMPLE ?= 1

.PHONY: all deps run check unit asan fuzz deb vm-fixtures vm-live bench clean

all: $(BUILD)/build.ninja
	ninja -C $(BUILD)

$(BUILD)/build.ninja:
	meson setup $(BUILD)

deps:
	sh scripts/install-deps.sh build

run: deps
	$(MAKE) all
	./$(BUILD)/acsctl

# The unit suites run whatever configured $(BUILD) before (make run on a
# machine without cmocka): tests=enabled makes meson find it or fail loudly.
# check makes $(BUILD) a test build: the ACSCTL_FAULT hook compiled in
# (-Dfault_injection=true, which tests/vm/apply-in-vm.sh needs); make deb
# and a plain meson setup leave it out.
check:
	sh scripts/install-deps.sh test
	test -f $(BUILD)/build.ninja || meson setup $(BUILD)
	meson configure $(BUILD) -Dtests=enabled -Dfault_injection=true
	$(MAKE) all
	meson test -C $(BUILD) --print-errorlogs
	$(MAKE) asan
	bash tests/vm/check.sh --sample $(ACSCTL_VM_SAMPLE) ./$(BUILD)/acsctl
	bash tests/vm-power/check.sh --sample $(ACSCTL_POWER_SAMPLE) ./$(BUILD)/acsctl
	bash tests/vm/grub-boot.sh ./$(BUILD)/acsctl

# Every benchmark at its full sizes, one after another (bench/README.md:
# an hour or more on two cores; GNU time and lspci needed). make check runs
# each once at a small size (meson test bench, bench/smoke.sh).
bench: all
	sh bench/synth.sh ./$(BUILD)/acsctl
	sh bench/topology.sh ./$(BUILD)/acsctl
	sh bench/analysis.sh ./$(BUILD)/acsctl
	sh bench/growth.sh ./$(BUILD)/acsctl
	sh bench/plan.sh ./$(BUILD)/acsctl
	sh bench/lspci.sh ./$(BUILD)/acsctl
	sh bench/fleet.sh ./$(BUILD)/acsctl
	sh bench/live.sh ./$(BUILD)/acsctl
	for pes in 200 2000 20000; do ./$(BUILD)/bench-pe-allocate $$pes; done

# The whole unit suite again under AddressSanitizer and UBSan.
asan:
	test -f $(ASAN)/build.ninja || meson setup $(ASAN) -Db_sanitize=address,undefined -Db_lundef=false -Dbuildtype=debug
	meson configure $(ASAN) -Dtests=enabled -Dfault_injection=true
	ninja -C $(ASAN)
	ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
		ACSCTL_FORMATS_STRIDE=10 meson test -C $(ASAN) --print-errorlogs

# libFuzzer on every parser, FUZZ_SECONDS each (fuzz/README.md); needs clang.
fuzz:
	command -v clang >/dev/null || apt-get install -y -qq clang
	test -f $(FUZZ)/build.ninja || CC=clang meson setup $(FUZZ) -Dfuzz=true -Dtests=disabled \
		-Db_sanitize=address,undefined -Db_lundef=false
	ninja -C $(FUZZ)
	FUZZ_RUNS=$(FUZZ_RUNS) bash fuzz/run.sh $(FUZZ) $(FUZZ_SECONDS) $(FUZZ_TARGETS)

# The Debian packages from the tracked files as they are now (packaging/):
# $(DEB)/acsctl_*.deb, libacsctl0_*.deb, libacsctl-dev_*.deb, checked by
# scripts/check-deb.sh. Runs the unit suite as the build's test step.
# Outside git (a tree copied into a chroot): every file but .git and build*.
deb:
	sh scripts/install-deps.sh deb
	rm -rf $(DEB) && mkdir -p $(DEB)/acsctl
	if [ -e .git ] && command -v git >/dev/null; then git ls-files -z; else \
		find . \( -path ./.git -o -path './build*' -o -path './$(BUILD)' -o -path './$(ASAN)' \
			-o -path './$(FUZZ)' -o -path './$(DEB)' \) -prune -o -type f -print0; fi | \
		tar --null -T - -cf - | tar -xf - -C $(DEB)/acsctl
	test -f $(DEB)/acsctl/meson.build
	cp -r packaging/debian $(DEB)/acsctl/debian
	cd $(DEB)/acsctl && dpkg-buildpackage -us -uc -b
	sh scripts/check-deb.sh $(DEB)

clean:
	rm -rf $(BUILD) $(ASAN) $(FUZZ) $(DEB)
