#!/usr/bin/env bash
# Packs a directory into a byte-reproducible initramfs: every file dated 0,
# owned by root, in sorted order, a newc cpio archive gzipped without a name
# or time stamp. The same tree always gives the same bytes, so an unchanged
# guest keeps its benchmark figures and its image.
# Usage: scripts/initramfs.sh DIR OUTPUT.cpio.gz
set -euo pipefail

dir=${1:?usage: scripts/initramfs.sh DIR OUTPUT.cpio.gz}
out=${2:?usage: scripts/initramfs.sh DIR OUTPUT.cpio.gz}
find "$dir" -exec touch -h -d @0 {} +
(cd "$dir" && find . -mindepth 1 -printf '%P\n' | LC_ALL=C sort |
    cpio -o -H newc --reproducible -R 0:0 --quiet) | gzip -n -9 > "$out"
