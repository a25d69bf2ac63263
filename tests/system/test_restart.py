"""A component restarted again and again (tests/configs/restart.dts): the
Linux VM linux0 with fault = "restart" and restart-limit 20, beside ctrl.
The boot argument vmm.crash=linux0 makes every instance of its VMM fault at
its guest's first exit, so init tears the VM down and rebuilds it from its
images 20 times, then stops it at the 21st fault. Every teardown must give
back everything the instance took: init's accounting line (the VM's arena,
the boot RAM, the capability slots) is the same after each. ctrl, above it
all, keeps every deadline throughout and reports on after the VM is gone.

QEMU runs with -icount shift=0,sleep=off; ctrl reports every virtual second."""
import re

import pytest

from systems_util import (CTRL_EVERY_SECOND, REPORT, assert_reports_steady, boot,
                          check_line_integrity, ctrl_reports, make, wait_raw)

IMAGE = "build/tests/restart.elf"
LIMIT = 20
FAULT = r"^init: linux0: a write fault at 0x00000000 \(pc 0x[0-9a-f]{8}\); policy restart$"
ACCOUNT = (r"^init: linux0: arena (\d+) of (\d+) KiB free, boot RAM (\d+) KiB free, "
           r"(\d+) slots used$")


@pytest.fixture(scope="module", autouse=True)
def image():
    built = make(IMAGE)
    assert built.returncode == 0, built.stdout + built.stderr


def test_twenty_restarts_then_stopped_without_a_leak():
    qemu = boot(IMAGE, "vmm.crash=linux0 " + CTRL_EVERY_SECOND)
    try:
        wait_raw(qemu, r"^init: VM linux0: 256 MiB at 0x40000000, VMM started$", 0, 60)
        position = 0
        for k in range(1, LIMIT + 2):
            fault = wait_raw(qemu, FAULT, position, 60)
            account = wait_raw(qemu, ACCOUNT, fault.end(), 30)
            if k <= LIMIT:
                position = wait_raw(qemu, r"^init: linux0: restarted \(%d of %d\)$" % (k, LIMIT),
                                    account.end(), 60).end()
        stopped = wait_raw(qemu, r"^init: linux0: restart limit \(%d\) reached: stopped$" % LIMIT,
                           account.end(), 30)
        # ctrl reports on after the VM is gone: two more reports.
        after = wait_raw(qemu, REPORT, stopped.end(), 30)
        wait_raw(qemu, REPORT, after.end(), 30)
    finally:
        qemu.close()
    text = qemu.output
    # Exactly 20 restarts, numbered in order, then the limit, then no more.
    restarts = [int(n) for n in re.findall(r"^init: linux0: restarted \((\d+) of %d\)$" % LIMIT,
                                           text, re.MULTILINE)]
    assert restarts == list(range(1, LIMIT + 1)), restarts
    assert len(re.findall(FAULT, text, re.MULTILINE)) == LIMIT + 1
    assert len(re.findall(r"^\[linux0\] vmm: test hook: crashing on purpose$", text,
                          re.MULTILINE)) == LIMIT + 1
    assert text.count("restart limit") == 1
    assert text.rindex("restarted (%d of %d)" % (LIMIT, LIMIT)) < text.index("restart limit")
    assert not re.search(r"the restart failed|tearing it down", text), text
    # No leak: every teardown leaves the same accounting as the first.
    accounts = [m.groups() for m in re.finditer(ACCOUNT, text, re.MULTILINE)]
    assert len(accounts) == LIMIT + 1, accounts
    assert all(a == accounts[0] for a in accounts), accounts
    free, size = int(accounts[0][0]), int(accounts[0][1])
    assert free == size > 0, accounts[0]      # the arena is whole again after each teardown
    # ctrl: every line one of its own, no miss, no lost period, and reports
    # after the last restart and after the limit.
    reports = ctrl_reports(text)
    assert_reports_steady(reports)
    after_limit = ctrl_reports(text[text.index("restart limit"):])
    assert len(after_limit) >= 2, after_limit
    print(f"restart: {len(reports)} ctrl reports, worst jitter "
          f"{max(r['max'] for r in reports)} us, worst response "
          f"{max(r['response'] for r in reports)} us; accounting {accounts[0]}")
    check_line_integrity(text, {"console", "ctrl", "linux0"})


NATIVE_IMAGE = "build/tests/native-only.elf"
HALT_IMAGE = "build/tests/halt.elf"
ECHO_FAULT = r"^init: echo: a write fault at 0x00000000 \(pc 0x[0-9a-f]{8}\); policy (\w+)$"
ECHO_ACCOUNT = (r"^init: echo: arena (\d+) of (\d+) KiB free, boot RAM (\d+) KiB free, "
                r"(\d+) slots used$")


