# Opal: one non-recursive build. Everything lands under build/.
#   make            build the kernel, the root task and the boot image (build/opal.elf),
#                   its U-Boot FIT (build/opal.itb) and boot disk (build/opal.img)
#   make run        boot it in QEMU through U-Boot, as a board does (Ctrl-A X quits)
#   make run-direct boot it with QEMU -kernel (faster: no bootloader)
#   make disk-fresh recreate the data disk build/disk.img from the pristine root
#   make test       host unit tests and QEMU system tests (pytest)
#   make unit       host unit tests only
#   make bench      kernel and Linux-guest benchmarks under QEMU -icount (deterministic)
#   make debug      boot halted with a gdb stub on :1234 (gdb-multiarch build/kernel.elf)
#   make clean
# Missing Debian packages are installed first by scripts/deps.sh.

BUILD      := build
CROSS      := arm-none-eabi-
CC         := $(CROSS)gcc
HOST_CC    := gcc
PYTHON     := /usr/bin/python3

WARNINGS   := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes
TARGET_CFLAGS := -mcpu=cortex-a15 -marm -mfloat-abi=soft -mno-unaligned-access \
                 -ffreestanding -fno-builtin -fno-common -fno-pic -fno-stack-protector \
                 -O2 -g -std=gnu11 $(WARNINGS) -MMD -MP
# arm-none-eabi makes uint32_t "long"; make it "int" as on the host, so one
# printf format fits both (same size and calling convention on ARM).
TARGET_CFLAGS += -U__UINT32_TYPE__ -D__UINT32_TYPE__="unsigned int" \
                 -U__INT32_TYPE__ -D__INT32_TYPE__=int \
                 -U__UINT_LEAST32_TYPE__ -D__UINT_LEAST32_TYPE__="unsigned int" \
                 -U__INT_LEAST32_TYPE__ -D__INT_LEAST32_TYPE__=int
TARGET_LDFLAGS := -nostdlib -static -Wl,--build-id=none -Wl,-z,noexecstack \
                  -Wl,--no-warn-rwx-segments
# Host unit tests build 32-bit (-m32): the kernel's pointers are 32 bits, as
# on the target, so kernel structures keep their ABI sizes under test.
HOST_CFLAGS := -m32 -std=gnu11 -O1 -g $(WARNINGS) -fsanitize=address,undefined \
               -fno-sanitize-recover=all -fno-omit-frame-pointer -Iinclude -Ilib

# Include paths by layer: user code cannot see kernel headers.
SHARED_INCLUDES := -Iinclude -Ilib
KERNEL_INCLUDES := $(SHARED_INCLUDES) -Ikernel/include -Iarch/arm/include -Iarch/arm

# `make V=1` shows whole command lines.
Q := $(if $(V),,@)
comma := ,
say = $(if $(V),,@echo "  $(1)	$(2)")

.PHONY: all run run-direct test unit debug clean deps bench guest fuzz disk-fresh print-run-qemu-args FORCE
all:

deps:
	@scripts/deps.sh

# --- target objects ------------------------------------------------------
$(BUILD)/target/%.o: %.c | deps
	@mkdir -p $(@D)
	$(call say,CC,$<)
	$(Q)$(CC) $(TARGET_CFLAGS) $(INCLUDES) -c $< -o $@

$(BUILD)/target/%.o: %.S | deps
	@mkdir -p $(@D)
	$(call say,AS,$<)
	$(Q)$(CC) $(TARGET_CFLAGS) $(INCLUDES) -c $< -o $@

$(BUILD)/target/kernel/%.o $(BUILD)/target/arch/%.o: INCLUDES := $(KERNEL_INCLUDES)

# vectors.S's and head.S's constants, generated from C (arch/arm/asm_offsets.c).
ASM_OFFSETS := $(BUILD)/generated/asm_offsets.h
$(ASM_OFFSETS): arch/arm/asm_offsets.c | deps
	@mkdir -p $(@D)
	$(call say,GEN,$@)
	$(Q)$(CC) $(TARGET_CFLAGS) $(KERNEL_INCLUDES) -S $< -o $(@:.h=.s)
	$(Q)sed -n 's/.*->\([A-Z_]*\) \([0-9]*\).*/#define \1 \2/p' $(@:.h=.s) > $@
