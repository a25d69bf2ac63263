# SYSTEM_CHECK=no skips the checker, here and in the boot image: only for
# the test that boots a bad description to see init refuse it.
SYSTEM_CHECK ?= yes

# System descriptions (docs/configuration.md): $(SYSTEM), default
# configs/default.dts, is compiled by dtc to $(BUILD)/configs/<name>.dtb and
# checked by tools/check-system, a host program built from the same
# lib/core/system*.c as init; a bad description fails the build with the
# checker's messages. `make check-configs` checks every configs/*.dts.

SYSTEM        ?= configs/default.dts
SYSTEM_DTB    := $(call system_dtb,$(SYSTEM))
CONFIG_DTBS   := $(patsubst configs/%.dts,$(BUILD)/configs/%.dtb,$(wildcard configs/*.dts))

all: $(SYSTEM_DTB)

.PHONY: check-configs
check-configs: $(CONFIG_DTBS)

$(CHECK_SYSTEM): $(UNIT_HOST)/tools/check-system/main.o $(UNIT_CORE_LIB)
	$(call say,HOSTLD,$@)
	$(Q)$(HOST_CC) $(HOST_CFLAGS) $^ -o $@

# The blob is written under a temporary name and kept only if it passes, so
# a failed check fails again on the next make rather than being taken as built.
define compile_system
	@mkdir -p $(@D)
	$(call say,DTC,$<)
	$(Q)dtc -I dts -O dtb -d $@.d -o $@.tmp $< && sed -i "s|\.tmp:|:|" $@.d
	$(Q)$(if $(filter no,$(SYSTEM_CHECK)),,$(CHECK_SYSTEM) $@.tmp --source $< &&) mv $@.tmp $@
endef

$(BUILD)/configs/%.dtb: configs/%.dts $(CHECK_SYSTEM) | deps
	$(compile_system)
# The descriptions of test and benchmark images.
$(BUILD)/configs/%.dtb: tests/configs/%.dts $(CHECK_SYSTEM) | deps
	$(compile_system)
$(BUILD)/configs/%.dtb: bench/linux/%.dts $(CHECK_SYSTEM) | deps
	$(compile_system)
$(BUILD)/configs/%.dtb: tests/configs/bad/%.dts $(CHECK_SYSTEM) | deps
	$(compile_system)

# SYSTEM may live outside configs/ (a test's description, say).
ifeq ($(filter configs/%,$(SYSTEM)),)
$(SYSTEM_DTB): $(SYSTEM) $(CHECK_SYSTEM) | deps
	$(compile_system)
endif

-include $(CONFIG_DTBS:.dtb=.dtb.d) $(UNIT_HOST)/tools/check-system/main.d
