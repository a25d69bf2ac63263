"""The disk's content (docs/disk.md): the root file system scripts/rootfs.sh
builds from Debian's armhf packages is a clean ext4 holding busybox, libc and
e2fsprogs; the data disk has the layout scripts/disk-layout.sh gives; and
the guest's initramfs, booted natively (no Opal) with root=/dev/vda on a
copy of that root, checks and mounts it, and a file written there survives a
restart of QEMU. Without root= the initramfs is as before
(test_guest_native.py). Each test works on its own copy of the images."""
import os
import struct
import subprocess

import pytest

from qemu import Qemu, ROOT, disk_copy, disk_layout

ROOTFS = "build/guests/linux/rootfs.ext4"
DATA_DISK_SCRIPT = "scripts/data-disk.sh"


@pytest.fixture(scope="module", autouse=True)
def rootfs():
    subprocess.run(["make", "-s", ROOTFS, "build/guests/linux/zImage"], cwd=ROOT, check=True)


def debugfs(image, request):
    return subprocess.run(["debugfs", "-R", request, image], capture_output=True, text=True,
                          check=True).stdout


def test_rootfs_is_a_clean_ext4_with_busybox_libc_and_e2fsprogs(tmp_path):
    image = disk_copy(tmp_path / "root.ext4")
    check = subprocess.run(["e2fsck", "-fn", str(image)], capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr
    assert "opal-root: " in check.stdout
    for path in ["/bin/busybox", "/sbin/e2fsck", "/sbin/mke2fs",
                 "/lib/arm-linux-gnueabihf/libc.so.6", "/lib/ld-linux-armhf.so.3",
                 "/sbin/init", "/etc/inittab", "/etc/fstab", "/etc/passwd"]:
        assert "File not found" not in debugfs(str(image), f"stat {path}"), path
    assert "fsck.ext4" in debugfs(str(image), "ls /sbin")
    # Owned by root although built without it (fakeroot).
    stat = debugfs(str(image), "stat /bin/busybox")
    assert "User:     0   Group:     0" in stat, stat


def test_data_disk_has_the_layout(tmp_path):
    disk = tmp_path / "disk.img"
    subprocess.run([os.path.join(ROOT, DATA_DISK_SCRIPT), str(disk),
                    os.path.join(ROOT, ROOTFS)], check=True, capture_output=True)
    layout = disk_layout()
    assert [vm for _, _, _, vm in layout] == ["linux0", "linux1"]
    with open(disk, "rb") as file:
        mbr = file.read(512)
    assert mbr[510:] == b"\x55\xaa"
    pristine = open(os.path.join(ROOT, ROOTFS), "rb").read(1 << 20)
    for number, start, sectors, _ in layout:
        entry = mbr[446 + 16 * (number - 1):446 + 16 * number]
        assert entry[0] == 0 and entry[4] == 0x83, entry   # not bootable, Linux
        assert struct.unpack("<II", entry[8:16]) == (start, sectors)
        with open(disk, "rb") as file:     # each partition starts as the root
            file.seek(start * 512)
            assert file.read(1 << 20) == pristine
    ends = sorted((start, start + sectors) for _, start, sectors, _ in layout)
    assert all(a[1] <= b[0] for a, b in zip(ends, ends[1:]))     # no overlap
    assert os.path.getsize(disk) == ends[-1][1] * 512


def boot_native(disk):
    return Qemu("build/guests/linux/zImage", memory=256, machine_extra=",virtualization=off",
                cores=1, disk=str(disk),
                extra_args=["-initrd", "build/guests/linux/initramfs.cpio.gz",
                            "-append", "console=ttyAMA0 quiet root=/dev/vda"])


def reach_disk_root(qemu):
    qemu.expect(r"^opal-root: (clean|recovering journal)", timeout=60)
    qemu.expect(r"^opal-guest: root /dev/vda mounted \(rw\), switching to it$", timeout=30)
    qemu.expect(r"^opal-guest: disk root ready on 6\.\d+\.\d+-\d+-armmp-lpae: / is /dev/vda$",
                timeout=30)
    qemu.expect(r"/ # ", timeout=30)


def test_native_root_on_virtio_disk_keeps_a_file_across_restarts(tmp_path):
    disk = disk_copy(tmp_path / "root.ext4")
    qemu = boot_native(disk)
    try:
        reach_disk_root(qemu)
        qemu.send("echo written-$((6 * 7)) > /root/persist; sync; "
                  "/sbin/fsck.ext4 -V 2>&1 | head -n 1; echo synced\n")
        qemu.expect(r"^e2fsck 1\.\d+", timeout=30)   # e2fsprogs runs on the disk's libc
        qemu.expect(r"^synced$", timeout=30)
        qemu.send("poweroff -f\n")
        assert qemu.wait_exit(30) == 0
    finally:
        qemu.close()
    qemu = boot_native(disk)
    try:
        reach_disk_root(qemu)
        qemu.send("cat /root/persist\n")
        qemu.expect(r"^written-42$", timeout=30)
        qemu.send("poweroff -f\n")
        assert qemu.wait_exit(30) == 0
    finally:
        qemu.close()
    # The guest's writes went to the copy, and left a file system e2fsck
    # accepts (after the journal it replays).
    check = subprocess.run(["e2fsck", "-fy", str(disk)], capture_output=True, text=True)
    assert check.returncode in (0, 1), check.stdout + check.stderr
    assert "written-42" in debugfs(str(disk), "cat /root/persist")


def test_root_without_a_disk_falls_back_to_the_initramfs_shell():
    qemu = Qemu("build/guests/linux/zImage", memory=256, machine_extra=",virtualization=off",
                cores=1, extra_args=["-initrd", "build/guests/linux/initramfs.cpio.gz",
                                     "-append", "console=ttyAMA0 quiet root=/dev/vda"])
    try:
        qemu.expect(r"^opal-guest: root /dev/vda: no such disk after 5 s", timeout=60)
        qemu.expect(r"^opal-guest: staying in the initramfs$", timeout=10)
        qemu.expect(r"^opal-guest: init ready on 6\.\d+\.\d+-\d+-armmp-lpae$", timeout=10)
        qemu.expect(r"/ # ", timeout=30)
        qemu.send("poweroff -f\n")
        assert qemu.wait_exit(30) == 0
    finally:
        qemu.close()
