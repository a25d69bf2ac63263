#!/usr/bin/env bash
# Fetches Debian armhf packages with apt-get download into a cache directory
# (kept between builds) and prints each .deb's path, one a line, in order.
# Usage: scripts/deb-fetch.sh CACHE_DIR PACKAGE...   (names without :armhf)
set -euo pipefail

cache=${1:?usage: scripts/deb-fetch.sh CACHE_DIR PACKAGE...}
shift
mkdir -p "$cache"

sudo=
[ "$(id -u)" -eq 0 ] || sudo=sudo
if ! dpkg --print-foreign-architectures | grep -qx armhf; then
    echo "guest: enabling the armhf architecture for apt (dpkg --add-architecture armhf)" >&2
    $sudo dpkg --add-architecture armhf
fi
if ! apt-cache show "$1:armhf" >/dev/null 2>&1; then
    echo "guest: updating package lists for armhf" >&2
    $sudo apt-get update -q >/dev/null 2>&1 ||
        echo "guest: apt-get update reported errors; going on with the lists it fetched" >&2
fi
for package in "$@"; do
    ls "$cache"/"$package"_*_armhf.deb >/dev/null 2>&1 && continue
    echo "guest: downloading $package:armhf" >&2
    (cd "$cache" && apt-get download -q "$package:armhf" >/dev/null 2>&1) ||
        { echo "guest: apt-get download $package:armhf failed" >&2; exit 1; }
done
for package in "$@"; do
    # The newest cached version when several are (sort -V on the file names).
    ls "$cache"/"$package"_*_armhf.deb | sort -V | tail -n 1
done
