# Host unit tests: every tests/unit/test_*.c becomes $(BUILD)/host/test_*, linked
# against lib/core built for the host (as an archive, so each test pulls in only
# the modules it uses) plus the other sources it names below, and runs under
# ASan/UBSan. `make unit-build` builds binaries and fixtures; `make unit` runs them.

UNIT_DIR      := tests/unit
UNIT_HOST     := $(BUILD)/host
UNIT_FIXTURES := $(UNIT_HOST)/fixtures

UNIT_TESTS     := $(patsubst $(UNIT_DIR)/%.c,%,$(wildcard $(UNIT_DIR)/test_*.c))
UNIT_BINARIES  := $(addprefix $(UNIT_HOST)/,$(UNIT_TESTS))
UNIT_TEST_OBJS := $(patsubst %,$(UNIT_HOST)/$(UNIT_DIR)/%.o,$(UNIT_TESTS))
UNIT_CORE_OBJS := $(patsubst %.c,$(UNIT_HOST)/%.o,$(wildcard lib/core/*.c))
UNIT_CORE_LIB  := $(UNIT_HOST)/libcore.a
host_objects = $(patsubst %.c,$(UNIT_HOST)/%.o,$(1))

# Kernel code under test sees its own headers and the fake arch layer.
UNIT_INCLUDES := -Ikernel/include -Iarch/host/include -Iarch/arm/mmu

# Per test: sources besides lib/core, and fixture files passed as arguments.
UNIT_SOURCES_test_lpae  := arch/arm/mmu/lpae.c
UNIT_SOURCES_test_vgic_dist := vmm/vgic_dist.c
UNIT_SOURCES_test_vuart     := vmm/vuart.c
UNIT_SOURCES_test_vmm_channel := vmm/channel.c vmm/vgic_dist.c
UNIT_SOURCES_test_vmm_passthrough := vmm/passthrough.c vmm/vgic_dist.c
UNIT_SOURCES_test_vmm_sysreg := vmm/sysreg.c vmm/vdebug.c vmm/vpmu.c vmm/rate.c vmm/vgic_dist.c
UNIT_SOURCES_test_vmm_psci := vmm/psci.c vmm/vgic_dist.c
# The VMM's MMIO routing and every device behind it (vmm_handle_abort).
UNIT_VMM_MMIO_SOURCES := vmm/mmio.c vmm/vgic_dist.c vmm/vuart.c vmm/channel.c \
                         vmm/passthrough.c vmm/rate.c vmm/vpmu.c vmm/vrtc.c \
                         vmm/virtio_mmio.c vmm/virtq.c vmm/virtio_blk.c vmm/virtio_console.c \
                         vmm/virtio_rng.c
UNIT_SOURCES_test_vmm_mmio := $(UNIT_VMM_MMIO_SOURCES)
# A Linux guest's devices, through the same routing (linux_devices.h).
UNIT_LINUX_DEVICE_TESTS := test_virtio test_virtio_blk test_virtio_console test_vrtc
$(foreach t,$(UNIT_LINUX_DEVICE_TESTS),$(eval UNIT_SOURCES_$(t) := $(UNIT_VMM_MMIO_SOURCES)))
# Their tests include them by path from the repository root ("vmm/vuart.h").
$(UNIT_HOST)/$(UNIT_DIR)/test_vgic_dist.o $(UNIT_HOST)/$(UNIT_DIR)/test_vuart.o: UNIT_INCLUDES += -I.
$(patsubst %,$(UNIT_HOST)/$(UNIT_DIR)/%.o,$(UNIT_LINUX_DEVICE_TESTS)): UNIT_INCLUDES += -I.
$(UNIT_HOST)/$(UNIT_DIR)/test_vmm_%.o $(UNIT_HOST)/vmm/%.o: UNIT_INCLUDES += -I.
# The portable kernel with the fake arch (arch/host): its entries, the
# system-call layer and the objects, as the kernel links them.
UNIT_KERNEL_SOURCES := kernel/cdt.c kernel/cspace.c kernel/delete.c kernel/thread.c \
                       kernel/sched.c kernel/domain.c kernel/timeslice.c kernel/ipc.c \
                       kernel/invariants.c kernel/log.c kernel/entry.c kernel/syscall.c \
                       kernel/fault.c kernel/fastpath.c kernel/vtimer.c kernel/core.c \
                       kernel/object/object.c kernel/object/untyped.c kernel/object/cnode.c \
                       kernel/object/notification.c kernel/object/sched_context.c \
                       kernel/object/irq.c kernel/object/vcpu.c kernel/object/debug.c \
                       kernel/object/endpoint.c kernel/object/reply.c \
                       kernel/object/tcb.c arch/arm/cpu/context.c arch/host/fake.c
UNIT_SOURCES_test_cdt     := kernel/cdt.c
UNIT_SOURCES_test_cspace  := $(UNIT_KERNEL_SOURCES)
UNIT_SOURCES_test_untyped := $(UNIT_KERNEL_SOURCES)
UNIT_SOURCES_test_cnode   := $(UNIT_KERNEL_SOURCES)
UNIT_SOURCES_test_ipc     := $(UNIT_KERNEL_SOURCES)
UNIT_SOURCES_test_sched   := $(UNIT_KERNEL_SOURCES)
UNIT_SOURCES_test_debug   := $(UNIT_KERNEL_SOURCES)
UNIT_SOURCES_test_fastpath := $(UNIT_KERNEL_SOURCES)
UNIT_SOURCES_test_vcpu   := $(UNIT_KERNEL_SOURCES)
UNIT_SOURCES_test_domain := $(UNIT_KERNEL_SOURCES)
UNIT_SOURCES_test_errors := $(UNIT_KERNEL_SOURCES)
UNIT_CPIO_SRC := $(UNIT_DIR)/fixtures/cpio
UNIT_ARGS_test_fdt  := $(UNIT_HOST)/virt.dtb $(UNIT_FIXTURES)/tree.dtb
UNIT_ARGS_test_cpio := $(UNIT_FIXTURES)/files.cpio $(UNIT_CPIO_SRC)
UNIT_ARGS_test_fdt_edit := $(UNIT_FIXTURES)/edit.dtb $(BUILD)/dts/guest-virt.dtb $(UNIT_HOST)/virt.dtb
UNIT_ARGS_test_system := $(BUILD)/configs/default.dtb $(BUILD)/configs/native-only.dtb
UNIT_ARGS_test_guest_dtb := $(BUILD)/configs/two-linux.dtb $(BUILD)/dts/guest-virt.dtb \
                            $(UNIT_FIXTURES)/guest-fragment.dtb
UNIT_INPUTS := $(filter $(UNIT_HOST)/%,$(foreach t,$(UNIT_TESTS),$(UNIT_ARGS_$(t))))
# The guest's device tree is built by dts/dts.mk, outside $(UNIT_HOST); the
# system descriptions by configs/configs.mk.
UNIT_INPUTS += $(BUILD)/dts/guest-virt.dtb $(UNIT_ARGS_test_system)
UNIT_INPUTS += $(BUILD)/configs/two-linux.dtb

QEMU_VIRT_DTB_ARGS := -M virt,virtualization=on,highmem=off,gic-version=2,dumpdtb=$(UNIT_HOST)/virt.dtb \
                      -cpu cortex-a15 -m 1024 -nographic -nic none

.PHONY: unit-build unit
unit-build: $(UNIT_BINARIES) $(UNIT_INPUTS)

# Runs every binary even after a failure, then fails if any did.
unit: unit-build
	@status=0; \
	$(foreach t,$(UNIT_TESTS),echo "== $(t)"; $(UNIT_HOST)/$(t) $(UNIT_ARGS_$(t)) || status=1;) \
	exit $$status

# One suite, for tests/test_unit.py: `make unit-run-test_fdt`.
unit-run-%: $(UNIT_HOST)/% $(UNIT_INPUTS)
	@$(UNIT_HOST)/$* $(UNIT_ARGS_$*)

$(UNIT_HOST)/%.o: %.c
	@mkdir -p $(@D)
	$(call say,HOSTCC,$<)
	$(Q)$(HOST_CC) $(HOST_CFLAGS) $(UNIT_INCLUDES) -MMD -MP -c $< -o $@

$(UNIT_CORE_LIB): $(UNIT_CORE_OBJS)
	@rm -f $@
	$(Q)ar rcs $@ $^

# One link rule per test, generated, so each gets its own UNIT_SOURCES_*.
define unit_test_rule
$(UNIT_HOST)/$(1): $(UNIT_HOST)/$(UNIT_DIR)/$(1).o $(call host_objects,$(UNIT_SOURCES_$(1))) $(UNIT_CORE_LIB)
	$$(call say,HOSTLD,$$@)
	$$(Q)$$(HOST_CC) $$(HOST_CFLAGS) $$^ -o $$@
endef
$(foreach t,$(UNIT_TESTS),$(eval $(call unit_test_rule,$(t))))

# Keep the test objects: otherwise make deletes them as intermediates.
.SECONDARY: $(UNIT_TEST_OBJS)

# QEMU's own description of the machine Opal targets.
$(UNIT_HOST)/virt.dtb:
	@mkdir -p $(@D)
	qemu-system-arm $(QEMU_VIRT_DTB_ARGS)

# -q: the fixtures are deliberately odd (short reg, default cells) and dtc says so.
$(UNIT_FIXTURES)/%.dtb: $(UNIT_DIR)/fixtures/%.dts
	@mkdir -p $(@D)
	dtc -q -I dts -O dtb -o $@ $<

# Sorted, reproducible, names without "./"; the directory is archived too, so
# the reader must skip it.
$(UNIT_FIXTURES)/files.cpio: $(shell find $(UNIT_CPIO_SRC) 2>/dev/null)
	@mkdir -p $(@D)
	(cd $(UNIT_CPIO_SRC) && find . -mindepth 1 -printf '%P\n' | LC_ALL=C sort | \
	 cpio -o -H newc --reproducible -R 0:0 --quiet) > $@.tmp && mv $@.tmp $@

-include $(patsubst %.o,%.d,$(UNIT_CORE_OBJS) $(UNIT_TEST_OBJS) \
           $(call host_objects,$(foreach t,$(UNIT_TESTS),$(UNIT_SOURCES_$(t)))))
