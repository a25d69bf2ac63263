#!/usr/bin/env bash
# Builds the disk's root file system, without root: a Debian armhf userland
# (busybox, libc6, e2fsprogs) plus guests/linux/disk-root, made into an ext4
# image with mke2fs -d under fakeroot so that every file is owned by root.
# Usage: scripts/rootfs.sh OUTPUT_DIR   (writes OUTPUT_DIR/rootfs.ext4; the
# .debs are cached in OUTPUT_DIR/cache, as scripts/guest-linux.sh does)
set -euo pipefail

out=${1:?usage: scripts/rootfs.sh OUTPUT_DIR}
top=$(cd "$(dirname "$0")/.." && pwd)
image="$out/rootfs.ext4"
tree="$out/rootfs"
# The image's size: a partition of scripts/disk-layout.sh is exactly this.
size_mib=256
# Fixed identity and time, so the same packages give the same image.
uuid=5d3f0a4e-6f70-4c61-8b2d-6469736b0001
hash_seed=5d3f0a4e-6f70-4c61-8b2d-6469736b0002
epoch=${SOURCE_DATE_EPOCH:-0}

# busybox-static rather than the dynamic busybox: the very binary the
# initramfs runs (the same applets on both sides), and the disk's shell still
# works if its libc is broken. e2fsprogs and what it needs at run time,
# resolved once with `apt-cache depends --recurse` (Depends and Pre-Depends,
# armhf, Debian 12) and listed here so a filled cache needs no apt lists.
packages=(
    busybox-static
    e2fsprogs logsave                       # mke2fs, e2fsck (fsck.ext4), logsave
    libext2fs2 libcom-err2 libss2           # e2fsprogs' libraries
    libblkid1 libuuid1                      # util-linux's, which e2fsprogs uses
    libc6 libgcc-s1 gcc-12-base             # the C library and its unwinder
)

if [ "${FAKEROOTKEY:-}" = "" ]; then
    mapfile -t debs < <("$top/scripts/deb-fetch.sh" "$out/cache" "${packages[@]}")
    # The rest runs under fakeroot: dpkg -x, the device nodes and mke2fs see
    # one consistent fake ownership (root) for every file.
    exec fakeroot -- "$0" "$out" "${debs[@]}"
fi
shift
debs=("$@")

rm -rf "$tree" && mkdir -p "$tree"
for deb in "${debs[@]}"; do dpkg -x "$deb" "$tree"; done
# Debian's packages put docs and manuals in; a root of this size does not need them.
rm -rf "$tree/usr/share/doc" "$tree/usr/share/man" "$tree/usr/share/info" \
       "$tree/usr/share/lintian" "$tree/usr/share/locale"
mkdir -p "$tree"/{proc,sys,dev,tmp,root,mnt,sbin,bin,var/log}
chmod 1777 "$tree/tmp"
chmod 700 "$tree/root"

# busybox's applets as links in /bin. It cannot run here (an ARM binary), so
# the names come from its applet table: the sorted, NUL-separated list that
# starts with "[" and "[[". e2fsprogs' programs in /sbin come first in PATH.
/usr/bin/python3 - "$tree/bin/busybox" > "$out/applets" <<'PY'
import sys
data = open(sys.argv[1], "rb").read()
at = data.find(b"[\x00[[\x00")
names = []
while at >= 0:
    end = data.index(b"\x00", at)
    name = data[at:end].decode("latin-1")
    if not name or (names and name <= names[-1]):
        break
    names.append(name)
    at = end + 1
if not {"sh", "mount", "init", "switch_root"} <= set(names):
    sys.exit(f"rootfs: no busybox applet table in {sys.argv[1]}")
print("\n".join(names))
PY
while read -r applet; do
    [ "$applet" = busybox ] || [ -e "$tree/bin/$applet" ] || ln -s busybox "$tree/bin/$applet"
done < "$out/applets"
ln -sf ../bin/busybox "$tree/sbin/init"
ln -sf ../bin/busybox "$tree/sbin/reboot"
ln -sf ../bin/busybox "$tree/sbin/poweroff"
cp -a "$top/guests/linux/disk-root/." "$tree/"
# The console before devtmpfs is mounted (the kernel opens it for init).
mknod -m 600 "$tree/dev/console" c 5 1

# Every shared library a program here needs must be here too: a missing
# package shows now, not as a guest that cannot run fsck.
libs=$(find "$tree/lib" "$tree/usr/lib" -name '*.so*' -printf '%f\n' 2>/dev/null | sort -u)
for program in "$tree"/sbin/* "$tree"/usr/sbin/* "$tree"/usr/bin/*; do
    [ -f "$program" ] && [ ! -L "$program" ] || continue
    for needed in $(readelf -d "$program" 2>/dev/null |
                    sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'); do
        grep -qx "$needed" <<< "$libs" ||
            { echo "rootfs: ${program#"$tree"} needs $needed, which no package here has" >&2; exit 1; }
    done
done

find "$tree" -exec touch -h -d "@$epoch" {} +
rm -f "$image" && truncate -s "${size_mib}M" "$image"
E2FSPROGS_FAKE_TIME=$epoch mke2fs -q -F -t ext4 -b 4096 -L opal-root -U "$uuid" \
    -E "hash_seed=$hash_seed,root_owner=0:0" -d "$tree" "$image"
echo "rootfs: $image: ext4, $size_mib MiB, $(du -sk "$tree" | cut -f1) KiB of files" \
     "from ${#debs[@]} packages"
