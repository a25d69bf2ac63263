"""The unmodified Debian Linux guest under Opal: init builds the VM, the VMM
boots it, and commands typed on the console (physical UART -> VMM -> the
guest's emulated PL011) run in its busybox shell and answer with the right
output. Also power-off, reboot and a guest that strays outside its RAM."""
import re

import pytest

from qemu import Qemu

IMAGE = "build/opal.elf"
PROMPT = r"\[linux0\] / # "


def boot(qemu):
    qemu.expect(r"\[linux0\] opal-guest: init ready on 6\.\d+\.\d+-\d+-armmp-lpae", timeout=180)
    qemu.expect(PROMPT, timeout=30)


def run(qemu, command, pattern, timeout=60):
    """Type a command; wait for `pattern` in the guest's output, then the prompt."""
    qemu.send(command + "\n")
    match = qemu.expect(pattern, timeout=timeout)
    qemu.expect(PROMPT, timeout=timeout)
    return match


@pytest.fixture(scope="module")
def linux():
    qemu = Qemu(IMAGE)
    boot(qemu)
    yield qemu
    qemu.close()


def test_uname_reports_the_debian_kernel(linux):
    run(linux, "uname -a", r"^\[linux0\] Linux \S+ 6\.\d+\.\d+-\d+-armmp-lpae #1 SMP .* armv7l GNU/Linux$")


def test_cpuinfo_shows_one_cortex_a15(linux):
    run(linux, "grep -c ^processor /proc/cpuinfo; grep -m1 'CPU part' /proc/cpuinfo",
        r"^\[linux0\] 1\n\[linux0\] CPU part\s*: 0xc0f$")


def timer_count(linux):
    match = run(linux, "grep arch_timer /proc/interrupts",
                r"^\[linux0\]\s+\d+:\s+(\d+)\s+GIC-0\s+27\s+Level\s+arch_timer$")
    return int(match.group(1))


def test_virtual_timer_interrupts_advance(linux):
    first = timer_count(linux)
    # Busy for a while: the tick runs while the CPU is busy (it stops when idle).
    run(linux, "i=0; while [ $i -lt 30000 ]; do i=$((i+1)); done; echo busy-done",
        r"^\[linux0\] busy-done$")
    second = timer_count(linux)
    assert second > first + 20, (first, second)


def test_64_mib_written_and_checksummed(linux):
    # Write 64 MiB of a pattern into tmpfs (guest RAM), read it back, compare checksums.
    command = ("dd if=/dev/zero bs=1M count=64 2>/dev/null | tr '\\0' 'O' > /tmp/big; "
               "ls -l /tmp/big | awk '{print \"size\", $5}'; "
               "md5sum < /tmp/big | cut -c1-32; "
               "dd if=/dev/zero bs=1M count=64 2>/dev/null | tr '\\0' 'O' | md5sum | cut -c1-32; "
               "rm /tmp/big")
    linux.send(command + "\n")
    linux.expect(r"^\[linux0\] size 67108864$", timeout=180)
    first = linux.expect(r"^\[linux0\] ([0-9a-f]{32})$", timeout=180).group(1)
    second = linux.expect(r"^\[linux0\] ([0-9a-f]{32})$", timeout=180).group(1)
    linux.expect(PROMPT, timeout=30)
    assert first == second


def test_200_processes_created(linux):
    run(linux, "i=0; while [ $i -lt 200 ]; do /bin/true || break; i=$((i+1)); done; echo forks=$i",
        r"^\[linux0\] forks=200$", timeout=180)


def test_poweroff_stops_the_vm_and_the_vmm_says_so():
    qemu = Qemu(IMAGE)
    try:
        boot(qemu)
        qemu.send("poweroff -f\n")
        qemu.expect(r"^\[linux0\] vmm: VM stopped: the guest powered off \(PSCI SYSTEM_OFF\)$",
                    timeout=60)
        qemu.expect(r"^\[linux0\] vmm: exits: mmio-gicd \d+ mmio-uart \d+", timeout=10)
    finally:
        qemu.close()


def test_reboot_restarts_the_guest_which_boots_again():
    qemu = Qemu(IMAGE)
    try:
        boot(qemu)
        qemu.send("reboot -f\n")
        qemu.expect(r"^\[linux0\] vmm: restarting the guest from its images$", timeout=60)
        boot(qemu)
        run(qemu, "echo second-life-$((40 + 2))", r"^\[linux0\] second-life-42$")
    finally:
        qemu.close()


def test_access_outside_ram_stops_the_vm_with_a_report():
    qemu = Qemu(IMAGE)
    try:
        boot(qemu)
        # busybox devmem reads a physical address through /dev/mem: 0x0a000000 is
        # neither RAM nor a device of the guest's platform.
        qemu.send("devmem 0x0a000000 32\n")
        match = qemu.expect(r"^\[linux0\] vmm: VM stopped: guest read from 0x0a000000 outside "
                            r"its RAM and devices \(pc 0x([0-9a-f]{8})\)$", timeout=60)
        assert int(match.group(1), 16) != 0
    finally:
        qemu.close()
