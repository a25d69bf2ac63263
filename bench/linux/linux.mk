# The Linux guest benchmark (docs/benchmarks.md, scripts/bench_linux.py): a
# freestanding Linux program that is /init of its own initramfs (beside
# Debian's busybox, the exec target), and two Opal boot images running it in
# the Linux VM: the workloads, and a boot alone (`bench=boot`, for the exit
# counts). The native runs boot the same zImage, initramfs and DTB directly.

BENCH_LINUX         := $(BUILD)/bench/linux
BENCH_LINUX_SOURCES := bench/linux/start.S guests/linux-user/syscall.S bench/linux/workload.c bench/linux/common.c lib/core/format.c lib/core/string.c
BENCH_LINUX_IMAGES  := $(BUILD)/bench/linux-opal.elf $(BUILD)/bench/linux-opal-boot.elf
# The guest command line natively (bench/linux/bench*.dts say the same
# under Opal; the boot-only one adds bench=boot).
BENCH_LINUX_BOOTARGS := console=ttyAMA0 quiet

$(BENCH_LINUX)/init.elf: $(call objects,$(BENCH_LINUX_SOURCES))
	@mkdir -p $(@D)
	$(call say,LD,$@)
	$(Q)$(CC) $(TARGET_CFLAGS) $(TARGET_LDFLAGS) $(call objects,$(BENCH_LINUX_SOURCES)) \
	    $(LIBGCC) -o $@

# Byte-reproducible, as scripts/guest-linux.sh builds the guest's own.
$(BENCH_LINUX)/initramfs.cpio.gz: $(BENCH_LINUX)/init.elf $(GUEST_LINUX) scripts/initramfs.sh
	$(call say,CPIO,$@)
	$(Q)rm -rf $(BENCH_LINUX)/root && mkdir -p $(BENCH_LINUX)/root/bin
	$(Q)$(CROSS)strip -o $(BENCH_LINUX)/root/init $<
	$(Q)cp $(BUILD)/guests/linux/initramfs/bin/busybox $(BENCH_LINUX)/root/bin/busybox
	$(Q)scripts/initramfs.sh $(BENCH_LINUX)/root $@

# The native runs boot the same device tree Opal generates for the VM, and
# the command line bench/linux/bench.dts gives it.
$(BENCH_LINUX)/guest.dtb: $(BUILD)/dts/guest-virt.dtb
	$(Q)cp $< $@
$(BENCH_LINUX)/full/bootargs: bench/linux/linux.mk
	@mkdir -p $(@D)
	$(Q)printf '%s' '$(BENCH_LINUX_BOOTARGS)' > $@

# The SMP workloads (bench/linux/smp*.c, scripts/bench_linux_smp.py): their
# own /init, beside a program that only exits (exit0.S, the exec target),
# natively on QEMU -smp 4 with guest-smp4.dts, the 4-CPU form of the guest's
# device tree; bench-smp.dts describes the 4-vCPU VM for the Opal side.
BENCH_SMP         := $(BUILD)/bench/linux-smp
# maxcpus=1: the kernel boots on CPU 0 and /init brings the others online.
# Booted on four, QEMU 7.2 live-locks under -icount in the boot's
# stop_machine() (docs/benchmarks.md). bench-smp.dts gives the same line.
BENCH_SMP_BOOTARGS := console=ttyAMA0 quiet maxcpus=1
BENCH_SMP_SOURCES := bench/linux/start.S guests/linux-user/syscall.S bench/linux/smp.c \
                     bench/linux/smp_workloads.c bench/linux/common.c lib/core/format.c lib/core/string.c

$(BENCH_SMP)/init.elf: $(call objects,$(BENCH_SMP_SOURCES))
	@mkdir -p $(@D)
	$(call say,LD,$@)
	$(Q)$(CC) $(TARGET_CFLAGS) $(TARGET_LDFLAGS) $(call objects,$(BENCH_SMP_SOURCES)) \
	    $(LIBGCC) -o $@
