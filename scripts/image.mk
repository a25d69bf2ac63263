# The Opal image as a board boots it: through U-Boot (Debian's u-boot-qemu)
# from a disk. Included by the Makefile after IMAGE and BOOTARGS are set.
#   IMAGE .bin   the loadable bytes of the ELF, to be placed at its link address
#   IMAGE .its   the FIT description this file writes; .itb the FIT (mkimage)
#   IMAGE .img   a disk: MBR, one FAT partition with the FIT and boot.scr
# docs/boot.md describes the boot flow and the addresses.

UBOOT_BIN  := /usr/lib/u-boot/qemu_arm/u-boot.bin
IMAGE_BIN  := $(IMAGE:.elf=.bin)
IMAGE_ITS  := $(IMAGE:.elf=.its)
IMAGE_FIT  := $(IMAGE:.elf=.itb)
UBOOT_DISK := $(IMAGE:.elf=.img)
# Where boot.scr loads the FIT: 64 MiB into RAM, clear of the kernel image
# (linked at 0x40200000, about 7 MiB) that bootm copies out of it, and far
# below U-Boot, which relocates itself, its heap and its DTB to the top of RAM.
FIT_LOAD_ADDRESS := 0x44000000
# A shell command printing the address an ELF is linked at (hex, no 0x): its
# __image_start, the FIT's load address and what `make` reports.
image_start = $(CROSS)nm $(1) | awk '$$3 == "__image_start" { print $$1 }'

$(IMAGE_BIN): $(IMAGE)
	$(call say,OBJCOPY,$@)
	$(Q)$(CROSS)objcopy -O binary $< $@

# The kernel is position-dependent (linked at a physical address), so the FIT
# gives bootm that address to copy it to and to enter. os "linux" is what makes
# bootm enter it as Linux is entered: HYP mode left as it is, the DTB in r2.
$(IMAGE_ITS): $(IMAGE) scripts/image.mk
	$(call say,ITS,$@)
	$(Q)load=0x$$($(call image_start,$<)); \
	entry=$$($(CROSS)readelf -h $< | awk '/Entry point/ { print $$4 }'); \
	{ echo '/dts-v1/;'; \
	  echo '/ {'; \
	  echo '    description = "Opal hypervisor (kernel and boot archive)";'; \
	  echo '    #address-cells = <1>;'; \
	  echo '    images {'; \
	  echo '        opal {'; \
	  echo '            description = "Opal";'; \
	  echo '            data = /incbin/("$(abspath $(IMAGE_BIN))");'; \
	  echo '            type = "kernel";'; \
	  echo '            arch = "arm";'; \
	  echo '            os = "linux";'; \
	  echo '            compression = "none";'; \
	  echo "            load = <$$load>;"; \
	  echo "            entry = <$$entry>;"; \
	  echo '            hash { algo = "crc32"; };'; \
	  echo '        };'; \
	  echo '    };'; \
	  echo '    configurations {'; \
	  echo '        default = "opal";'; \
	  echo '        opal { description = "Opal"; kernel = "opal"; };'; \
	  echo '    };'; \
	  echo '};'; } > $@

$(IMAGE_FIT): $(IMAGE_ITS) $(IMAGE_BIN) | deps
	$(call say,MKIMAGE,$@)
	$(Q)mkimage -q -f $< $@

# A disk that boots the FIT with the given Opal boot arguments. U-Boot's
# default boot (distro boot) finds boot.scr on the bootable partition; the
# script sets bootargs, which bootm writes into the DTB's /chosen, loads the
# FIT and boots it with U-Boot's own DTB (QEMU's, at fdtcontroladdr). The
# configuration is named (#opal): Debian's U-Boot picks a FIT's default by
# matching its DTB's compatible, and this FIT carries no DTB.
# $(call uboot_disk,DISK,BOOTARGS)
define uboot_disk
$(1:.img=).boot/boot.cmd: FORCE
	@mkdir -p $$(@D)
	$$(Q){ echo '# Written by scripts/image.mk: boots Opal from this partition.'; \
	  echo 'setenv bootargs "$(2)"'; \
	  echo 'load $$$${devtype} $$$${devnum}:$$$${distro_bootpart} $(FIT_LOAD_ADDRESS) $(notdir $(IMAGE_FIT))'; \
	  echo 'bootm $(FIT_LOAD_ADDRESS)#opal - $$$${fdtcontroladdr}'; } > $$@.new
	$$(Q)cmp -s $$@.new $$@ && rm $$@.new || mv $$@.new $$@

$(1:.img=).boot/boot.scr: $(1:.img=).boot/boot.cmd | deps
	$$(Q)mkimage -A arm -T script -C none -n "Opal boot" -d $$< $$@ >/dev/null

$(1): $(IMAGE_FIT) $(1:.img=).boot/boot.scr scripts/uboot-disk.sh
	$$(call say,DISK,$$@)
	$$(Q)scripts/uboot-disk.sh $$@ $(IMAGE_FIT) $(1:.img=).boot/boot.scr
endef
$(eval $(call uboot_disk,$(UBOOT_DISK),$(BOOTARGS)))
# The U-Boot system test's disk: the control task reports every second.
$(eval $(call uboot_disk,$(BUILD)/tests/uboot.img,ctrl.arguments=1000$(comma)1))

# The end of `make`: the image's size and what is in it.
.PHONY: image-info
all: image-info
image-info: $(IMAGE) $(IMAGE_FIT) $(UBOOT_DISK)
	@echo "Opal image: $(IMAGE) ($$(stat -c %s $(IMAGE_BIN)) bytes loaded at" \
	    "0x$$($(call image_start,$(IMAGE))));" \
	    "FIT $(IMAGE_FIT) ($$(stat -c %s $(IMAGE_FIT)) bytes); U-Boot disk $(UBOOT_DISK)"
	@echo "Boot archive $(IMAGE:.elf=.cpio) ($$(stat -c %s $(IMAGE:.elf=.cpio)) bytes):"
	@cpio -itv --quiet < $(IMAGE:.elf=.cpio) | awk '{ printf "  %10d  %s\n", $$5, $$9 }'
