"""The critical control task (apps/ctrl) under load: build/tests/ctrl.elf
(tests/system/ctrl/main.c) starts it at 1 kHz, priority 250, 200 us of budget
per ms, next to a CPU hog, a memory hog and a kernel hog (1 MiB retypes) at
priority 1. Under -icount shift=0,sleep=off one instruction is one virtual
nanosecond, so the figures are the same on a slow or busy host.

Measured with that load (5 s): worst release jitter 6.5 us (the kernel hog:
an interrupt waits for the current 16 KiB zeroing chunk of a Retype), average
1.4 us, worst response 9.5 us; with no load 0.42 us. The bounds below leave
about twice that room, and would catch a lost preemption point (a whole
1 MiB zeroing is ~330 us) or a period that drifts."""
import re
import subprocess

import pytest

from ctrl_report import REPORT, numbers
from qemu import Qemu, ROOT

IMAGE = "build/tests/ctrl.elf"
ICOUNT = ["-icount", "shift=0,sleep=off"]
REPORTS = 5
PERIODS_PER_REPORT = 1000          # 1 ms periods, one line per second
JITTER_MAX_US = 15.0
JITTER_AVERAGE_MAX_US = 5.0
RESPONSE_MAX_US = 50.0
IDLE_JITTER_MAX_US = 1.0
LOAD = r"^load: t=(?P<t>\d+)s cpu=(?P<cpu>\d+) memory=(?P<memory>\d+) kernel=(?P<kernel>\d+)$"


def boot_and_collect(append):
    """Boot, wait for REPORTS report lines, return them and the console."""
    subprocess.run(["make", "-s", IMAGE], cwd=ROOT, check=True)
    qemu = Qemu(IMAGE, extra_args=[*ICOUNT, *(["-append", append] if append else [])])
    try:
        qemu.expect(r"^ctrl: period 1000us counter \d+Hz, a report every 1s$", timeout=30)
        qemu.expect(r"^ctrl-test: started ctrl, priority 250, budget 200us per 1000us", timeout=30)
        reports = [numbers(qemu.expect(REPORT, timeout=60)) for _ in range(REPORTS)]
        return reports, qemu.output
    finally:
        qemu.close()


@pytest.fixture(scope="module")
def loaded():
    return boot_and_collect("")


@pytest.fixture(scope="module")
def idle():
    return boot_and_collect("ctrl.load=0")


def test_reports_once_per_second_of_periods(loaded):
    reports, _ = loaded
    assert [r["t"] for r in reports] == list(range(1, REPORTS + 1))
    assert [r["periods"] for r in reports] == [PERIODS_PER_REPORT * r["t"] for r in reports]


def test_no_deadline_misses_under_load(loaded):
    reports, output = loaded
    assert all(r["misses"] == 0 for r in reports), output
    assert all(r["response"] < RESPONSE_MAX_US for r in reports), reports


def test_release_jitter_is_bounded_under_load(loaded):
    reports, _ = loaded
    for report in reports:
        assert 0 < report["avg"] <= report["max"], report
        assert report["max"] < JITTER_MAX_US, report
        assert report["avg"] < JITTER_AVERAGE_MAX_US, report


def test_load_ran_between_reports(loaded):
    """One load line (the CPU hog's, counted in counter seconds) between
    consecutive reports: the 1000 periods took one second of counter time,
    and every hog made progress in each of them."""
    _, output = loaded
    lines = [line for line in output.splitlines() if re.match(REPORT, line) or re.match(LOAD, line)]
    loads = [numbers(re.match(LOAD, line)) for line in lines if line.startswith("load:")]
    kinds = "".join("L" if line.startswith("load:") else "C" for line in lines)
    assert kinds.startswith("CL" * (REPORTS - 1) + "C"), "\n".join(lines)
    for before, after in zip(loads, loads[1:]):
        assert after["t"] == before["t"] + 1
        for hog in ("cpu", "memory", "kernel"):
            assert after[hog] > before[hog], (hog, before, after)


def test_load_is_what_costs_jitter(idle, loaded):
    """Without load the task wakes within a microsecond; the loaded figures
    above are therefore the interference, not the measurement."""
    idle_reports, output = idle
    assert "load none" in output
    assert all(r["misses"] == 0 and r["max"] < IDLE_JITTER_MAX_US for r in idle_reports), \
        idle_reports
    assert max(r["max"] for r in loaded[0]) > max(r["max"] for r in idle_reports)
