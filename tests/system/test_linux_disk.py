"""Linux with a real disk (issue 14, docs/devices.md): the default system's
root lives on the data disk, through the VMM's virtio-blk and the block
driver task that owns QEMU's virtio-blk-device. What a guest writes and
syncs survives a VM restart and a restart of the whole machine (QEMU
started again on the same image); a VM crashed in the middle of a
write-heavy loop comes back with a clean file system and every synced file
intact; two VMs given disjoint regions of one disk each see exactly their
own; the guest's shell is on hvc0, its clock tells the date, and its virtio
interrupts count. Each test works on its own copy of the disk."""
import hashlib
import re
import subprocess
import time

import pytest

from qemu import Qemu, data_disk, disk_layout

DEFAULT = "build/opal.elf"
CRASH = "build/tests/disk-crash.elf"
TWO_DISK = "build/tests/two-disk.elf"
ICOUNT = ["-icount", "shift=0,sleep=off"]
PROMPT = r"\[(linux\d)\] / # "
READY = r"^\[linux0\] opal-guest: disk root ready on \S+: / is /dev/vda$"


def run(qemu, command, pattern, timeout=60, vm="linux0"):
    """Type a command; wait for `pattern` in the guest's output, then its prompt."""
    qemu.send(command + "\n")
    match = qemu.expect(pattern, timeout=timeout)
    qemu.expect(r"\[%s\] / # " % vm, timeout=timeout)
    return match


def boot(image, disk, args=ICOUNT):
    qemu = Qemu(image, extra_args=args, disk=disk)
    try:
        qemu.expect(READY, timeout=240)
        qemu.expect(PROMPT, timeout=30)
    except BaseException:
        qemu.close()
        raise
    return qemu


def test_root_on_the_disk_shell_on_hvc0_virtio_interrupts_count(tmp_path):
    qemu = boot(DEFAULT, data_disk(tmp_path))
    try:
        run(qemu, "tty", r"^\[linux0\] /dev/hvc0$")
        run(qemu, "awk '$2 == \"/\" { print \"root\", $1, $3 }' /proc/mounts | tail -n 1",
            r"^\[linux0\] root /dev/vda ext4$")
        size = run(qemu, "cat /sys/block/vda/size", r"^\[linux0\] (\d+)$").group(1)
        assert int(size) == disk_layout()[0][2]      # exactly its region
        text = run(qemu, "cat /proc/interrupts", r"Err:\s+0").string
        counts = {name: int(count) for count, irq, name in
                  re.findall(r"^\[linux0\]\s+\d+:\s+(\d+)\s+GIC-0\s+(\d+) Edge\s+(virtio\d)$",
                             text, re.MULTILINE)}
        assert counts.get("virtio0", 0) > 0 and counts.get("virtio1", 0) > 0, text
    finally:
        qemu.close()


def test_the_guests_date_is_the_hosts(tmp_path):
    """Real time (no -icount), so the guest's clock and the host's run
    together; its PL031 starts at the platform's date, and again after a
    VM restart."""
    qemu = boot(DEFAULT, data_disk(tmp_path), args=[])
    try:
        for restart in (False, True):
            if restart:
                qemu.send("reboot -f\n")
                qemu.expect(r"^init: linux0: restarted \(1 of 3\)$", timeout=120)
                qemu.expect(READY, timeout=240)
                qemu.expect(PROMPT, timeout=30)
            guest = int(run(qemu, "date +%s", r"^\[linux0\] (\d+)$").group(1))
            assert abs(guest - time.time()) < 10, (guest, time.time())
    finally:
        qemu.close()


def test_a_synced_file_survives_a_vm_restart_and_a_machine_restart(tmp_path):
    disk = data_disk(tmp_path)
    qemu = boot(DEFAULT, disk)
    try:
        run(qemu, "echo kept-$((40 + 2)) > /root/kept; sync; echo written",
            r"^\[linux0\] written$")
        qemu.send("reboot -f\n")                        # policy restart: a new instance
        qemu.expect(r"^init: linux0: restarted \(1 of 3\)$", timeout=120)
        qemu.expect(READY, timeout=240)
        qemu.expect(PROMPT, timeout=30)
        run(qemu, "cat /root/kept", r"^\[linux0\] kept-42$")
        run(qemu, "echo again >> /root/kept; sync; echo written", r"^\[linux0\] written$")
    finally:
        qemu.close()
    qemu = boot(DEFAULT, disk)                           # the machine, started again
    try:
        run(qemu, "cat /root/kept | tr '\\n' ' '; echo", r"^\[linux0\] kept-42 again $")
    finally:
        qemu.close()


