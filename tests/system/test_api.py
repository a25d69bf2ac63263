"""The in-QEMU API test suite (tests/system/api): one boot runs every TEST()
of the test root task; each becomes one pytest test here. A test the image
never reported (it hung or crashed first) fails, as does a count mismatch.
QEMU runs with -icount shift=0,sleep=off, so the scheduling tests that
measure time (budgets, timeslices, domain windows) see the kernel's time,
not the host's load, and with -smp 4: every test but the multicore suite's
runs on core 0; those place threads on cores 1-3 (and fail if the boot info
lists fewer cores than they need)."""
import glob
import os
import re
import subprocess

import pytest

from qemu import Qemu, ROOT

IMAGE = "build/tests/api.elf"
TIMEOUT = 120
CORES = 4
RESULT = re.compile(r"^TEST (\w+\.\w+) (ok|FAIL .*)$", re.MULTILINE)


def registered_tests():
    """suite.name of every TEST(suite, name) in the sources, in file order."""
    names = []
    for path in sorted(glob.glob(os.path.join(ROOT, "tests/system/api/*.c"))):
        text = open(path).read()
        names += [f"{suite}.{name}"
                  for suite, name in re.findall(r"^TEST\((\w+),\s*(\w+)\)", text, re.MULTILINE)]
    return names


class Run:
    def __init__(self, output, finished, status):
        self.output = output
        self.finished = finished
        self.status = status
        self.results = dict(RESULT.findall(output))
        planned = re.search(r"^TESTS planned (\d+)$", output, re.MULTILINE)
        self.planned = int(planned.group(1)) if planned else None
        invariants = re.search(r"^INVARIANTS (-?\d+)$", output, re.MULTILINE)
        self.invariants = int(invariants.group(1)) if invariants else None

    def tail(self, lines=40):
        return "\n".join(self.output.splitlines()[-lines:])


@pytest.fixture(scope="module")
def run():
    """Boot once, collect every line; a hang ends the run at the deadline
    with whatever was reported so far."""
    subprocess.run(["make", "-s", IMAGE], cwd=ROOT, check=True)
    qemu = Qemu(IMAGE, extra_args=["-icount", "shift=0,sleep=off"], cores=CORES)
    try:
        try:
            qemu.expect(r"^TESTS \d+ passed, \d+ failed$", timeout=TIMEOUT)
            finished = True
        except AssertionError:
            finished = False
        status = None
        if finished:
            try:
                status = qemu.wait_exit(timeout=20)
            except AssertionError:
                status = None
        yield Run(qemu.output, finished, status)
    finally:
        qemu.close()


@pytest.mark.parametrize("name", registered_tests())
def test_api(run, name):
    result = run.results.get(name)
    if result is None:
        pytest.fail(f"{name} was never reported (the suite "
                    f"{'skipped it' if run.finished else 'hung or crashed before it'}); "
                    f"console tail:\n{run.tail()}")
    assert result == "ok", f"{name}: {result}"


def test_every_registered_test_reported(run):
    assert run.finished, f"no TESTS summary within {TIMEOUT}s; console tail:\n{run.tail()}"
    assert run.planned == len(registered_tests())
    assert len(run.results) >= run.planned
    summary = re.search(r"^TESTS (\d+) passed, (\d+) failed$", run.output, re.MULTILINE)
    assert int(summary.group(1)) + int(summary.group(2)) == run.planned


def test_invariants_hold_and_qemu_exits_cleanly(run):
    assert run.invariants == 0, f"INVARIANTS {run.invariants}; console tail:\n{run.tail()}"
    assert run.status == 0
    assert "PANIC" not in run.output


def test_debug_output_only_through_the_cap(run):
    """tests/system/api/debug.c: what the Debug cap wrote is there, whole;
    nothing a refused call named ever reached the console."""
    assert run.output.count("debug: written through the Debug cap") >= 2, run.tail()
    assert "debug: t" not in run.output, run.tail()


def test_multicore_vspace_loss_is_logged(run):
    """tests/system/api/multicore.c: each thread whose VSpace went while it
    ran on another core was stopped with the kernel's line."""
    assert run.output.count("its VSpace was deleted; thread stopped") >= 2, run.tail()
