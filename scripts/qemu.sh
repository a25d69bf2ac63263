#!/usr/bin/env bash
# Boots an Opal image in QEMU: the one command line used by `make run`, the
# tests and the benchmarks. Usage: scripts/qemu.sh [--test] IMAGE [QEMU ARGS...]
#   --test   serial on stdio without a monitor (for pytest); default is an
#            interactive console (-nographic: Ctrl-A X quits).
# Environment: OPAL_QEMU_MEMORY (MiB, default 1024), OPAL_QEMU_MACHINE_EXTRA
# (appended to -M, e.g. ",virtualization=off"), QEMU (the binary).
set -euo pipefail

console=(-nographic)
if [ "${1:-}" = "--test" ]; then
    console=(-display none -serial stdio -monitor none)
    shift
fi
image=${1:?usage: scripts/qemu.sh [--test] IMAGE [QEMU ARGS...]}
shift

exec "${QEMU:-qemu-system-arm}" \
    -M "virt,virtualization=on,highmem=off,gic-version=2${OPAL_QEMU_MACHINE_EXTRA:-}" \
    -cpu cortex-a15 -m "${OPAL_QEMU_MEMORY:-1024}" -nic none \
    "${console[@]}" -kernel "$image" "$@"