def partition(disk, tmp_path):
    """linux0's region of the data disk as a file of its own."""
    _, start, count, _ = disk_layout()[0]
    image = tmp_path / "linux0.ext4"
    subprocess.run(["dd", f"if={disk}", f"of={image}", "bs=512", f"skip={start}",
                    f"count={count}", "status=none"], check=True)
    return image


# Files of 64 KiB of random bytes, each synced, then its checksum appended
# to /sums and synced: every line of /sums names a file that was on the
# disk before the line was.
WRITER = ("(i=0; while :; do dd if=/dev/urandom of=/data/f$i bs=4k count=16 2>/dev/null; "
          "sync; md5sum /data/f$i >> /sums; sync; i=$((i+1)); done) & echo writer-started")


def test_a_vm_crashed_while_writing_comes_back_clean_with_its_synced_files(tmp_path):
    disk = data_disk(tmp_path)
    qemu = boot(CRASH, disk)
    try:
        run(qemu, "mkdir -p /data; rm -f /sums; sync; " + WRITER, r"^\[linux0\] writer-started$")
        time.sleep(5)
        run(qemu, "wc -l < /sums", r"^\[linux0\] [1-9]\d*$")    # it is writing
        # A stray access: stray-access "stop", so the VMM stops the VM at once
        # (no shutdown, no unmount) and init restarts it (policy restart).
        qemu.send("devmem 0x0c000000 32\n")
        qemu.expect(r"^\[linux0\] vmm: VM stopped: guest read from 0x0c000000", timeout=60)
        qemu.expect(r"^init: linux0: restarted \(1 of 3\)$", timeout=120)
        qemu.expect(READY, timeout=240)
        qemu.expect(PROMPT, timeout=30)
        # Every complete line of /sums names an intact file (the last line
        # may have been cut by the crash).
        run(qemu, "sed '$d' /sums > /checked; wc -l < /checked", r"^\[linux0\] [1-9]\d*$")
        verdict = run(qemu, "md5sum -c /checked >/dev/null && echo sums-ok || echo sums-BAD",
                      r"^\[linux0\] sums-(ok|BAD)$", timeout=120).group(1)
        assert verdict == "ok"
        qemu.send("poweroff\n")                            # a clean unmount this time
        qemu.expect(r"^\[linux0\] vmm: VM stopped: the guest powered off", timeout=120)
    finally:
        qemu.close()
    check = subprocess.run(["e2fsck", "-fn", str(partition(disk, tmp_path))],
                           capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr


def pattern(vm, size):
    """What `yes <vm>-pattern | head -c size` writes, and its MD5."""
    line = f"{vm}-pattern\n".encode()
    data = (line * (size // len(line) + 1))[:size]
    return data, hashlib.md5(data).hexdigest()


REGION = 16384 * 512


def test_two_vms_on_disjoint_regions_of_one_disk_see_only_their_own(tmp_path):
    disk = tmp_path / "scratch.img"
    subprocess.run(["truncate", "-s", str(2 * REGION), str(disk)], check=True)
    qemu = Qemu(TWO_DISK, extra_args=ICOUNT, disk=disk)
    try:
        keys = {name: number for number, name in (entry.split(" ") for entry in qemu.expect(
            r"^\[console\] Ctrl-\] n switches it \((.*)\); ", timeout=60).group(1).split(", "))}
        start, ends = qemu.position, []
        for vm in ("linux0", "linux1"):          # in either order: they boot side by side
            qemu.position = start
            qemu.expect(r"^\[%s\] opal-guest: init ready on" % vm, timeout=240)
            ends.append(qemu.position)
        qemu.position = max(ends)
        for vm in ("linux0", "linux1"):
            qemu.send("\x1d" + keys[vm])
            qemu.expect(r"^\[console\] input goes to %s$" % vm, timeout=30)
            run(qemu, "cat /sys/block/vda/size", r"^\[%s\] 16384$" % vm, vm=vm)
            run(qemu, f"yes {vm}-pattern | head -c {REGION} > /dev/vda; sync; echo {vm}-written",
                r"^\[%s\] %s-written$" % (vm, vm), timeout=300, vm=vm)
        for vm in ("linux0", "linux1"):
            qemu.send("\x1d" + keys[vm])
            qemu.expect(r"^\[console\] input goes to %s$" % vm, timeout=30)
            # Its page cache dropped, so the read is the disk's.
            got = run(qemu, "echo 3 > /proc/sys/vm/drop_caches; md5sum /dev/vda",
                      r"^\[%s\] ([0-9a-f]{32})  /dev/vda$" % vm, timeout=300, vm=vm).group(1)
            assert got == pattern(vm, REGION)[1], vm
    finally:
        qemu.close()
    with open(disk, "rb") as file:
        on_disk = file.read()
    assert on_disk[:REGION] == pattern("linux0", REGION)[0]
    assert on_disk[REGION:] == pattern("linux1", REGION)[0]
