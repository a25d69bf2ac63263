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
# (the U-Boot binary for disks).
set -euo pipefail

console=(-nographic)
if [ "${1:-}" = "--test" ]; then
    console=(-display none -serial stdio -monitor none)
    shift
fi
image=${1:?usage: scripts/qemu.sh [--test] IMAGE [QEMU ARGS...]}
shift

boot=(-kernel "$image")
case "$image" in
*.img)  # read-only, so several QEMUs may boot the same disk
    boot=(-bios "${OPAL_UBOOT:-/usr/lib/u-boot/qemu_arm/u-boot.bin}"
          -drive "if=none,file=$image,format=raw,readonly=on,id=disk"
          -device virtio-blk-device,drive=disk) ;;
esac

exec "${QEMU:-qemu-system-arm}" \
    -M "virt,virtualization=on,highmem=off,gic-version=2${OPAL_QEMU_MACHINE_EXTRA:-}" \
    -cpu cortex-a15 -smp "${OPAL_QEMU_CORES:-4}" -m "${OPAL_QEMU_MEMORY:-1024}" -nic none \
    -global virtio-mmio.force-legacy=false \
    "${console[@]}" "${boot[@]}" "$@"
