"""Isolation of CPU state a guest can reach (issue 11, docs/testing.md):
what a guest leaves in the debug hardware and the PMU must never act on, or
be visible to, native tasks and init.

Linux: an unprivileged process in the stock guest (guests/hostile/linux/
hwbreak.c, uid 1000, PTRACE_SETHBPREGS on its own child) arms hardware
breakpoints at code that ctrl, the console server, the VMM and init run, and
a watchpoint on a word ctrl writes every period; its child spins with them
armed, then runs those addresses in its own address space. Nothing may
happen outside the guest (no fault of a native thread, ctrl without a miss,
the console alive) and every breakpoint and watchpoint must fire inside the
guest's own process, as on hardware of its own."""
import re
import subprocess

import pytest

from qemu import ROOT
from systems_util import (CTRL_EVERY_SECOND, assert_reports_steady, boot, ctrl_reports, make,
                          prompt, run, wait_line, wait_raw)

LINUX_IMAGE = "build/tests/isolation-linux.elf"
SPIN_SECONDS = 3       # the child spins this long with every slot armed


def symbol(elf, name):
    """The address of `name` in `elf` (an unstripped build/ ELF)."""
    listing = subprocess.run(["arm-none-eabi-nm", f"{ROOT}/{elf}"], check=True,
                             capture_output=True, text=True).stdout
    for line in listing.splitlines():
        address, _, symbol_name = line.split()
        if symbol_name == name:
            return int(address, 16)
    raise AssertionError(f"{name} is not a symbol of {elf}")


def after_call(elf, function, callee):
    """The address just after `function`'s first call to `callee`: where
    that function resumes when the call returns."""
    listing = subprocess.run(["arm-none-eabi-objdump", "-d", f"--disassemble={function}",
                              f"{ROOT}/{elf}"], check=True, capture_output=True,
                             text=True).stdout
    match = re.search(r"^\s*([0-9a-f]+):\s+[0-9a-f]{8}\s+bl\s+[0-9a-f]+ <%s>$"
                      % re.escape(callee), listing, re.MULTILINE)
    assert match, f"{function} in {elf} does not call {callee}"
    return int(match.group(1), 16) + 4


def native_targets():
    """Code each native component runs all the time, and a word ctrl writes
    every period. Every native program is linked at 4 MiB (lib/user.ld), so
    these addresses are also other programs' code; that only widens the
    net."""
    breakpoints = {
        "ctrl's channel service, every period": symbol("build/apps/ctrl.elf", "channels_serve"),
        "the console server's line output": symbol("build/apps/console.elf", "emit"),
        "the VMM's MMIO exit handler": symbol("build/vmm.elf", "vmm_handle_abort"),
        "init's fault monitor, on each message":
            after_call("build/init.elf", "monitor_run", "opal_recv"),
    }
    watchpoints = {"ctrl's actuator, written every period": symbol("build/apps/ctrl.elf",
                                                                   "actuator")}
    return breakpoints, watchpoints


@pytest.fixture(scope="module")
def linux_image():
    built = make(LINUX_IMAGE)
    assert built.returncode == 0, built.stdout + built.stderr
    return LINUX_IMAGE


# A native thread's fault as init reports it (or the kernel, for init and
# threads without a handler), a halt, a power-off, a VM stop.
TROUBLE = re.compile(r"^(init: .*(fault|policy|halts|instruction).*|opal: thread \d+ (fault|stopped)"
                     r".*|opal: .*powered the system off.*|\[linux0\] vmm: VM stopped.*)$",
                     re.MULTILINE)


def test_guest_breakpoints_and_watchpoints_fire_only_in_the_guest(linux_image):
    breakpoints, watchpoints = native_targets()
    qemu = boot(linux_image, CTRL_EVERY_SECOND)
    try:
        wait_raw(qemu, r"\[linux0\] opal-guest: init ready", 0, 180)
        wait_raw(qemu, prompt("linux0"), 0, 60)
        wait_line(qemu, "ctrl", r"ctrl: t=\d+s .*", 0, 60)
        start = len(qemu.output)
        arguments = " ".join([f"b:0x{a:08x}" for a in breakpoints.values()] +
                             [f"w:0x{a:08x}" for a in watchpoints.values()])
        qemu.send(f"hwbreak {SPIN_SECONDS} {arguments}\n")
        # Its result line, or the system's trouble, whichever comes first.
        wait_raw(qemu, r"^(\[linux0\] hwbreak: result: .*|%s)$" % TROUBLE.pattern.strip("^$"),
                 start, 240)
        trouble = TROUBLE.findall(qemu.output[start:])
        assert not trouble, ("the guest's debug state acted outside the guest: "
                             + "; ".join(t[0] for t in trouble))
        wait_raw(qemu, prompt("linux0"), start, 60)
        # The console still carries input and output, ctrl still reports.
        run(qemu, "linux0", "echo alive-$((6 * 7))", r"alive-42", timeout=60)
        after = len(qemu.output)
        for _ in range(3):
            _, end = wait_line(qemu, "ctrl", r"ctrl: t=\d+s .*", after, 60)
            after = end
        output = qemu.output[start:]
        assert not TROUBLE.findall(output), TROUBLE.findall(output)
        assert_reports_steady(ctrl_reports(output))
        assert f"hwbreak: armed {len(breakpoints)} breakpoints {len(watchpoints)} watchpoints" \
            in output, output
        for what, address in breakpoints.items():
            assert (f"hwbreak: breakpoint at 0x{address:08x} fired in the guest at "
                    f"0x{address:08x}") in output, f"{what} (0x{address:08x}): {output}"
        for what, address in watchpoints.items():
            assert (f"hwbreak: watchpoint at 0x{address:08x} fired in the guest at "
                    f"0x{address:08x}") in output, f"{what} (0x{address:08x}): {output}"
        assert (f"hwbreak: result: {len(breakpoints)} of {len(breakpoints)} breakpoints and "
                f"{len(watchpoints)} of {len(watchpoints)} watchpoints fired once in the guest"
                in output), output
        assert "FAIL" not in output, output
    finally:
        qemu.close()
