"""The guest's entropy (issue 14, docs/devices.md): the default system's
linux0 has a virtio-rng device that its VMM feeds from the entropy driver
task (apps/rng), which owns QEMU's virtio-rng-device, itself fed from the
host kernel's getrandom() (scripts/qemu.sh). Linux picks it as its hardware
RNG; /dev/hwrng gives bytes that differ from read to read and look random;
a guest draining /dev/hwrng in a loop keeps getting bytes."""
import re

import pytest

from qemu import data_disk
from test_linux_disk import DEFAULT, PROMPT, boot, run


@pytest.fixture(scope="module")
def linux(tmp_path_factory):
    qemu = boot(DEFAULT, data_disk(tmp_path_factory.mktemp("rng")))
    try:
        yield qemu
    finally:
        qemu.close()


def test_the_driver_serves_linux0(linux):
    assert re.search(r"^\[rng\] rng: virtio-rng at 0x0a002e00, virtio 1\.x: serving linux0$",
                     linux.output, re.MULTILINE), linux.output


def test_linux_uses_the_virtio_rng(linux):
    run(linux, "cat /sys/class/misc/hw_random/rng_current", r"^\[linux0\] virtio_rng\.\d+$")


def test_hwrng_bytes_differ_and_look_random(linux):
    sums = [run(linux, "head -c 4096 /dev/hwrng | md5sum",
                r"^\[linux0\] ([0-9a-f]{32})  -$").group(1) for _ in range(2)]
    assert sums[0] != sums[1], sums
    # 4096 random bytes show nearly all 256 values (fewer than 240 has a
    # probability far below 1e-9); a stuck or patterned source shows few.
    distinct = run(linux, "head -c 4096 /dev/hwrng | od -An -v -tu1 | tr -s ' ' '\\n' | "
                          "grep -v '^$' | sort -u | wc -l",
                   r"^\[linux0\] (\d+)$").group(1)
    assert int(distinct) >= 240, distinct


def test_a_draining_reader_keeps_getting_bytes(linux):
    """A background reader drains /dev/hwrng without pause; a second read
    still gets its bytes in good time (the driver refills in turns)."""
    linux.send("(while :; do head -c 65536 /dev/hwrng > /dev/null; done) &\n")
    linux.expect(PROMPT, timeout=30)
    try:
        run(linux, "head -c 8192 /dev/hwrng | wc -c", r"^\[linux0\] 8192$", timeout=120)
    finally:
        run(linux, "kill %1; wait", r"", timeout=60)
