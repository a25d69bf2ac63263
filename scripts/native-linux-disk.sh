#!/usr/bin/env bash
# Boots the Linux guest natively (no Opal) with its root on a virtio disk:
# the Debian zImage and initramfs on QEMU's virt machine as the native guest
# runs in scripts/bench_linux.py (one core, 256 MiB, entered in SVC), DISK on
# virtio-blk as /dev/vda, whole and unpartitioned, as a VM sees its region.
# Usage: scripts/native-linux-disk.sh [--test] DISK [QEMU ARGS...]
#   DISK  an ext4 image; made as a sparse copy of the pristine root
#         (build/guests/linux/rootfs.ext4) when it does not exist
# Environment: OPAL_QEMU_MEMORY (MiB, default 256), NATIVE_APPEND (more of
# the kernel's command line, e.g. "quiet").
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
test=()
if [ "${1:-}" = "--test" ]; then
    test=(--test)
    shift
fi
disk=${1:?usage: scripts/native-linux-disk.sh [--test] DISK [QEMU ARGS...]}
shift
guest="$top/build/guests/linux"
if [ ! -e "$disk" ]; then
    # Never the pristine image itself: what the guest writes would land in it.
    cp --sparse=always "$guest/rootfs.ext4" "$disk"
    echo "native-linux-disk: $disk is a fresh copy of $guest/rootfs.ext4" >&2
fi

export OPAL_DISK=$disk OPAL_QEMU_CORES=1 OPAL_QEMU_MEMORY=${OPAL_QEMU_MEMORY:-256}
export OPAL_QEMU_MACHINE_EXTRA=",virtualization=off${OPAL_QEMU_MACHINE_EXTRA:-}"
exec "$top/scripts/qemu.sh" "${test[@]}" "$guest/zImage" -initrd "$guest/initramfs.cpio.gz" \
    -append "console=ttyAMA0 root=/dev/vda${NATIVE_APPEND:+ $NATIVE_APPEND}" "$@"