$(BUILD)/target/arch/arm/entry/vectors.o $(BUILD)/target/arch/arm/entry/head.o: $(ASM_OFFSETS)
$(BUILD)/target/arch/arm/entry/vectors.o $(BUILD)/target/arch/arm/entry/head.o: INCLUDES := $(KERNEL_INCLUDES) -I$(BUILD)/generated
$(BUILD)/target/vmm/%.o: INCLUDES := $(SHARED_INCLUDES) -I.
$(BUILD)/target/%.o: INCLUDES ?= $(SHARED_INCLUDES)
# Bare-metal guests share guests/include/guest/baremetal.h.
GUEST_INCLUDES := $(SHARED_INCLUDES) -Iguests/include
$(BUILD)/target/guests/%.o: INCLUDES := $(GUEST_INCLUDES)

objects = $(patsubst %,$(BUILD)/target/%.o,$(basename $(1)))
GUEST_LINUX := $(BUILD)/guests/linux/zImage $(BUILD)/guests/linux/initramfs.cpio.gz
# The disk's root file system and the data disk (docs/disk.md).
ROOTFS := $(BUILD)/guests/linux/rootfs.ext4
DATA_DISK := $(BUILD)/disk.img
# The system-description parser (lib/core/system*.c) is for init and the host
# checker only: the kernel and the other programs do not carry it.
SYSTEM_SOURCES  := $(wildcard lib/core/system*.c)
CORE_SOURCES    := $(filter-out $(SYSTEM_SOURCES),$(wildcard lib/core/*.c)) lib/runtime/mem.c
KERNEL_SOURCES  := arch/arm/entry/head.S arch/arm/entry/vectors.S arch/arm/vcpu/vfp.S \
                   $(wildcard kernel/*.c kernel/object/*.c arch/arm/*/*.c arch/arm/plat/*/*.c) \
                   $(CORE_SOURCES)
LIBOPAL_SOURCES := lib/crt0.S lib/syscall.c lib/debug.c lib/print.c lib/ipc_buffer.c lib/invoke.c lib/process.c \
                   lib/alloc.c lib/timer.c lib/console_client.c lib/task.c $(CORE_SOURCES)

LIBGCC = $(shell $(CC) -mcpu=cortex-a15 -marm -mfloat-abi=soft -print-libgcc-file-name)

# A native program: its own sources linked with libopal at the user layout.
# $(call native_program,ELF,SOURCES[,EXTRA_LDFLAGS])
define native_program
$(1): $(call objects,$(2) $(LIBOPAL_SOURCES)) lib/user.ld
	@mkdir -p $$(@D)
	$$(call say,LD,$$@)
	$$(Q)$$(CC) $$(TARGET_CFLAGS) $$(TARGET_LDFLAGS) $(3) -T lib/user.ld \
	    $$(call objects,$(2) $$(LIBOPAL_SOURCES)) $$(LIBGCC) -o $$@
endef

# The host checker of system descriptions (configs/configs.mk).
CHECK_SYSTEM := $(BUILD)/host/check-system
# A description's blob: configs/x.dts (or tests/configs/x.dts) -> build/configs/x.dtb.
system_dtb = $(BUILD)/configs/$(notdir $(basename $(1))).dtb

# The image's description, staged under a name of its own and replaced only
# when its content changes: switching SYSTEM rebuilds the image, and
# switching back rebuilds it again.
define stage_system
$(1:.elf=.system.dtb): $(call system_dtb,$(2)) FORCE
	@mkdir -p $$(@D)
	$$(Q)cmp -s $$< $$@ || cp $$< $$@
endef

# A boot image: the kernel linked with a boot archive holding `init` and any
# further programs, each stripped and named by its file name without ".elf",
# and data files (guest images) copied under their own names. With a system
# description (a .dts), its blob goes in as system.dtb, every file it names
# must be there (the checker says which is not), and files it does not use
# are left out, so the image holds what init will build and nothing more.
# $(call boot_image,IMAGE,ROOT_TASK_ELF[,MORE_ELFS[,DATA_FILES[,SYSTEM_DTS]]])
define boot_image
$(if $(5),$(call stage_system,$(1),$(5)))
$(1:.elf=.cpio): $(2) $(3) $(4) $(if $(5),$(1:.elf=.system.dtb) $(CHECK_SYSTEM)) Makefile
	@rm -rf $$(@D)/$$(notdir $(1:.elf=)).root
	@mkdir -p $$(@D)/$$(notdir $(1:.elf=)).root
	$$(call say,CPIO,$$@)
	$$(Q)$$(CROSS)strip -o $$(@D)/$$(notdir $(1:.elf=)).root/init $(2)
	$$(Q)$$(foreach f,$(3),$$(CROSS)strip -o $$(@D)/$$(notdir $(1:.elf=)).root/$$(notdir $$(f:.elf=)) $$(f);)
	$$(Q)$$(foreach f,$(4),cp $$(f) $$(@D)/$$(notdir $(1:.elf=)).root/;)
	$(if $(5),$$(Q)cp $(1:.elf=.system.dtb) $$(@D)/$$(notdir $(1:.elf=)).root/system.dtb \
	    $(if $(filter no,$(SYSTEM_CHECK)),,&& $(CHECK_SYSTEM) $(call system_dtb,$(5)) \
	        --source $(5) --archive $$(@D)/$$(notdir $(1:.elf=)).root --prune))
	$$(Q)touch -d @0 $$(@D)/$$(notdir $(1:.elf=)).root/*
	$$(Q)cd $$(@D)/$$(notdir $(1:.elf=)).root && ls | LC_ALL=C sort | \
	    cpio -o -H newc --reproducible --quiet > $$(abspath $$@)

$(1:.elf=.archive.o): arch/arm/entry/archive.S $(1:.elf=.cpio) | deps
	$$(Q)$$(CC) $$(TARGET_CFLAGS) -DBOOT_ARCHIVE='"$$(abspath $(1:.elf=.cpio))"' -c $$< -o $$@

$(1): $(call objects,$(KERNEL_SOURCES)) $(1:.elf=.archive.o) arch/arm/kernel.ld
	$$(call say,LD,$$@)
	$$(Q)$$(CC) $$(TARGET_CFLAGS) $$(TARGET_LDFLAGS) -T arch/arm/kernel.ld \
	    $(call objects,$(KERNEL_SOURCES)) $(1:.elf=.archive.o) $$(LIBGCC) -o $$@
endef

# The system image IMAGE: init, the VMM, the native tasks, the system
# description SYSTEM (configs/configs.mk) and the Linux guest's images; the
# description says what of it to build. The guest's kernel and initrd are
# variables, so a user substitutes their own without editing code
# (docs/guests.md): make run LINUX_INITRD=my-initrd.cpio.gz. IMAGE_FILES adds
# more files (another guest's images, a dtb-fragment), under their own names.
IMAGE          ?= $(BUILD)/opal.elf
SYSTEM         ?= configs/default.dts
LINUX_KERNEL   ?= $(BUILD)/guests/linux/zImage
LINUX_INITRD   ?= $(BUILD)/guests/linux/initramfs.cpio.gz
IMAGE_FILES    ?=
all: $(IMAGE)
# A substituted file must exist (the defaults are built below).
$(foreach v,LINUX_KERNEL LINUX_INITRD,$(if $(filter file,$(origin $(v))),,\
    $(if $(wildcard $($(v))),,$(error $(v)=$($(v)): no such file))))
$(foreach f,$(IMAGE_FILES),$(if $(wildcard $(f)),,$(error IMAGE_FILES: $(f): no such file)))
VMM_SOURCES := $(wildcard vmm/*.c)
INIT_SOURCES := $(wildcard init/*.c) apps/console/start.c $(SYSTEM_SOURCES)
$(eval $(call native_program,$(BUILD)/init.elf,$(INIT_SOURCES)))
$(eval $(call native_program,$(BUILD)/vmm.elf,$(VMM_SOURCES)))
# Every program init may start; the description picks.
PROGRAMS := $(BUILD)/vmm.elf $(BUILD)/apps/ctrl.elf $(BUILD)/apps/console.elf \
            $(BUILD)/apps/echo.elf $(BUILD)/apps/blk.elf $(BUILD)/apps/rng.elf

# The guest images go into the archive under fixed names (the descriptions
# name them): staged beside IMAGE, replaced only when their content changes,
# so a changed variable or file rebuilds the image and nothing else does.
LINUX_STAGE := $(IMAGE:.elf=).linux0
LINUX_STAGED := $(addprefix $(LINUX_STAGE)/,zImage initramfs.cpio.gz)
$(LINUX_STAGE)/zImage: $(LINUX_KERNEL) FORCE
$(LINUX_STAGE)/initramfs.cpio.gz: $(LINUX_INITRD) FORCE
$(LINUX_STAGED):
	@mkdir -p $(@D)
	$(Q)cmp -s $< $@ || cp $< $@
FORCE:
$(eval $(call boot_image,$(IMAGE),$(BUILD)/init.elf,$(PROGRAMS),$(LINUX_STAGED) $(IMAGE_FILES),$(SYSTEM)))

# The testkit guest: bare metal, linked at guest RAM, run by the same VMM.
TESTKIT_SOURCES := guests/testkit/start.S guests/testkit/main.c
$(BUILD)/guests/testkit.elf: $(call objects,$(TESTKIT_SOURCES)) guests/testkit/testkit.ld
	@mkdir -p $(@D)
	$(call say,LD,$@)
	$(Q)$(CC) $(TARGET_CFLAGS) $(TARGET_LDFLAGS) -T guests/testkit/testkit.ld \
	    $(call objects,$(TESTKIT_SOURCES)) $(LIBGCC) -o $@
$(eval $(call boot_image,$(BUILD)/tests/testkit.elf,$(BUILD)/init.elf,$(BUILD)/vmm.elf \
    $(BUILD)/apps/console.elf $(BUILD)/guests/testkit.elf,,tests/configs/testkit.dts))

# The probe guest (guests/probe): what stray accesses and trapped registers
# get, under stray-access "abort" and "stop". Linked like the testkit.
PROBE_SOURCES := guests/probe/start.S guests/probe/main.c
$(BUILD)/guests/probe.elf: $(call objects,$(PROBE_SOURCES)) guests/testkit/testkit.ld
	@mkdir -p $(@D)
	$(call say,LD,$@)
	$(Q)$(CC) $(TARGET_CFLAGS) $(TARGET_LDFLAGS) -T guests/testkit/testkit.ld \
	    $(call objects,$(PROBE_SOURCES)) $(LIBGCC) -o $@
$(foreach c,testkit-probe testkit-probe-stop,$(eval $(call boot_image,$(BUILD)/tests/$(c).elf,\
    $(BUILD)/init.elf,$(BUILD)/vmm.elf $(BUILD)/apps/console.elf $(BUILD)/guests/probe.elf,,\
    tests/configs/$(c).dts)))

# Test images: each system test boots an image built for it.
$(eval $(call native_program,$(BUILD)/tests/foundation-root.elf,tests/system/roottask/main.c))
$(eval $(call boot_image,$(BUILD)/tests/foundation.elf,$(BUILD)/tests/foundation-root.elf))
$(eval $(call native_program,$(BUILD)/tests/api-root.elf,$(wildcard tests/system/api/*.c)))
$(eval $(call boot_image,$(BUILD)/tests/api.elf,$(BUILD)/tests/api-root.elf))
# The kernel benchmark: a root task and an IPC server in its own address space.
# The server links at 8 MiB so the instruction counter's marker address is unique.
$(eval $(call native_program,$(BUILD)/bench/ipc-server.elf,bench/ipc/server.c,-Wl$$(comma)--defsym=USER_BASE=0x00800000))
$(eval $(call native_program,$(BUILD)/bench/bench-root.elf,bench/ipc/main.c))
$(eval $(call boot_image,$(BUILD)/bench/kernel-bench.elf,$(BUILD)/bench/bench-root.elf,$(BUILD)/bench/ipc-server.elf))

$(eval $(call native_program,$(BUILD)/tests/fuzz-root.elf,tests/system/fuzz/main.c))
$(eval $(call boot_image,$(BUILD)/tests/fuzz.elf,$(BUILD)/tests/fuzz-root.elf))
# The fuzzer's soak, not part of make test: tests/system/test_fuzz.py for each
# seed of SEEDS (default 1..FUZZ_RUNS), one QEMU at a time; every failure is
# reported with its seed (test_fuzzer_leaves_kernel_consistent[SEED]) and a
# replay line. FUZZ_OPS: operations per seed (the test's 50,000 if unset).
FUZZ_RUNS ?= 20
SEEDS ?= $(shell seq 1 $(FUZZ_RUNS))
fuzz: $(BUILD)/tests/fuzz.elf | deps
	FUZZ_SEEDS="$(SEEDS)" $(if $(FUZZ_OPS),FUZZ_OPS="$(FUZZ_OPS)") $(PYTHON) -m pytest -q -rf \
	    tests/system/test_fuzz.py
# The shipped configurations and the test descriptions (tests/configs/),
# each in an image of its own.
$(eval $(call boot_image,$(BUILD)/tests/two-linux.elf,$(BUILD)/init.elf,$(PROGRAMS),\
    $(GUEST_LINUX),configs/two-linux.dts))
$(eval $(call boot_image,$(BUILD)/tests/native-only.elf,$(BUILD)/init.elf,$(PROGRAMS),,\
    configs/native-only.dts))
$(eval $(call boot_image,$(BUILD)/tests/restart.elf,$(BUILD)/init.elf,$(PROGRAMS),\
    $(GUEST_LINUX),tests/configs/restart.dts))
$(eval $(call boot_image,$(BUILD)/tests/smp-linux.elf,$(BUILD)/init.elf,$(PROGRAMS),\
    $(GUEST_LINUX),tests/configs/smp-linux.dts))
$(eval $(call boot_image,$(BUILD)/tests/two-smp-linux.elf,$(BUILD)/init.elf,$(PROGRAMS),\
    $(GUEST_LINUX),tests/configs/two-smp-linux.dts))
$(eval $(call boot_image,$(BUILD)/tests/halt.elf,$(BUILD)/init.elf,$(PROGRAMS),,\
    tests/configs/halt.dts))
# Descriptions at the limits the checker shares with init, the kernel and the VMM.
$(eval $(call boot_image,$(BUILD)/tests/limits.elf,$(BUILD)/init.elf,$(BUILD)/vmm.elf \
    $(BUILD)/apps/console.elf $(BUILD)/apps/echo.elf $(BUILD)/guests/testkit.elf,,\
    tests/configs/limits.dts))
$(eval $(call boot_image,$(BUILD)/tests/limits-high-ram.elf,$(BUILD)/init.elf,$(PROGRAMS),\
    $(GUEST_LINUX),tests/configs/limits-high-ram.dts))
# The block driver beside a testkit VM that has a disk (tests/system/test_blk.py).
$(eval $(call boot_image,$(BUILD)/tests/blk.elf,$(BUILD)/init.elf,$(BUILD)/vmm.elf \
    $(BUILD)/apps/console.elf $(BUILD)/apps/blk.elf $(BUILD)/guests/testkit.elf,,\
    tests/configs/blk.dts))
# Linux with disks (tests/system/test_linux_disk.py).
$(eval $(call boot_image,$(BUILD)/tests/two-disk.elf,$(BUILD)/init.elf,$(PROGRAMS),\
    $(GUEST_LINUX),tests/configs/two-disk.dts))
$(eval $(call boot_image,$(BUILD)/tests/disk-crash.elf,$(BUILD)/init.elf,$(PROGRAMS),\
    $(GUEST_LINUX),tests/configs/disk-crash.dts))
TEST_IMAGES := $(BUILD)/tests/blk.elf $(BUILD)/tests/two-disk.elf $(BUILD)/tests/disk-crash.elf \
               $(BUILD)/tests/two-linux.elf $(BUILD)/tests/native-only.elf \
               $(BUILD)/tests/restart.elf $(BUILD)/tests/smp-linux.elf $(BUILD)/tests/two-smp-linux.elf $(BUILD)/tests/halt.elf \
               $(BUILD)/tests/fuzz.elf $(BUILD)/tests/foundation.elf $(BUILD)/tests/api.elf \
               $(BUILD)/tests/testkit.elf $(BUILD)/tests/testkit-probe.elf \
               $(BUILD)/tests/testkit-probe-stop.elf \
               $(BUILD)/tests/limits.elf $(BUILD)/tests/limits-high-ram.elf

# The Linux guest: Debian's armhf kernel and busybox (apt-get download, cached
# in build/guests/linux/cache) and an initramfs from guests/linux/rootfs.
$(GUEST_LINUX) &: scripts/guest-linux.sh scripts/initramfs.sh scripts/deb-fetch.sh \
                 $(shell find guests/linux/rootfs -type f) | deps
	$(call say,GUEST,$(BUILD)/guests/linux)
	$(Q)scripts/guest-linux.sh $(BUILD)/guests/linux
guest: $(GUEST_LINUX) $(ROOTFS)

# The disk's root file system (docs/disk.md): Debian's busybox, libc6 and
# e2fsprogs with guests/linux/disk-root, an ext4 image made without root.
# Pristine: nothing boots it in place; disks and tests take copies.
$(ROOTFS): scripts/rootfs.sh scripts/deb-fetch.sh $(shell find guests/linux/disk-root -type f) | deps
	$(call say,ROOTFS,$@)
	$(Q)scripts/rootfs.sh $(BUILD)/guests/linux
# The data disk (scripts/disk-layout.sh): made when missing and never
# rewritten by a build (order-only), so what the guests write on it stays;
# make disk-fresh recreates it from the pristine root file system.
all: $(DATA_DISK)
$(DATA_DISK): | $(ROOTFS)
	$(Q)scripts/data-disk.sh $@ $(ROOTFS)
disk-fresh: $(ROOTFS)
	$(Q)scripts/data-disk.sh $(DATA_DISK) $(ROOTFS)

# The QEMU plugin that counts instructions by address range (benchmarks).
$(BUILD)/host/insn_count.so: bench/plugin/insn_count.c bench/plugin/qemu_plugin_api.h | deps
	@mkdir -p $(@D)
	$(call say,HOSTCC,$<)
	$(Q)$(HOST_CC) -shared -fPIC -O2 $(WARNINGS) -fvisibility=hidden $< -o $@

# --- commands ------------------------------------------------------------
# CLOCK: how `make run`'s QEMU keeps time (README.md, "The clock").
#   wall     -icount shift=0,sleep=on (default): one instruction is one virtual
#            nanosecond, and an idle system waits in real time, so the guest's
#            clock keeps the wall clock's pace (`sleep 5` takes 5 s); the control
#            task's figures then include how late the host wakes QEMU (ms).
#   virtual  -icount shift=0,sleep=off: an idle system skips to its next timer, so
#            the figures describe Opal alone (what the tests and `make bench` use),
#            and the clock runs ahead of the wall clock, about ten times at idle.
#   host     QEMU's own clock (no -icount): every core on its own host thread.
# RUN_QEMU_ARGS replaces the flags altogether.
# BOOTARGS: Opal's boot arguments (the kernel's and init's, e.g. ctrl.arguments=1000,5).
# Through U-Boot, BOOTARGS are written into the disk's boot.scr (scripts/image.mk);
# with -kernel, QEMU's -append puts them in the device tree.
CLOCK ?= wall
CLOCK_ARGS_wall := -icount shift=0,sleep=on
CLOCK_ARGS_virtual := -icount shift=0,sleep=off
CLOCK_ARGS_host :=
RUN_QEMU_ARGS ?= $(CLOCK_ARGS_$(CLOCK))
# Checked when a run starts, not for every target: CLOCK may be in the environment.
check_clock = $(if $(filter $(CLOCK),wall virtual host),,$(error CLOCK=$(CLOCK): use wall (the default), virtual or host; README.md says what each does))
BOOTARGS ?=
run_append = $(if $(BOOTARGS),-append '$(BOOTARGS)')
-include scripts/image.mk
# Both runs attach the data disk (OPAL_DISK, scripts/qemu.sh).
run: $(UBOOT_DISK) $(DATA_DISK)
	$(check_clock)OPAL_DISK=$(DATA_DISK) scripts/qemu.sh $< $(RUN_QEMU_ARGS)

# The flags `make run` gives QEMU for its clock (a test boots with them).
print-run-qemu-args:
	$(check_clock)@echo $(RUN_QEMU_ARGS)

run-direct: $(IMAGE) $(DATA_DISK)
	$(check_clock)OPAL_DISK=$(DATA_DISK) scripts/qemu.sh $< $(RUN_QEMU_ARGS) $(run_append)

debug: $(IMAGE)
	@echo "gdb-multiarch $< -ex 'target remote :1234'"
	scripts/qemu.sh $< -s -S $(run_append)

include tests/unit/unit.mk
# Native tasks (apps/) and device trees (dts/) keep their rules beside them.
-include apps/apps.mk dts/dts.mk
# The isolation tests' guests, checker task and images.
-include guests/hostile/hostile.mk
# The hostile-queue test's guests and image.
-include guests/virtio-hostile/virtio-hostile.mk
-include bench/linux/linux.mk
-include configs/configs.mk

test: $(BUILD)/opal.elf $(BUILD)/tests/uboot.img $(TEST_IMAGES) $(GUEST_LINUX) $(ROOTFS) unit-build | deps
	$(PYTHON) -m pytest -v tests

bench: $(BUILD)/bench/kernel-bench.elf $(BUILD)/host/insn_count.so $(BENCH_LINUX_DEPS) | deps
	$(PYTHON) scripts/bench.py

clean:
	rm -rf $(BUILD)

-include $(shell find $(BUILD)/target -name '*.d' 2>/dev/null)
