#!/usr/bin/env bash
# The data disk's layout (build/disk.img), in this one place: each line is a
# partition's number, first sector, sector count and the VM whose root it is.
# scripts/data-disk.sh makes the disk from it; system descriptions giving a
# VM a disk region must name the same sectors (tests check both against it).
cat <<'LAYOUT'
1 2048 524288 linux0
2 526336 524288 linux1
LAYOUT
