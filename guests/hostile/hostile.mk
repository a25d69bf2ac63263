# Isolation tests (docs/testing.md, tests/system/test_isolation.py): programs
# that try to break out of a VM through CPU state it shares with the rest of
# the system, and the images that run them. Included by the top Makefile.

# hwbreak: a freestanding Linux program (raw system calls, no C library)
# that arms hardware breakpoints and watchpoints from an unprivileged process.
# Linked at 16 MiB, clear of the 4 MiB where every native program lives, so
# those addresses are free to map in the process.
HWBREAK_SOURCES := guests/hostile/linux/start.S guests/linux-user/syscall.S guests/hostile/linux/hwbreak.c \
                   lib/core/format.c lib/core/string.c lib/runtime/mem.c
$(BUILD)/guests/hostile/hwbreak.elf: $(call objects,$(HWBREAK_SOURCES))
	@mkdir -p $(@D)
	$(call say,LD,$@)
	$(Q)$(CC) $(TARGET_CFLAGS) $(TARGET_LDFLAGS) -Wl,-Ttext-segment=0x01000000 \
	    $(call objects,$(HWBREAK_SOURCES)) $(LIBGCC) -o $@

# The guest's initramfs with /bin/hwbreak added: the default one's tree
# (scripts/guest-linux.sh) plus the program, packed the same reproducible way.
# It goes into the image under the default's name, so configs/default.dts
# boots it unchanged.
HOSTILE_LINUX := $(BUILD)/guests/hostile/linux
$(HOSTILE_LINUX)/initramfs.cpio.gz: $(BUILD)/guests/hostile/hwbreak.elf $(GUEST_LINUX) \
    scripts/initramfs.sh
	$(call say,CPIO,$@)
	$(Q)rm -rf $(HOSTILE_LINUX)/root && mkdir -p $(HOSTILE_LINUX)
	$(Q)cp -a $(BUILD)/guests/linux/initramfs $(HOSTILE_LINUX)/root
	$(Q)$(CROSS)strip -o $(HOSTILE_LINUX)/root/bin/hwbreak $<
	$(Q)scripts/initramfs.sh $(HOSTILE_LINUX)/root $@
$(eval $(call boot_image,$(BUILD)/tests/isolation-linux.elf,$(BUILD)/init.elf,$(PROGRAMS),\
    $(BUILD)/guests/linux/zImage $(HOSTILE_LINUX)/initramfs.cpio.gz,configs/default.dts))

ISOLATION_IMAGES := $(BUILD)/tests/isolation-linux.elf

# isocheck: the native checker task (tests/system/isocheck), linked at 8 MiB
# so that no other program has code at the addresses the hostile guest arms.
$(eval $(call native_program,$(BUILD)/tests/isocheck.elf,tests/system/isocheck/main.c,\
    -Wl$$(comma)--defsym=USER_BASE=0x00800000))

# The hostile bare-metal guest, built against isocheck's addresses: the
# build reads them from isocheck's ELF into targets.h.
HOSTILE_SOURCES := guests/hostile/start.S guests/hostile/main.c
$(BUILD)/guests/hostile/targets.h: $(BUILD)/tests/isocheck.elf
	@mkdir -p $(@D)
	$(Q)$(CROSS)nm $< | awk '$$3 == "isocheck_code_target" { code = $$1 } \
	    $$3 == "isocheck_data_target" { data = $$1 } \
	    END { if (!code || !data) exit 1; \
	          print "/* Generated from isocheck.elf by guests/hostile/hostile.mk. */"; \
	          printf "#define ISOCHECK_CODE_TARGET 0x%su\n", code; \
	          printf "#define ISOCHECK_DATA_TARGET 0x%su\n", data }' > $@.tmp && mv $@.tmp $@
$(BUILD)/target/guests/hostile/main.o: $(BUILD)/guests/hostile/targets.h
$(BUILD)/target/guests/hostile/main.o: INCLUDES := $(GUEST_INCLUDES) -I$(BUILD)/guests/hostile
$(BUILD)/guests/hostile.elf: $(call objects,$(HOSTILE_SOURCES)) guests/hostile/hostile.ld
	@mkdir -p $(@D)
	$(call say,LD,$@)
	$(Q)$(CC) $(TARGET_CFLAGS) $(TARGET_LDFLAGS) -T guests/hostile/hostile.ld \
	    $(call objects,$(HOSTILE_SOURCES)) $(LIBGCC) -o $@
$(eval $(call boot_image,$(BUILD)/tests/isolation.elf,$(BUILD)/init.elf,$(BUILD)/vmm.elf \
    $(BUILD)/apps/console.elf $(BUILD)/tests/isocheck.elf $(BUILD)/guests/hostile.elf,,\
    tests/configs/isolation.dts))
ISOLATION_IMAGES += $(BUILD)/tests/isolation.elf
TEST_IMAGES += $(ISOLATION_IMAGES)
