#!/usr/bin/env bash
# Makes the data disk the VMs' roots live on: an MBR (partition type 0x83,
# none bootable, so U-Boot's distro boot passes it by) with the partitions of
# scripts/disk-layout.sh, each a copy of the pristine root file system.
# Usage: scripts/data-disk.sh DISK ROOTFS.ext4   (DISK is replaced)
set -euo pipefail

disk=${1:?usage: scripts/data-disk.sh DISK ROOTFS.ext4}
rootfs=${2:?usage: scripts/data-disk.sh DISK ROOTFS.ext4}
top=$(cd "$(dirname "$0")/.." && pwd)

le32() {  # a 32-bit little-endian number as printf escapes
    printf '\\x%02x\\x%02x\\x%02x\\x%02x' $(( $1 & 255 )) $(( ($1 >> 8) & 255 )) \
        $(( ($1 >> 16) & 255 )) $(( ($1 >> 24) & 255 ))
}

mapfile -t layout < <("$top/scripts/disk-layout.sh")
rootfs_sectors=$(( $(stat -c %s "$rootfs") / 512 ))
end=0
for line in "${layout[@]}"; do
    read -r number start sectors vm <<< "$line"
    [ "$sectors" -eq "$rootfs_sectors" ] || {
        echo "data-disk: partition $number holds $sectors sectors, $rootfs has $rootfs_sectors" >&2
        exit 1; }
    [ $(( start + sectors )) -gt $end ] && end=$(( start + sectors ))
done

# Built beside the target and renamed, so an interrupted run leaves no half disk.
rm -f "$disk.new"
truncate -s $(( end * 512 )) "$disk.new"
echo "data disk $disk: $end sectors of 512 bytes, MBR:"
for line in "${layout[@]}"; do
    read -r number start sectors vm <<< "$line"
    # Entry N at 446 + 16 (N - 1): not bootable, type 0x83 (Linux), the CHS
    # fields the "use LBA" placeholders, then the start and count.
    entry="\\x00\\xfe\\xff\\xff\\x83\\xfe\\xff\\xff$(le32 "$start")$(le32 "$sectors")"
    printf "$entry" | dd of="$disk.new" bs=1 seek=$(( 446 + 16 * (number - 1) )) \
        conv=notrunc status=none
    dd if="$rootfs" of="$disk.new" bs=1M seek=$(( start * 512 )) oflag=seek_bytes \
        conv=notrunc,sparse status=none
    echo "  partition $number: start $start, $sectors sectors ($(( sectors / 2048 )) MiB), root of $vm"
done
printf '\x55\xaa' | dd of="$disk.new" bs=1 seek=510 conv=notrunc status=none
mv "$disk.new" "$disk"
