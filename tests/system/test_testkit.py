"""The bare-metal testkit guest under the real VMM: hypercalls round-trip to
the VMM with the right answer (NOT_SUPPORTED for an unknown function), its
UART output arrives with the VM's name in front, and PSCI SYSTEM_OFF stops
the VM with a report of its exits."""
from qemu import Qemu

IMAGE = "build/tests/testkit.elf"


def test_null_hypercalls_round_trip_and_system_off_stops_the_vm():
    qemu = Qemu(IMAGE, extra_args=["-icount", "shift=0,sleep=off"])
    try:
        qemu.expect(r"^init: VM testkit: 16 MiB at 0x40000000, VMM started$", timeout=30)
        qemu.expect(r"^\[testkit\] testkit: ready$", timeout=30)
        match = qemu.expect(r"^\[testkit\] testkit: null hvc rounds 1000 failures (\d+) "
                            r"ns-per-round-trip (\d+)$", timeout=60)
        assert int(match.group(1)) == 0
        # The figure itself belongs to the benchmark; here it must only be sane.
        assert 0 < int(match.group(2)) < 5000, match.group(0)
        qemu.expect(r"^\[testkit\] vmm: VM stopped: the guest powered off \(PSCI SYSTEM_OFF\)$",
                    timeout=30)
        exits = qemu.expect(r"^\[testkit\] vmm: exits: mmio-gicd 0 mmio-uart (\d+) "
                            r"mmio-other 0 hvc (\d+) ", timeout=10)
        assert int(exits.group(2)) == 1001   # 1000 null calls and SYSTEM_OFF
        assert int(exits.group(1)) > 60      # one per byte printed
        assert "still running after SYSTEM_OFF" not in qemu.output
    finally:
        qemu.close()
