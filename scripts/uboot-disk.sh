#!/usr/bin/env bash
# Makes the disk U-Boot boots Opal from, as a board's SD card would be: an MBR
# with one bootable FAT partition holding the given files (the FIT and
# boot.scr). The partition table matters: U-Boot's distro boot scans
# "virtio 0:<bootable partitions>" and does not look inside an unpartitioned
# disk. Usage: scripts/uboot-disk.sh DISK FILE...
set -euo pipefail

disk=${1:?usage: scripts/uboot-disk.sh DISK FILE...}
shift

# The partition starts at 1 MiB (the usual alignment) and fills the disk,
# which is the files' size plus 4 MiB of room for FAT's tables, rounded to MiB.
bytes=$(cat "$@" | wc -c)
mib=$(( (bytes + (1 << 20) - 1) / (1 << 20) + 5 ))
start=2048
sectors=$(( mib * 2048 - start ))

le32() {  # a 32-bit little-endian number as printf escapes
    printf '\\x%02x\\x%02x\\x%02x\\x%02x' $(( $1 & 255 )) $(( ($1 >> 8) & 255 )) \
        $(( ($1 >> 16) & 255 )) $(( ($1 >> 24) & 255 ))
}

rm -f "$disk"
truncate -s "${mib}M" "$disk"
# Partition entry 1 at offset 446: bootable (0x80), type 0x0c (FAT32, LBA);
# the CHS fields are the "use LBA" placeholders. Then the 0x55aa signature.
entry="\\x80\\xfe\\xff\\xff\\x0c\\xfe\\xff\\xff$(le32 $start)$(le32 $sectors)"
printf "$entry" | dd of="$disk" bs=1 seek=446 conv=notrunc status=none
printf '\x55\xaa' | dd of="$disk" bs=1 seek=510 conv=notrunc status=none

part="$disk@@$(( start * 512 ))"
mformat -i "$part" -T "$sectors" -h 64 -s 32 -v OPAL ::
mcopy -i "$part" "$@" ::