def test_a_native_task_is_restarted_by_its_policy_with_its_channel():
    """configs/native-only.dts: echo (fault = "restart", restart-limit 5)
    crashes after two round trips with ctrl (echo.arguments=2, its test
    hook). Each new instance talks to ctrl over the same channel again;
    after the fifth restart it stays stopped and ctrl runs on."""
    built = make(NATIVE_IMAGE)
    assert built.returncode == 0, built.stdout + built.stderr
    qemu = boot(NATIVE_IMAGE, "echo.arguments=2 " + CTRL_EVERY_SECOND)
    try:
        stopped = wait_raw(qemu, r"^init: echo: restart limit \(5\) reached: stopped$", 0, 120)
        after = wait_raw(qemu, REPORT, stopped.end(), 30)
        wait_raw(qemu, REPORT, after.end(), 30)
    finally:
        qemu.close()
    text = qemu.output
    assert re.findall(ECHO_FAULT, text, re.MULTILINE) == ["restart"] * 6
    restarts = [int(n) for n in re.findall(r"^init: echo: restarted \((\d+) of 5\)$", text,
                                           re.MULTILINE)]
    assert restarts == [1, 2, 3, 4, 5], restarts
    # Every instance, the first and five restarted, made its two round trips
    # through the channel that outlived the others.
    answers = re.findall(r"^\[echo\] echo: request (\d+) answered 0x([0-9a-f]+)$", text,
                         re.MULTILINE)
    assert len(answers) == 12, answers
    assert all(int(value, 16) == 0x1000 + int(n) + 1 for n, value in answers), answers
    accounts = [m.groups() for m in re.finditer(ECHO_ACCOUNT, text, re.MULTILINE)]
    assert len(accounts) == 6 and all(a == accounts[0] for a in accounts), accounts
    assert_reports_steady(ctrl_reports(text))


def halts_when_echo_ends(arguments, report):
    """tests/configs/halt.dts: echo is critical (fault = "halt"); when its
    test hook ends it (echo.arguments), init's `report` line names the
    policy, init says why it halts, and the system powers off."""
    built = make(HALT_IMAGE)
    assert built.returncode == 0, built.stdout + built.stderr
    qemu = boot(HALT_IMAGE, f"echo.arguments={arguments} " + CTRL_EVERY_SECOND)
    try:
        ended = wait_raw(qemu, report, 0, 60)
        assert ended.group(1) == "halt"
        wait_raw(qemu, r"^init: the system halts: echo is critical$", ended.end(), 10)
        qemu.wait_exit(timeout=20)
    finally:
        qemu.close()
    assert "init: echo: restarted" not in qemu.output


def test_a_critical_task_that_faults_halts_the_system():
    halts_when_echo_ends("1", ECHO_FAULT)


ECHO_EXIT = r"^init: echo: exited with status 7; policy (\w+)$"


def test_a_native_task_that_exits_is_restarted_by_its_policy():
    """configs/native-only.dts: echo returns from main with status 7 after
    two round trips (echo.arguments=2,1, its test hook). The kernel tells
    init, which applies echo's policy (restart, limit 5) exactly as for a
    fault: five restarts, then it stays stopped and ctrl runs on."""
    built = make(NATIVE_IMAGE)
    assert built.returncode == 0, built.stdout + built.stderr
    qemu = boot(NATIVE_IMAGE, "echo.arguments=2,1 " + CTRL_EVERY_SECOND)
    try:
        stopped = wait_raw(qemu, r"^init: echo: restart limit \(5\) reached: stopped$", 0, 120)
        after = wait_raw(qemu, REPORT, stopped.end(), 30)
        wait_raw(qemu, REPORT, after.end(), 30)
    finally:
        qemu.close()
    text = qemu.output
    assert re.findall(ECHO_EXIT, text, re.MULTILINE) == ["restart"] * 6, text
    assert len(re.findall(r"^\[echo\] echo: test hook: exiting after 2 round trips$", text,
                          re.MULTILINE)) == 6
    restarts = [int(n) for n in re.findall(r"^init: echo: restarted \((\d+) of 5\)$", text,
                                           re.MULTILINE)]
    assert restarts == [1, 2, 3, 4, 5], restarts
    assert not re.search(ECHO_FAULT, text, re.MULTILINE), text
    accounts = [m.groups() for m in re.finditer(ECHO_ACCOUNT, text, re.MULTILINE)]
    assert len(accounts) == 6 and all(a == accounts[0] for a in accounts), accounts
    assert_reports_steady(ctrl_reports(text))


def test_a_critical_task_that_exits_halts_the_system():
    halts_when_echo_ends("1,1", ECHO_EXIT)


def test_a_native_tasks_breakpoint_is_reported_as_a_debug_exception():
    """configs/native-only.dts: echo executes a BKPT after one round trip
    (echo.arguments=1,2). The kernel reports a debug exception, not an
    abort, and init names it so before applying echo's policy."""
    built = make(NATIVE_IMAGE)
    assert built.returncode == 0, built.stdout + built.stderr
    qemu = boot(NATIVE_IMAGE, "echo.arguments=1,2 " + CTRL_EVERY_SECOND)
    try:
        match = wait_raw(qemu, r"^init: echo: a debug exception \(breakpoint, watchpoint or "
                               r"BKPT\) at 0x([0-9a-f]{8}) \(pc 0x([0-9a-f]{8})\); "
                               r"policy restart$", 0, 60)
        assert match.group(1) == match.group(2) and int(match.group(2), 16) >= 0x00400000
        wait_raw(qemu, r"^init: echo: restarted \(1 of 5\)$", match.end(), 30)
    finally:
        qemu.close()
    assert "fetch fault" not in qemu.output
