"""The block driver (apps/blk, docs/devices.md) on QEMU's virtio-blk disk at
transport 0x0a003e00 (interrupt 79), in tests/configs/blk.dts beside a
testkit VM whose disk it serves: the driver probes the device, negotiates,
checks the capacity against disk-sectors and says so in one line; it
refuses, with a line naming why, a transport with no device behind it, a
legacy (version 1) transport and a disk smaller than disk-sectors. When the
VM powers off, init's restart handshake with the driver lets init take the
VM's memory back whole (the VMM side of the link is tested with it)."""
import re
import subprocess

import pytest

from qemu import Qemu, ROOT

IMAGE = "build/tests/blk.elf"
# The testkit VM waits for its RTC, which follows the virtual clock.
ICOUNT = ["-icount", "shift=0,sleep=off", "-rtc", "clock=vm"]


@pytest.fixture(scope="module", autouse=True)
def image():
    subprocess.run(["make", "-s", IMAGE], cwd=ROOT, check=True)


def disk(path, mib):
    """A raw image of `mib` MiB, attached as QEMU's first virtio-mmio
    device, so it sits at the highest transport, 0x0a003e00."""
    with open(path, "wb") as out:
        out.truncate(mib << 20)
    return ["-drive", f"if=none,file={path},format=raw,id=data",
            "-device", "virtio-blk-device,drive=data"]


def boot(extra):
    return Qemu(IMAGE, extra_args=[*ICOUNT, *extra], cores=1)


def test_driver_serves_the_disk_and_lets_go_of_a_stopped_vm(tmp_path):
    qemu = boot(disk(tmp_path / "data.img", 64))
    try:
        qemu.expect(r"^\[blk\] blk: disk of 131072 sectors \(64 MiB\) at 0x0a003e00, "
                    r"virtio 1\.x, flush: yes$", timeout=30)
        qemu.expect(r"^\[blk\] blk: serving testkit: sectors 0 to 65535$", timeout=10)
        qemu.expect(r"^init: testkit: its guest powered off; policy stop$", timeout=120)
        qemu.expect(r"^init: testkit: stopped; the rest runs on$", timeout=10)
        # The driver's answer (through the console server, so its line may
        # come after init's) came before init took the memory back, whole.
        qemu.position = 0
        qemu.expect(r"^\[blk\] blk: testkit: its VM goes down; nothing of it is in flight$",
                    timeout=10)
        free, total = re.search(r"^init: testkit: arena (\d+) of (\d+) KiB free", qemu.output,
                                re.MULTILINE).groups()
        assert free == total, (free, total)
        assert "set aside" not in qemu.output
    finally:
        qemu.close()


@pytest.mark.parametrize("case,extra,line", [
    ("missing", [], r"no device behind the transport at 0x0a003e00 \(device ID 0\): not serving"),
    ("legacy", ["-global", "virtio-mmio.force-legacy=true", "disk:64"],
     r"the transport at 0x0a003e00 is virtio-mmio version 1 \(legacy\); this driver needs "
     r"version 2 \(QEMU: -global virtio-mmio\.force-legacy=false\): not serving"),
    ("small", ["disk:32"],
     r"the disk at 0x0a003e00 has 65536 sectors, fewer than the description's disk-sectors "
     r"131072: not serving"),
])
def test_driver_refuses_a_device_it_cannot_serve(tmp_path, case, extra, line):
    args = []
    for arg in extra:
        args += disk(tmp_path / "data.img", int(arg[5:])) if arg.startswith("disk:") else [arg]
    qemu = boot(args)
    try:
        qemu.expect(r"^\[blk\] blk: " + line + "$", timeout=30)
        # It stays to fail its clients' requests and answer init's handshake.
        qemu.expect(r"^\[blk\] blk: serving testkit: sectors 0 to 65535$", timeout=10)
        assert "disk of" not in qemu.output, case
    finally:
        qemu.close()