$(BENCH_SMP)/exit0.elf: $(call objects,bench/linux/exit0.S)
	@mkdir -p $(@D)
	$(call say,LD,$@)
	$(Q)$(CC) $(TARGET_CFLAGS) $(TARGET_LDFLAGS) $< -o $@

$(BENCH_SMP)/initramfs-smp.cpio.gz: $(BENCH_SMP)/init.elf $(BENCH_SMP)/exit0.elf scripts/initramfs.sh
	$(call say,CPIO,$@)
	$(Q)rm -rf $(BENCH_SMP)/root && mkdir -p $(BENCH_SMP)/root/bin
	$(Q)$(CROSS)strip -o $(BENCH_SMP)/root/init $<
	$(Q)$(CROSS)strip -o $(BENCH_SMP)/root/bin/exit0 $(BENCH_SMP)/exit0.elf
	$(Q)scripts/initramfs.sh $(BENCH_SMP)/root $@

$(BENCH_SMP)/guest.dtb: bench/linux/guest-smp4.dts dts/guest-virt.dts | deps
	@mkdir -p $(@D)
	$(call say,DTC,$<)
	$(Q)dtc -I dts -O dtb -o $@ $<

$(BENCH_SMP)/bootargs: bench/linux/linux.mk
	@mkdir -p $(@D)
	$(Q)printf '%s' '$(BENCH_SMP_BOOTARGS)' > $@

BENCH_SMP_DEPS := $(BENCH_SMP)/initramfs-smp.cpio.gz $(BENCH_SMP)/guest.dtb $(BENCH_SMP)/bootargs

# The Opal side: a 4-vCPU VM, vCPU k on core k (bench/linux/bench-smp.dts).
$(eval $(call boot_image,$(BUILD)/bench/linux-smp-opal.elf,$(BUILD)/init.elf,\
    $(PROGRAMS),$(BUILD)/guests/linux/zImage $(BENCH_SMP)/initramfs-smp.cpio.gz,bench/linux/bench-smp.dts))

# Under Opal: the system descriptions bench/linux/bench*.dts (the guest's
# command line is theirs), the console server printing the guest's output.
BENCH_LINUX_DATA := $(BUILD)/guests/linux/zImage $(BENCH_LINUX)/initramfs.cpio.gz
$(eval $(call boot_image,$(BUILD)/bench/linux-opal.elf,$(BUILD)/init.elf,\
    $(PROGRAMS),$(BENCH_LINUX_DATA),bench/linux/bench.dts))
$(eval $(call boot_image,$(BUILD)/bench/linux-opal-boot.elf,$(BUILD)/init.elf,\
    $(PROGRAMS),$(BENCH_LINUX_DATA),bench/linux/bench-boot.dts))

# Xen 4.17 from Debian (xen-hypervisor-4.17-armhf), for a column measured
# beside Opal: fetched with apt-get download into a cache. Optional: when it
# cannot be had, the benchmark says so and leaves the column out.
BENCH_XEN := $(BUILD)/bench/xen/xen
BENCH_XEN_PACKAGE := xen-hypervisor-4.17-armhf
$(BENCH_XEN): | deps $(GUEST_LINUX)   # the guest's build enables armhf for apt
	@mkdir -p $(@D)/cache
	$(call say,XEN,$@)
	$(Q)deb=$$(ls $(@D)/cache/$(BENCH_XEN_PACKAGE)_*_armhf.deb 2>/dev/null | head -n 1); \
	if [ -z "$$deb" ]; then \
	    (cd $(@D)/cache && apt-get download -q $(BENCH_XEN_PACKAGE):armhf >/dev/null 2>&1); \
	    deb=$$(ls $(@D)/cache/$(BENCH_XEN_PACKAGE)_*_armhf.deb 2>/dev/null | head -n 1); \
	fi; \
	if [ -n "$$deb" ]; then \
	    rm -rf $(@D)/unpacked && dpkg -x "$$deb" $(@D)/unpacked && \
	    cp $(@D)/unpacked/boot/xen-4.17-armhf $@; \
	else echo "bench: apt-get download $(BENCH_XEN_PACKAGE):armhf failed; no Xen column"; fi

