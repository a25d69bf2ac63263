"""Hostile virtqueues (issue 14): the bare-metal vq-hostile guest
(guests/virtio-hostile) breaks the virtqueue rules case by case on its
virtio console and its virtio-blk disk while vq-worker, another VM, writes
and reads its own region of the same disk through the same block driver
(tests/configs/virtio-hostile.dts). After each breaking case the device must
say DEVICE_NEEDS_RESET with the configuration-change interrupt and do
nothing more, and after a reset and a new setup serve a valid request; the
VMM says so in one rate-limited line per break; requests the device merely
refuses (sectors past the end, odd buffers) get their status and the device
goes on. The worker's data, the driver and the rest of the system must not
notice: the test reads the scratch disk back after the run."""
import re
import time
import struct

import pytest

from qemu import Qemu
from systems_util import ICOUNT, component_lines, make

IMAGE = "build/tests/virtio-hostile.elf"
SECTOR = 512
DISK_SECTORS = 16384            # the description's disk-sectors: 8 MiB
WORKER = (0, 4096)              # disk-region: first sector, count
CHUNK = 0x10000                 # worker.c's bytes a request
HOSTILE = (4224, 2048)
FILL = 0xe5                     # what the test writes over the whole disk first
VMM_BURST = 8                   # vmm/rate.c: lines before the one-a-second limit

# The VMM's reasons (docs/devices.md, "A guest that lies").
OUTSIDE = "a buffer outside its RAM or of length 0"
LOOPS = "a descriptor chain that loops"
SIZE = "a queue size that is not a power of two up to QueueNumMax"
DESC = "a descriptor table outside its RAM or not 16-byte aligned"
AVAIL = "an available ring outside its RAM or not 2-byte aligned"
USED = "a used ring outside its RAM or not 4-byte aligned"
JUMP = "an available index that moved by more than the queue size"
LAYOUT = "a request that is not header, data, one status byte"

# Each device gets these, in this order (guests/virtio-hostile/hostile.c).
BREAKING = [
    ("outside-ram", OUTSIDE), ("straddles-ram-end", OUTSIDE), ("at-distributor", OUTSIDE),
    ("wraps-4gib", OUTSIDE), ("above-4gib", OUTSIDE), ("absurd-length", OUTSIDE),
    ("zero-length", OUTSIDE), ("loop", LOOPS), ("long-loop", LOOPS),
    ("next-past-table", "a descriptor whose next is past the table"),
    ("chain-too-long", "a chain longer than the device takes"),
    ("indirect", "an indirect descriptor (not offered)"),
    ("readable-after-writable", "a device-readable buffer after a writable one"),
    ("avail-jump", JUMP), ("avail-backwards", JUMP),
    ("head-past-table", "a chain head past the descriptor table"),
    # Queues placed wrong, refused at QueueReady.
    ("size-not-power-of-two", SIZE), ("size-too-big", SIZE), ("size-zero", SIZE),
    ("desc-straddles-ram-end", DESC), ("desc-misaligned", DESC),
    ("avail-at-distributor", AVAIL), ("used-straddles-ram-end", USED),
    ("used-above-4gib", USED),
]
BLK_BREAKING = [("short-header", LAYOUT), ("no-status", LAYOUT)]
# Requests virtio-blk answers without needing a reset.
ANSWERED = ["write-past-end", "read-past-end", "read-far-past-end", "sector-wraps", "odd-length",
            "over-size-max", "over-seg-max", "read-into-readable", "write-from-writable",
            "unknown-type", "last-sector", "flush", "get-id"]
LATE = ("console", "loop-a-second-later", LOOPS)   # after a 1.1 s pause

# What hostile.c writes last at its sector 0 and at its last sector.
FINAL_TAG, LAST_SECTOR_TAG = 0x000f17a1, 0xbad0bad0


