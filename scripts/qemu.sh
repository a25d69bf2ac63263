#!/usr/bin/env bash
# Boots an Opal image in QEMU: the one command line used by `make run`, the
# tests and the benchmarks. Usage: scripts/qemu.sh [--test] IMAGE [QEMU ARGS...]
#   IMAGE    an ELF (build/opal.elf), loaded with -kernel; or a disk (*.img,
#            scripts/image.mk) on virtio that Debian's U-Boot boots, as a board would
#   --test   serial on stdio without a monitor (for pytest); default is an
#            interactive console (-nographic: Ctrl-A X quits).
# Environment: OPAL_QEMU_MEMORY (MiB, default 1024), OPAL_QEMU_CORES (default 4,
# what configs/default.dts places its components on), OPAL_QEMU_MACHINE_EXTRA
# (appended to -M, e.g. ",virtualization=off"), QEMU (the binary), OPAL_UBOOT
# (the U-Boot binary for disks), OPAL_DISK (a data disk, raw, attached
# writable when set and not empty: `make run` gives build/disk.img, tests their
# own copies, and nothing else gets one; docs/disk.md).
set -euo pipefail

console=(-nographic)
if [ "${1:-}" = "--test" ]; then
    console=(-display none -serial stdio -monitor none)
    shift
fi
image=${1:?usage: scripts/qemu.sh [--test] IMAGE [QEMU ARGS...]}
shift

# The data disk's -device comes before the boot disk's: QEMU virt plugs
# devices into its virtio-mmio transports from the highest address down, so
# the data disk is at 0x0a003e00 (interrupt 79, SPI 47) whichever way Opal
# boots, and the U-Boot disk at 0x0a003c00 (78), the one U-Boot sees first
# (virtio 0, where its distro boot looks). Checked with QEMU's `info qtree`.
data=()
if [ -n "${OPAL_DISK:-}" ]; then
    data=(-drive "if=none,file=$OPAL_DISK,format=raw,id=data"
          -device virtio-blk-device,drive=data)
fi

boot=("${data[@]}" -kernel "$image")
case "$image" in
*.img)  # read-only, so several QEMUs may boot the same disk
    boot=("${data[@]}" -bios "${OPAL_UBOOT:-/usr/lib/u-boot/qemu_arm/u-boot.bin}"
          -drive "if=none,file=$image,format=raw,readonly=on,id=disk"
          -device virtio-blk-device,drive=disk) ;;
esac

exec "${QEMU:-qemu-system-arm}" \
    -M "virt,virtualization=on,highmem=off,gic-version=2${OPAL_QEMU_MACHINE_EXTRA:-}" \
    -cpu cortex-a15 -smp "${OPAL_QEMU_CORES:-4}" -m "${OPAL_QEMU_MEMORY:-1024}" -nic none \
    -global virtio-mmio.force-legacy=false \
    "${console[@]}" "${boot[@]}" "$@"
