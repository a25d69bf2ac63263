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

# deb-fetch.sh enables armhf and updates the lists when apt lacks them.
"$top/scripts/deb-fetch.sh" "$cache" busybox-static >/dev/null
kernel_package=${OPAL_GUEST_KERNEL_PACKAGE:-$(apt-cache depends linux-image-armmp-lpae:armhf |
    awk '/Depends: linux-image-[0-9]/ { print $2; exit }')}
if [ -z "$kernel_package" ]; then
    echo "guest: cannot resolve linux-image-armmp-lpae:armhf (apt lists missing?)" >&2
    exit 1
fi
kernel_package=${kernel_package%:armhf}
mapfile -t debs < <("$top/scripts/deb-fetch.sh" "$cache" "$kernel_package" busybox-static e2fsck-static)

unpacked="$out/unpacked"
rm -rf "$unpacked" && mkdir -p "$unpacked"
for deb in "${debs[@]}"; do dpkg -x "$deb" "$unpacked"; done
cp "$(ls "$unpacked"/boot/vmlinuz-* | head -n 1)" "$out/zImage"

# The initramfs: the overlay plus busybox, every file dated 0, sorted.
root="$out/initramfs"
rm -rf "$root" && mkdir -p "$root/bin" "$root/sbin"
cp -a "$top/guests/linux/rootfs/." "$root/"
cp "$unpacked/bin/busybox" "$root/bin/busybox"
# e2fsck linked statically (e2fsck-static), so /init checks a disk's root
# before mounting it without carrying libc and e2fsprogs' libraries.
cp "$unpacked/sbin/e2fsck.static" "$root/sbin/e2fsck"
ln -s e2fsck "$root/sbin/fsck.ext4"

# The kernel modules /init loads (guests/linux/rootfs/init): virtio over
# virtio-mmio (disk, console, entropy) and ext4, with every module they need.
# Debian ships no modules.dep (depmod runs when the package is installed), so
# it is written here from each module's "depends=" (its .modinfo section),
# in the format busybox modprobe reads: a module, then what it needs, the
# last to be loaded first. crc32c_generic is ext4's and jbd2's soft
# dependency (the checksums of metadata_csum), which depends= does not name.
modules_root=$(ls -d "$unpacked"/lib/modules/* | head -n 1)
release=$(basename "$modules_root")
wanted=(virtio_mmio virtio_blk virtio_console virtio_rng ext4 crc32c_generic)
declare -A module_path module_deps
while read -r path; do
    name=$(basename "$path" .ko)
    module_path[${name//-/_}]=${path#"$modules_root"/}
done < <(find "$modules_root/kernel" -name '*.ko' | LC_ALL=C sort)
depends() { # module name -> the names in its depends=, one a line
    readelf -p .modinfo "$modules_root/${module_path[$1]}" |
        sed -n 's/^ *\[ *[0-9a-f]*\] *depends=//p' | tr ',' '\n' | sed '/^$/d; s/-/_/g'
}
order=()   # every module after the ones it needs
declare -A visited
visit() {
    local name=$1 dep
    [ -n "${visited[$name]:-}" ] && return
    visited[$name]=1
    [ -n "${module_path[$name]:-}" ] ||
        { echo "guest: module $name not in $release (built in?)" >&2; exit 1; }
    for dep in $(depends "$name"); do visit "$dep"; done
    order+=("$name")
}
for name in "${wanted[@]}"; do visit "$name"; done
closure() { # module -> its dependencies, transitively, those loaded last first
    local -A seen=()
    local list=() stack=("$1") name dep
    while [ ${#stack[@]} -gt 0 ]; do
        name=${stack[0]}; stack=("${stack[@]:1}")
        for dep in $(depends "$name"); do
            [ -n "${seen[$dep]:-}" ] && continue
            seen[$dep]=1; list+=("$dep"); stack+=("$dep")
        done
    done
    # Sorted by the reverse of the load order: modprobe loads from the end.
    local ordered=() index
    for (( index = ${#order[@]} - 1; index >= 0; index-- )); do
        [ -n "${seen[${order[index]}]:-}" ] && ordered+=("${module_path[${order[index]}]}")
    done
    echo "${ordered[*]}"
}
modules_dir="$root/lib/modules/$release"
mkdir -p "$modules_dir"
for name in "${order[@]}"; do
    mkdir -p "$modules_dir/$(dirname "${module_path[$name]}")"
    cp "$modules_root/${module_path[$name]}" "$modules_dir/${module_path[$name]}"
    echo "${module_path[$name]}: $(closure "$name")" | sed 's/ *$//'
done > "$modules_dir/modules.dep"

"$top/scripts/initramfs.sh" "$root" "$out/initramfs.cpio.gz"
echo "guest: $kernel_package, $(stat -c %s "$out/zImage") byte kernel," \
     "$(stat -c %s "$out/initramfs.cpio.gz") byte initramfs in $out" \
     "(modules: ${order[*]})"
