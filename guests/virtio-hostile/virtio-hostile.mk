# The hostile-queue test's guests (tests/system/test_virtio_hostile.py):
# vq-hostile breaks the virtqueue rules on its console and disk, vq-worker
# does honest I/O on the same disk meanwhile. Bare metal, linked like the
# testkit; one transport driver (virtio.c) for both. Included by the Makefile.
VQ_COMMON := guests/virtio-hostile/start.S guests/virtio-hostile/virtio.c lib/runtime/mem.c
$(BUILD)/guests/vq-%.elf: $(call objects,$(VQ_COMMON)) $(BUILD)/target/guests/virtio-hostile/%.o \
    guests/testkit/testkit.ld
	@mkdir -p $(@D)
	$(call say,LD,$@)
	$(Q)$(CC) $(TARGET_CFLAGS) $(TARGET_LDFLAGS) -T guests/testkit/testkit.ld \
	    $(call objects,$(VQ_COMMON)) $(BUILD)/target/guests/virtio-hostile/$*.o $(LIBGCC) -o $@
$(eval $(call boot_image,$(BUILD)/tests/virtio-hostile.elf,$(BUILD)/init.elf,$(BUILD)/vmm.elf \
    $(BUILD)/apps/console.elf $(BUILD)/apps/blk.elf $(BUILD)/guests/vq-hostile.elf $(BUILD)/guests/vq-worker.elf,,\
    tests/configs/virtio-hostile.dts))
TEST_IMAGES += $(BUILD)/tests/virtio-hostile.elf
