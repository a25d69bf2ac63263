# Native tasks (apps/) and the test images that run them; included by the
# top Makefile. Code that starts a task includes its header as "ctrl/ctrl.h".
$(BUILD)/target/apps/%.o $(BUILD)/target/tests/system/ctrl/%.o $(BUILD)/target/init/%.o: \
    INCLUDES := $(SHARED_INCLUDES) -Iapps

# The critical control task (apps/ctrl/ctrl.h: what its starter provides).
$(eval $(call native_program,$(BUILD)/apps/ctrl.elf,apps/ctrl/main.c apps/ctrl/channels.c))

# A native task that talks to ctrl over a channel (configs/native-only.dts).
$(eval $(call native_program,$(BUILD)/apps/echo.elf,apps/echo/main.c))

# tests/system/test_ctrl.py: a root task starting ctrl next to CPU, memory
# and kernel load.
$(eval $(call native_program,$(BUILD)/tests/ctrl-root.elf,tests/system/ctrl/main.c apps/ctrl/start.c))
$(eval $(call boot_image,$(BUILD)/tests/ctrl.elf,$(BUILD)/tests/ctrl-root.elf,\
    $(BUILD)/apps/ctrl.elf))
TEST_IMAGES += $(BUILD)/tests/ctrl.elf

# The console server (apps/console/console.h: its CSpace and client table;
# docs/console.md: the protocol). Its starter is linked into init.
$(eval $(call native_program,$(BUILD)/apps/console.elf,apps/console/main.c))

# The block driver: owns the host's virtio-blk disk, serves VMs' regions of
# it (docs/devices.md).
$(eval $(call native_program,$(BUILD)/apps/blk.elf,apps/blk/main.c apps/blk/clients.c \
    apps/blk/translate.c apps/blk/device.c))
