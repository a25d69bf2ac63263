"""The probe guest (guests/probe) under the real kernel and VMM: what a
guest gets for the accesses real hardware answers. Under stray-access
"abort" (tests/configs/testkit-probe.dts) byte reads of the distributor's
byte registers give the right bytes, halfwords read as zero, no-syndrome
accesses (LDM, STM, LDRD, LDREX, write-back) and accesses outside RAM are
external aborts with LR, SPSR, DFSR/IFSR and DFAR/IFAR as the architecture
sets them, the cycle counter runs only while enabled, an unknown trapped
register is UNDEFINED, and each injected abort is one VMM line. Under
"stop" (testkit-probe-stop.dts) the first stray access stops the VM with a
report. Needs the kernel's abort and undefined injection and its PMU, debug
and implementation-defined traps (issue 11)."""
import re

from qemu import Qemu

IMAGE = "build/tests/testkit-probe.elf"
STOP_IMAGE = "build/tests/testkit-probe-stop.elf"
# guests/probe/main.c, in order; the stray ones last.
PROBES = ["gicd-byte-ipriorityr", "gicd-byte-itargetsr", "gicd-halfword-raz-wi",
          "gicd-unaligned", "pmccntr-advances", "pmccntr-stops", "sysreg-undefined",
          "l2ctlr-one-cpu", "debug-os-lock", "set-way", "mrc-to-flags", "c15-raz-wi",
          "psci-suspend-waits",
          "gicd-ldm-abort", "gicd-stm-abort",
          "gicd-ldrd-abort", "gicd-ldrex-abort", "gicd-writeback-abort", "stray-read-abort",
          "stray-write-abort", "stray-thumb-read-abort", "stray-fetch-abort"]
STRAY_PROBES = 9     # the aborts the VMM injects: five at the GIC, four outside RAM


def boot(image):
    # One core: QEMU 7.2 does not implement HCR.TIDCP, so the guest reads
    # QEMU's own L2CTLR, whose CPU count is the machine's (docs/isolation.md).
    return Qemu(image, extra_args=["-icount", "shift=0,sleep=off"], cores=1)


def test_every_probe_gets_the_architectural_answer():
    qemu = boot(IMAGE)
    try:
        qemu.expect(r"^\[probe\] probe: ready$", timeout=30)
        results = [qemu.expect(r"^\[probe\] probe: ([\w-]+) (PASS|FAIL.*)$", timeout=30)
                   for _ in PROBES]
        assert [m.group(1) for m in results] == PROBES
        failures = [m.group(0) for m in results if m.group(2) != "PASS"]
        assert failures == [], failures
        qemu.expect(rf"^\[probe\] probe: {len(PROBES)} passed, 0 failed$", timeout=10)
        qemu.expect(r"^\[probe\] vmm: VM stopped: the guest powered off \(PSCI SYSTEM_OFF\)$",
                    timeout=30)
        exits = qemu.expect(r"^\[probe\] vmm: exits: (.* irq \d+)\n", timeout=10).group(1)
        assert "still running after SYSTEM_OFF" not in qemu.output
        # One line per injected abort (under the limiter's burst), naming the
        # address, the pc and the right reason.
        injected = re.findall(r"^\[probe\] vmm: guest (read from|wrote to|executed at) "
                              r"(0x[0-9a-f]{8}) (.*) \(pc (0x[0-9a-f]{8})\): external abort "
                              r"injected", qemu.output, re.MULTILINE)
        assert len(injected) == 8, injected        # VMM_RATE_BURST of the 9
        assert injected[0] == ("read from", "0x08000400", "at a device with an instruction "
                               "that gives no syndrome", injected[0][3])
        assert injected[1][0:3] == ("wrote to", "0x08000400", "at a device with an "
                                    "instruction that gives no syndrome")
        assert injected[5][0:3] == ("read from", "0x0a000000", "outside its RAM and devices")
        assert injected[6][0:3] == ("wrote to", "0x0a000004", "outside its RAM and devices")
        assert "further ones at most once a second" in qemu.output
        counts = {kind: int(n) for kind, n in re.findall(r"([\w-]+) (\d+)", exits)}
        assert counts["other"] == 0, counts
    finally:
        qemu.close()


def test_stray_access_stop_stops_the_vm_at_the_first():
    qemu = boot(STOP_IMAGE)
    try:
        qemu.expect(r"^\[probe\] probe: debug-os-lock PASS$", timeout=30)
        match = qemu.expect(r"^\[probe\] vmm: VM stopped: guest read from 0x08000400 at a device "
                            r"with an instruction that gives no syndrome \(pc "
                            r"(0x[0-9a-f]{8})\)$", timeout=30)
        assert int(match.group(1), 16) >= 0x40000000
        qemu.expect(r"^\[probe\] vmm: exits: .* irq \d+\n", timeout=10)
        qemu.expect(r"^init: probe: .*; policy stop$", timeout=10)
        assert "gicd-ldm-abort" not in qemu.output
        assert "external abort injected" not in qemu.output
    finally:
        qemu.close()
