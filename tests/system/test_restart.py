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
