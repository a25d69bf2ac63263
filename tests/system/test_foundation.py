"""The foundation test root task (tests/system/roottask): deliberate faults,
bad syscall arguments and a spinning thread. The task announces the values
the kernel must report; the kernel's own words are checked against them."""
import re

import pytest

from qemu import Qemu, opal_errors

# Exception classes from the ARM ARM (HSR.EC), not from Opal's code.
CLASS_UNKNOWN = 0x00
CLASS_SVC = 0x11
CLASS_PREFETCH_ABORT_LOWER = 0x20
CLASS_DATA_ABORT_LOWER = 0x24
UNMAPPED = 0x30000000


@pytest.fixture(scope="module")
def run():
    """Boot once; the task powers the machine off when it is done."""
    qemu = Qemu("build/tests/foundation.elf")
    try:
        qemu.expect(r"^test: done$", timeout=60)
        qemu.expect(r"^opal: thread 1 powered the system off$", timeout=10)
        status = qemu.wait_exit(timeout=20)
        yield qemu.output, status
    finally:
        qemu.close()


def started(output, name):
    """The task made the thread from TCB objects without an error."""
    assert re.search(rf"^test: started {name} as thread \d+ \(error 0\)$", output,
                     re.MULTILINE), output


def announced(output, pattern):
    """Group 1 of the task's own line matching `pattern` (a value it
    announces before the fault, for the kernel's report to match)."""
    match = re.search(pattern, output, re.MULTILINE)
    assert match, f"no line matching {pattern!r}:\n{output}"
    return match.group(1)


def fault_line(output, rest):
    """The kernel's report matching `rest`, found by content (the kernel's
    thread number is its own); that same thread must then be stopped.
    Group 1 is the thread number, `rest`'s groups follow."""
    match = re.search(rf"^opal: thread (\d+) fault: {rest}$", output, re.MULTILINE)
    assert match, f"no fault report matching {rest!r}:\n{output}"
    assert re.search(rf"^opal: thread {match.group(1)} stopped$", output, re.MULTILINE)
    return match


def test_system_powers_off_cleanly(run):
    output, status = run
    assert status == 0


def test_data_abort_reports_address_pc_and_class(run):
    output, _ = run
    pc = announced(output, r"^test: expect data abort at 0x30000000 pc (0x[0-9a-f]{8})$")
    started(output, "data-abort")
    match = fault_line(output, r"data abort at (0x[0-9a-f]{8}) \((\w+)\), "
                               r"pc (0x[0-9a-f]{8}), class (0x[0-9a-f]{2}), "
                               r"syndrome (0x[0-9a-f]{8})")
    assert int(match.group(2), 16) == UNMAPPED
    assert match.group(3) == "write"
    assert match.group(4) == pc
    assert int(match.group(5), 16) == CLASS_DATA_ABORT_LOWER
    assert int(match.group(6), 16) >> 26 == CLASS_DATA_ABORT_LOWER


def test_instruction_abort_reports_address_and_class(run):
    output, _ = run
    started(output, "instruction-abort")
    match = fault_line(output, r"instruction abort at (0x[0-9a-f]{8}), "
                               r"pc (0x[0-9a-f]{8}), class (0x[0-9a-f]{2}), .*")
    assert int(match.group(2), 16) == UNMAPPED
    assert int(match.group(3), 16) == UNMAPPED
    assert int(match.group(4), 16) == CLASS_PREFETCH_ABORT_LOWER


def test_undefined_instruction_reports_pc_and_class(run):
    output, _ = run
    pc = announced(output, r"^test: expect undefined instruction pc (0x[0-9a-f]{8})$")
    started(output, "undefined")
    match = fault_line(output, r"undefined instruction, pc (0x[0-9a-f]{8}), "
                               r"class (0x[0-9a-f]{2}), .*")
    assert match.group(2) == pc
    assert int(match.group(3), 16) == CLASS_UNKNOWN


def test_unknown_syscall_is_a_fault(run):
    output, _ = run
    pc = announced(output, r"^test: expect unknown syscall 200 pc (0x[0-9a-f]{8})$")
    started(output, "unknown-syscall")
    match = fault_line(output, r"unknown syscall 200, pc (0x[0-9a-f]{8}), "
                               r"class (0x[0-9a-f]{2}), .*")
    assert match.group(2) == pc
    assert int(match.group(3), 16) == CLASS_SVC


def test_root_task_survives_every_fault(run):
    output, _ = run
    assert re.search(r"^test: survived faults$", output, re.MULTILINE)
    assert "PANIC" not in output


@pytest.mark.parametrize("case, error", [
    ("unmapped", "ERR_INVALID_ARGUMENT"),
    ("too long", "ERR_RANGE"),
    ("wrapping", "ERR_INVALID_ARGUMENT"),
    ("empty", "OK"),
])
def test_debug_write_checks_its_arguments(run, case, error):
    output, _ = run
    match = re.search(rf"^test: debug_write {case} -> (-?\d+)$", output, re.MULTILINE)
    assert match, output
    assert int(match.group(1)) == opal_errors()[error]


def test_spinning_thread_is_preempted(run):
    output, _ = run
    started(output, "spinner")
    match = re.search(r"^test: preempted (\d+) times while spinning, (\d+) ticks$", output,
                      re.MULTILINE)
    assert match, output
    assert int(match.group(1)) == 5
