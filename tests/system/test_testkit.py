"""The bare-metal testkit guest under the real VMM: hypercalls round-trip to
the VMM with the right answer (NOT_SUPPORTED for an unknown function), its
UART output arrives with the VM's name in front, and PSCI SYSTEM_OFF stops
the VM with a report of its exits. The guest-exit fastpath and the slowpath
(opal.fastpath=off) must give the same answers and the same exits."""
import re

import pytest

from qemu import Qemu

IMAGE = "build/tests/testkit.elf"


def run_testkit(append=""):
    """Boot the testkit, wait for the VM to stop; return (failures, ns per
    round trip, exit counts by kind, bytes the guest printed)."""
    extra = ["-icount", "shift=0,sleep=off"] + (["-append", append] if append else [])
    qemu = Qemu(IMAGE, extra_args=extra)
    try:
        qemu.expect(r"^init: VM testkit: 16 MiB at 0x40000000, VMM started$", timeout=30)
        qemu.expect(r"^\[testkit\] testkit: ready$", timeout=30)
        match = qemu.expect(r"^\[testkit\] testkit: null hvc rounds 1000 failures (\d+) "
                            r"ns-per-round-trip (\d+)\n", timeout=60)
        qemu.expect(r"^\[testkit\] vmm: VM stopped: the guest powered off \(PSCI SYSTEM_OFF\)$",
                    timeout=30)
        line = qemu.expect(r"^\[testkit\] vmm: exits: (.* irq \d+)\n", timeout=10).group(1)
        assert "still running after SYSTEM_OFF" not in qemu.output
        exits = {kind: int(count) for kind, count in re.findall(r"([\w-]+) (\d+)", line)}
        printed = sum(len(text) + 1 for text in
                      re.findall(r"^\[testkit\] (testkit: .*)$", qemu.output, re.MULTILINE))
        return int(match.group(1)), int(match.group(2)), exits, printed
    finally:
        qemu.close()


# One boot each, shared: the first test's run is the second's fastpath side.
@pytest.fixture(scope="module")
def fast():
    return run_testkit()


@pytest.fixture(scope="module")
def slow():
    return run_testkit("opal.fastpath=off")


def test_null_hypercalls_round_trip_and_system_off_stops_the_vm(fast):
    failures, nanoseconds, exits, printed = fast
    assert failures == 0
    # The figure itself belongs to the benchmark; here it must only be sane.
    assert 0 < nanoseconds < 5000, nanoseconds
    assert exits["mmio-gicd"] == 0 and exits["mmio-other"] == 0
    assert exits["hvc"] == 1001   # 1000 null calls and SYSTEM_OFF
    assert exits["mmio-uart"] == printed   # one per byte printed


def test_exit_fastpath_and_slowpath_give_the_same_answers_and_exits(fast, slow):
    for failures, _, exits, printed in (fast, slow):
        assert failures == 0
        assert exits["mmio-uart"] == printed
    # The printed figures differ, and with them the bytes printed; the rest not.
    assert {**fast[2], "mmio-uart": 0} == {**slow[2], "mmio-uart": 0}
    # The fastpath is taken: well under the slowpath, and under the 1,200
    # instructions per round trip it was built for (docs/vmm.md).
    assert fast[1] < 1200 < slow[1], (fast[1], slow[1])
