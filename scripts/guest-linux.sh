#!/usr/bin/env bash
# Assembles the Linux guest from Debian's packages: the armhf LPAE kernel
# (used unmodified) and busybox-static, fetched with apt-get download and
# cached, plus an initramfs built byte-reproducibly from guests/linux/rootfs.
# Usage: scripts/guest-linux.sh OUTPUT_DIR   (writes zImage and initramfs.cpio.gz)
# Environment: OPAL_GUEST_KERNEL_PACKAGE overrides the kernel package name.
set -euo pipefail

out=${1:?usage: scripts/guest-linux.sh OUTPUT_DIR}
top=$(cd "$(dirname "$0")/.." && pwd)
cache="$out/cache"
mkdir -p "$cache"

sudo=
[ "$(id -u)" -eq 0 ] || sudo=sudo
if ! dpkg --print-foreign-architectures | grep -qx armhf; then
    echo "guest: enabling the armhf architecture for apt (dpkg --add-architecture armhf)"
    $sudo dpkg --add-architecture armhf
fi
if ! apt-cache show busybox-static:armhf >/dev/null 2>&1; then
    echo "guest: updating package lists for armhf"
    $sudo apt-get update -q >/dev/null 2>&1 ||
        echo "guest: apt-get update reported errors; going on with the lists it fetched"
fi

kernel_package=${OPAL_GUEST_KERNEL_PACKAGE:-$(apt-cache depends linux-image-armmp-lpae:armhf |
    awk '/Depends: linux-image-[0-9]/ { print $2; exit }')}
if [ -z "$kernel_package" ]; then
    echo "guest: cannot resolve linux-image-armmp-lpae:armhf (apt lists missing?)" >&2
    exit 1
fi
kernel_package=${kernel_package%:armhf}

fetch() { # package -> path of its .deb in the cache
    local deb
    deb=$(ls "$cache"/"$1"_*_armhf.deb 2>/dev/null | head -n 1 || true)
    if [ -z "$deb" ]; then
        echo "guest: downloading $1:armhf" >&2
        (cd "$cache" && apt-get download -q "$1:armhf" >/dev/null 2>&1) ||
            { echo "guest: apt-get download $1:armhf failed" >&2; exit 1; }
        deb=$(ls "$cache"/"$1"_*_armhf.deb | head -n 1)
    fi
    echo "$deb"
}

unpacked="$out/unpacked"
rm -rf "$unpacked" && mkdir -p "$unpacked"
dpkg -x "$(fetch "$kernel_package")" "$unpacked"
dpkg -x "$(fetch busybox-static)" "$unpacked"
cp "$(ls "$unpacked"/boot/vmlinuz-* | head -n 1)" "$out/zImage"

# The initramfs: the overlay plus busybox, every file dated 0, sorted.
root="$out/initramfs"
rm -rf "$root" && mkdir -p "$root/bin"
cp -a "$top/guests/linux/rootfs/." "$root/"
cp "$unpacked/bin/busybox" "$root/bin/busybox"
"$top/scripts/initramfs.sh" "$root" "$out/initramfs.cpio.gz"
echo "guest: $kernel_package, $(stat -c %s "$out/zImage") byte kernel," \
     "$(stat -c %s "$out/initramfs.cpio.gz") byte initramfs in $out"
