#!/usr/bin/env bash
# Installs the Debian packages Opal's build, run and tests need, when missing.
# Idempotent, quiet when everything is present; run by every top-level make target.
set -euo pipefail

packages=(
    gcc-arm-none-eabi      # the cross compiler (freestanding, -mcpu=cortex-a15)
    qemu-system-arm        # the machine Opal runs on
    device-tree-compiler   # dtc
    u-boot-qemu            # U-Boot for qemu_arm (boot through a bootloader)
    u-boot-tools           # mkimage (the FIT and boot.scr)
    mtools                 # the FAT boot disk U-Boot loads the FIT from
    cpio                   # the boot archive
    fakeroot               # the disk's root file system, owned by root, built without it
    e2fsprogs              # mke2fs -d (that file system), e2fsck and debugfs (its tests)
    python3-pytest         # system tests
    gdb-multiarch          # debugging (make debug)
    gcc                    # host unit tests
    gcc-multilib           # ... built 32-bit, like the target (with lib32asan/ubsan)
    make
)

missing=()
for package in "${packages[@]}"; do
    status=$(dpkg-query -W -f='${Status}' "$package" 2>/dev/null || true)
    [ "$status" = "install ok installed" ] || missing+=("$package")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "deps: installing missing Debian packages: ${missing[*]}"
if [ "$(id -u)" -ne 0 ]; then
    sudo=sudo
    command -v sudo >/dev/null || { echo "deps: not root and no sudo; install them by hand" >&2; exit 1; }
else
    sudo=
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -q >/dev/null
$sudo apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
echo "deps: done"
