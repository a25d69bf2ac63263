"""Descriptions at the limits the checker shares with init, the kernel and
the VMM (lib/core/system_limits.c, docs/configuration.md) boot with every
component started: what the checker accepts, they accept too.

tests/configs/limits.dts: the testkit VM with passthrough interrupt 127 (the
highest SPI its VMM forwards) and a channel whose doorbell page ends at
4 GiB; echo with the largest task stack and the kernel's longest period; a
domain schedule of the kernel's shortest windows adding up to its longest
schedule. tests/configs/limits-high-ram.dts: a Linux VM whose RAM ends at
the highest end the VMM takes. The images are built with the checker on,
so the build itself shows the descriptions pass it.

QEMU runs with -icount shift=0,sleep=off (and the RTC on the virtual clock,
for the testkit's PL031)."""
import re

from qemu import Qemu
from systems_util import ICOUNT

# A component that did not start, or stopped for a reason other than its
# guest powering off, shows in one of these.
FAILURES = [r"^init: .*: [A-Z_]+$", r"^init: the system could not be built",
            r"^init: the system halts", r"vmm: cannot", r"vmm: .*not a shared peripheral",
            r"vmm: channel ", r"^opal: thread \d+ fault",
            r"^init: (?!\w+: its guest powered off; ).*policy"]


def assert_no_failure(text):
    for pattern in FAILURES:
        assert not re.search(pattern, text, re.MULTILINE), (pattern, text)


def test_components_at_their_limits_start_and_run():
    qemu = Qemu("build/tests/limits.elf", extra_args=[*ICOUNT, "-rtc", "clock=vm"])
    try:
        qemu.expect(r"^init: system: 1 VM, 1 task, 1 channel$", timeout=30)
        qemu.expect(r"^init: console server started: it owns the UART from here on$")
        qemu.expect(r"^init: VM testkit: 16 MiB at 0x40000000, VMM started$")
        qemu.expect(r"^init: task echo started: priority 50, budget 1000us per 10000000us$")
        qemu.expect(r"^init: domain schedule started: 3 windows$")
        # echo runs in its first 100 us window, with its 0xfe000-byte stack.
        qemu.expect(r"^\[echo\] echo: talking to testkit over top$", timeout=30)
        # The testkit runs to its end in its long window: the passthrough
        # interrupts its VMM took (34 and 127) did not stop it.
        for _ in range(2):
            qemu.expect(r"^\[testkit\] testkit: passthrough irq 34 delivered after ", timeout=60)
        qemu.expect(r"^\[testkit\] vmm: VM stopped: the guest powered off \(PSCI SYSTEM_OFF\)$",
                    timeout=30)
    finally:
        qemu.close()
    assert_no_failure(qemu.output)


def test_vm_ram_ending_at_the_highest_end_boots_linux():
    qemu = Qemu("build/tests/limits-high-ram.elf", extra_args=ICOUNT)
    try:
        qemu.expect(r"^init: console server started: it owns the UART from here on$", timeout=30)
        qemu.expect(r"^init: VM linux0: 255 MiB at 0xf0000000, VMM started$")
        # The guest's kernel runs in RAM up to 0xfffff000, sees it all and
        # reaches its init.
        qemu.expect(r"^\[linux0\] \[ *[\d.]+\] Booting Linux on physical CPU 0x0$", timeout=120)
        # 0x0ffff000 bytes: 262140 KiB, every page up to 0xfffff000.
        qemu.expect(r"^\[linux0\] \[ *[\d.]+\] Memory: \d+K/262140K available", timeout=60)
        qemu.expect(r"^\[linux0\] opal-guest: init ready on ", timeout=120)
    finally:
        qemu.close()
    assert_no_failure(qemu.output)
