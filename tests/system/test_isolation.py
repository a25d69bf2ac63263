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
guest's own process, as on hardware of its own.

Bare metal: a hostile PL1 guest (guests/hostile) turns the PMU on with user
access, writes markers into TEEHBR, the user thread ID registers, CSSELR and
CONTEXTIDR, and arms a breakpoint and a watchpoint on the code and data of a
native checker task (tests/system/isocheck), which then looks at PL0, phase
by phase, while the guest keeps running: the thread ID registers and TEEHBR
read 0 (TEEHBR may fault instead), its code and data under the guest's
breakpoint and watchpoint run without a debug exception, and the PMU is
out of reach (a PMCCNTR read faults; the registers PL0 may read show none of
the guest's settings, or fault). A probe that faults ends the instance: init
reports the probe's pc and restarts it, and it goes on with the next phase."""
import re
import subprocess

import pytest

from qemu import ROOT
from systems_util import (CTRL_EVERY_SECOND, assert_reports_steady, boot, ctrl_reports, make,
                          prompt, run, wait_line, wait_raw, whole_lines)

LINUX_IMAGE = "build/tests/isolation-linux.elf"
BARE_IMAGE = "build/tests/isolation.elf"
ISOCHECK = "build/tests/isocheck.elf"
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


@pytest.fixture(scope="module")
def bare_image():
    built = make(BARE_IMAGE)
    assert built.returncode == 0, built.stdout + built.stderr
    return BARE_IMAGE


# A native thread's fault as init reports it (or the kernel, for init and
# threads without a handler), a halt, a power-off, a VM stop.
TROUBLE = re.compile(r"^(init: .*(fault|policy|halts|instruction).*"
                     r"|opal: thread \d+ (fault|stopped).*|opal: .*powered the system off.*"
                     r"|\[[\w-]+\] vmm: VM stopped.*)$", re.MULTILINE)


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
        first = wait_raw(qemu, r"^(\[linux0\] hwbreak: result: .*|%s)$"
                         % TROUBLE.pattern.strip("^$"), start, 240)
        wait_raw(qemu, r"\n", first.start(), 20)     # the rest of that line
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


# isocheck's phases (tests/system/isocheck/main.c), in order: the lines it
# prints when the check passes, and the probe whose fault is also a pass
# (None: any fault is a failure; with no lines: the probe must fault).
PHASES = [
    ("thread ids", [r"tpidrurw: ok \(reads 0\)", r"tpidruro: ok \(reads 0\)"], None),
    ("debug", [r"debug: ok \(code and data under the guest's breakpoint and watchpoint "
               r"used \d+ times\)"], None),
    ("teehbr", [r"teehbr: ok \(reads 0\)"], "isocheck_probe_teehbr"),
    ("pmuserenr", [r"pmuserenr: ok \(reads 0\)"], "isocheck_probe_pmuserenr"),
    ("pmcr", [r"pmcr: ok \(reads 0x[0-9a-f]{8}, counters off\)"], "isocheck_probe_pmcr"),
    ("pmcntenset", [r"pmcntenset: ok \(reads 0x[0-9a-f]{8}\)"], "isocheck_probe_pmcntenset"),
    ("pmccntr", [], "isocheck_probe_pmccntr"),
]
FAULT = re.compile(r"init: isocheck: (?P<what>.*) \(pc 0x(?P<pc>[0-9a-f]{8})\); policy restart")


def isocheck_phases(text):
    """isocheck's lines and init's reports of its faults, by phase:
    {phase: [("line", text) or ("fault", what, pc)]}."""
    phases, current = {}, None
    for name, line, _ in whole_lines(text):
        if name == "isocheck":
            match = re.fullmatch(r"isocheck: phase (\d+)", line)
            if match:
                current = int(match.group(1))
                phases[current] = []
            elif current is not None:
                phases[current].append(("line", line[len("isocheck: "):]))
        elif name is None and current is not None:
            fault = FAULT.fullmatch(line)
            if fault:
                phases[current].append(("fault", fault.group("what"),
                                        int(fault.group("pc"), 16)))
    return phases


def phase_problems(phases, labels):
    """What each phase did wrong, in words."""
    by_address = {address: name for name, address in labels.items()}
    problems = []
    for number, (phase, expected, probe) in enumerate(PHASES):
        events = phases.get(number)
        if events is None:
            problems.append(f"phase {number} ({phase}) never ran")
            continue
        faults = [event for event in events if event[0] == "fault"]
        lines = [event[1] for event in events if event[0] == "line"]
        for _, what, pc in faults:
            if probe is None or pc != labels[probe]:
                problems.append(f"phase {phase}: init reports isocheck: {what} (pc 0x{pc:08x}, "
                                f"{by_address.get(pc, 'not a probe')})")
        if probe and faults:
            continue      # the probe faulted: PL0 cannot reach it
        if not expected:
            problems.append(f"phase {phase}: the probe did not fault: {lines}")
        for pattern in expected:
            if not any(re.fullmatch(pattern, line) for line in lines):
                problems.append(f"phase {phase}: no line {pattern!r}: {lines}")
    return problems


def test_a_hostile_guest_leaves_nothing_a_native_task_can_see_or_trip_on(bare_image):
    labels = {name: symbol(ISOCHECK, name) for name in
              ["isocheck_code_target", "isocheck_data_target"] +
              [probe for _, _, probe in PHASES if probe]}
    qemu = boot(bare_image, "")
    try:
        wait_raw(qemu, r"^\[hostile\] hostile: dirty: pmu on with user access, markers "
                       r"written, breakpoint 0x%08x watchpoint 0x%08x$"
                 % (labels["isocheck_code_target"], labels["isocheck_data_target"]), 0, 60)
        _, end = wait_line(qemu, "isocheck", r"isocheck: done", 0, 180)
        # The guest runs on after the checker is through, and says so.
        for _ in range(2):
            _, end = wait_line(qemu, "hostile", r"hostile: alive \d+ s, \d+ hypercalls, own "
                                                r"state \w+", end, 60)
        output = qemu.output
    finally:
        qemu.close()
    problems = phase_problems(isocheck_phases(output), labels)
    problems += re.findall(r"^.*FAIL.*$", output, re.MULTILINE)
    problems += [t[0] for t in TROUBLE.findall(output) if not FAULT.fullmatch(t[0])]
    assert not problems, "\n".join(problems) + "\n--- console:\n" + output