def breaks():
    """Every breaking case in the order the guest runs them: (device, case, reason)."""
    return ([("console", c, r) for c, r in BREAKING] +
            [("blk", c, r) for c, r in BREAKING + BLK_BREAKING] + [LATE])


def hostile_pattern(tag, size):
    """hostile.c's make_pattern: word w is w * 0x9e3779b1 ^ tag."""
    return struct.pack("<%dI" % (size // 4),
                       *((w * 0x9e3779b1 ^ tag) & 0xffffffff for w in range(size // 4)))


def worker_region(final_pass):
    """The worker's whole disk after pass `final_pass` (shared.h's
    worker_word) and the checksum the worker prints for it."""
    words, checksum = [], 0x811c9dc5
    for sector in range(WORKER[1]):
        base = (final_pass << 24) ^ (sector * 2654435761 & 0xffffffff)
        for word in range(SECTOR // 4):
            value = base ^ (word * 0x01000193 & 0xffffffff)
            words.append(value)
            checksum = ((checksum ^ value) * 0x01000193) & 0xffffffff
            checksum ^= checksum >> 15
    return struct.pack("<%dI" % len(words), *words), checksum


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    """One boot: (console output, the disk's bytes afterwards)."""
    built = make(IMAGE)
    assert built.returncode == 0, built.stderr
    disk = tmp_path_factory.mktemp("virtio-hostile") / "disk.img"
    disk.write_bytes(bytes([FILL]) * (DISK_SECTORS * SECTOR))
    qemu = Qemu(IMAGE, extra_args=ICOUNT, cores=1, disk=disk)
    try:
        qemu.expect(r"^\[hostile\] virtio-hostile: summary: \d+ cases, \d+ failed$", timeout=400)
        qemu.expect(r"^init: hostile: stopped; the rest runs on$", timeout=60)
        # The worker's last pass, after the hostile VM is gone, is not
        # waited for: now and then the worker does not wake for it (an open
        # question, docs/testing.md); what it did beside the cases is what
        # this test checks.
        time.sleep(5)
    finally:
        qemu.close()
    return qemu.output, disk.read_bytes()


def test_every_case_breaks_resets_and_works_again(run):
    output, _ = run
    lines = component_lines(output, "hostile")
    assert not [line for line in lines if "FAIL" in line], lines
    count = 0
    for device, case, _ in breaks():
        assert f"virtio-hostile: {device} {case}: reset ok, device works" in lines, case
        count += 1
    for device in ("console", "blk"):
        assert f"virtio-hostile: {device} notify-storm: ok, device works" in lines
        count += 1
    for case in ANSWERED:
        assert f"virtio-hostile: blk {case}: answered, device works" in lines, case
        count += 1
    assert f"virtio-hostile: summary: {count} cases, 0 failed" in lines
    # The console's valid transmit after each reset reached the console;
    # nothing of a chain the device refused did.
    for case in [c for d, c, _ in breaks() if d == "console"] + ["notify-storm"]:
        assert f"virtio-hostile: console works after {case}" in lines, case
    assert "MUST NOT APPEAR" not in output
    assert "unexpected exception" not in output


def test_the_vmm_says_each_break_once_and_no_more(run):
    """Each break is one line or counted in the next line's "held back":
    the first VMM_BURST pass, then one a second (the late case, after a
    pause, carries the count of all the rest)."""
    output, _ = run
    pattern = re.compile(r"vmm: (virtio-console|virtio-blk): the guest gave (.*): the device "
                         r"needs a reset(?: \((\d+) more like it held back\)| \(further ones "
                         r"at most once a second\))?")
    seen = [pattern.fullmatch(line) for line in component_lines(output, "hostile")
            if line.startswith("vmm: virtio")]
    assert all(seen), [line for line in component_lines(output, "hostile")
                       if line.startswith("vmm: virtio")]
    expected = breaks()
    index = 0
    for number, match in enumerate(seen):
        device, reason, held = match.groups()
        index += int(held or 0)
        assert index < len(expected), (number, match.group(0))
        assert (device, reason) == ("virtio-" + expected[index][0], expected[index][2]), \
            (number, expected[index], match.group(0))
        if number == VMM_BURST - 1:
            assert "further ones at most once a second" in match.group(0)
        index += 1
    assert index == len(expected), (index, len(expected))
    assert VMM_BURST < len(seen) < len(expected) // 2, len(seen)   # not a flood


def test_the_other_vm_and_the_driver_carry_on(run):
    output, disk = run
    worker = component_lines(output, "worker")
    assert not [line for line in worker if "FAIL" in line], worker
    passes = [int(m.group(1)) for m in (re.fullmatch(r"vq-worker: pass (\d+) ok, checksum "
                                                     r"0x[0-9a-f]{8}", line) for line in worker) if m]
    reported = [re.fullmatch(r"vq-worker: (?:final )?pass (\d+) ok, checksum (0x[0-9a-f]{8})",
                             line) for line in worker]
    reported = [m for m in reported if m]
    assert len(reported) >= 10, worker               # many passes beside the cases
    last_pass, printed = int(reported[-1].group(1)), int(reported[-1].group(2), 16)
    assert [int(m.group(1)) for m in reported] == list(range(1, last_pass + 1)), worker
    assert passes == list(range(1, len(passes) + 1)), passes
    # Its I/O ran beside the hostile cases.
    during = re.search(r"^\[hostile\] virtio-hostile: blk: the other VM made (\d+) requests "
                       r"during the cases$", output, re.MULTILINE)
    assert during and int(during.group(1)) > 0
    # The disk holds the last reported pass's data, but for the start of a
    # next pass QEMU may have been stopped in (whole chunks, from the start).
    region, checksum = worker_region(last_pass)
    after, _ = worker_region(last_pass + 1)
    assert printed == checksum
    start, count = WORKER
    found = disk[start * SECTOR:(start + count) * SECTOR]
    chunks = [(found[i:i + CHUNK], region[i:i + CHUNK], after[i:i + CHUNK])
              for i in range(0, len(found), CHUNK)]
    newer = 0
    while newer < len(chunks) and chunks[newer][0] == chunks[newer][2]:
        newer += 1
    assert all(got == want for got, want, _ in chunks[newer:]), "the worker's data is not its own"
    # The driver: no line but its start, its clients and their VMs going down.
    allowed = [r"blk: disk of 16384 sectors \(8 MiB\) at 0x0a003e00, virtio 1\.x, flush: yes",
               r"blk: serving hostile: sectors 4224 to 6271",
               r"blk: serving worker: sectors 0 to 4095",
               r"blk: (hostile|worker): its VM goes down; nothing of it is in flight"]
    for line in component_lines(output, "blk"):
        assert any(re.fullmatch(p, line) for p in allowed), line
    # No fault anywhere, and each VM ended by its own power-off.
    assert not re.search(r"fault|halt", "\n".join(component_lines(output, None)), re.I), output
    assert "init: hostile: its guest powered off; policy stop" in output


def test_the_disk_outside_the_regions_is_untouched(run):
    """What the hostile VM's refused requests would have hit (the sector past
    its region, below its start through the wrap) still holds the fill; its
    own region holds its last valid writes."""
    _, disk = run
    untouched = [(WORKER[0] + WORKER[1], HOSTILE[0]), (HOSTILE[0] + HOSTILE[1], DISK_SECTORS)]
    for first, end in untouched:
        piece = disk[first * SECTOR:end * SECTOR]
        assert piece == bytes([FILL]) * len(piece), (first, end)
    start, count = HOSTILE
    assert disk[start * SECTOR:start * SECTOR + 4096] == hostile_pattern(FINAL_TAG, 4096)
    last = (start + count - 1) * SECTOR
    assert disk[last:last + SECTOR] == hostile_pattern(LAST_SECTOR_TAG, SECTOR)