# What scripts/bench_linux.py needs besides the kernel benchmark's images.
BENCH_LINUX_DEPS := $(BENCH_LINUX_IMAGES) $(BENCH_LINUX)/initramfs.cpio.gz \
                    $(BENCH_LINUX)/guest.dtb $(BENCH_LINUX)/full/bootargs $(BUILD)/tests/testkit.elf $(BENCH_XEN) \
                    $(BENCH_SMP_DEPS) $(BUILD)/bench/linux-smp-opal.elf

# The storage benchmark (bench/linux/storage.c, scripts/bench_storage.py): its
# own /init and the guest's virtio modules (Debian builds virtio_mmio,
# virtio_blk and virtio_console as modules; virtio and virtio_ring are built
# in), natively with bench/linux/guest-storage.dts, under Opal with
# bench/linux/bench-storage.dts. Same command line as the one-CPU benchmark.
BENCH_STORAGE         := $(BUILD)/bench/linux-storage
BENCH_STORAGE_SOURCES := bench/linux/start.S guests/linux-user/syscall.S bench/linux/storage.c \
                         bench/linux/common.c lib/core/format.c lib/core/string.c lib/runtime/mem.c
BENCH_STORAGE_MODULES := drivers/virtio/virtio_mmio.ko drivers/block/virtio_blk.ko \
                         drivers/char/virtio_console.ko

$(BENCH_STORAGE)/init.elf: $(call objects,$(BENCH_STORAGE_SOURCES))
	@mkdir -p $(@D)
	$(call say,LD,$@)
	$(Q)$(CC) $(TARGET_CFLAGS) $(TARGET_LDFLAGS) $(call objects,$(BENCH_STORAGE_SOURCES)) \
	    $(LIBGCC) -o $@

# The modules come from the guest's initramfs tree, which scripts/guest-linux.sh
# fills from the same kernel package as the zImage.
$(BENCH_STORAGE)/initramfs-storage.cpio.gz: $(BENCH_STORAGE)/init.elf $(GUEST_LINUX) scripts/initramfs.sh
	$(call say,CPIO,$@)
	$(Q)rm -rf $(BENCH_STORAGE)/root && mkdir -p $(BENCH_STORAGE)/root/lib/modules
	$(Q)$(CROSS)strip -o $(BENCH_STORAGE)/root/init $<
	$(Q)for m in $(BENCH_STORAGE_MODULES); do \
	    cp $(BUILD)/guests/linux/initramfs/lib/modules/*/kernel/$$m $(BENCH_STORAGE)/root/lib/modules/ || exit 1; \
	done
	$(Q)scripts/initramfs.sh $(BENCH_STORAGE)/root $@

$(BENCH_STORAGE)/guest.dtb: bench/linux/guest-storage.dts dts/guest-virt.dts | deps
	@mkdir -p $(@D)
	$(call say,DTC,$<)
	$(Q)dtc -I dts -O dtb -o $@ $<

BENCH_STORAGE_DEPS := $(BENCH_STORAGE)/initramfs-storage.cpio.gz $(BENCH_STORAGE)/guest.dtb \
                      $(BENCH_LINUX)/full/bootargs

# The Opal side: bench/linux/bench-storage.dts (the VM, the block driver).
$(eval $(call boot_image,$(BUILD)/bench/linux-storage-opal.elf,$(BUILD)/init.elf,\
    $(PROGRAMS),$(BUILD)/guests/linux/zImage $(BENCH_STORAGE)/initramfs-storage.cpio.gz,\
    bench/linux/bench-storage.dts))
BENCH_STORAGE_DEPS += $(BUILD)/bench/linux-storage-opal.elf
BENCH_LINUX_DEPS += $(BENCH_STORAGE_DEPS)
