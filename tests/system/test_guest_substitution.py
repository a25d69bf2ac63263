"""Substituting the Linux guest's images without editing code (docs/guests.md):
a second initramfs, built here from busybox and an /init of its own, goes in
through `make IMAGE=... LINUX_INITRD=... SYSTEM=...` (a description of the
test's own giving the guest another command line), boots under Opal with
Debian's kernel and runs; a file that does not exist is refused by make with
its name."""
import os
import subprocess

import pytest

from qemu import Qemu, ROOT

IMAGE = "build/tests/linux-second.elf"
BUSYBOX = "build/guests/linux/initramfs/bin/busybox"
SECOND_INIT = """#!/bin/busybox sh
/bin/busybox --install -s /bin
mkdir -p /proc
mount -t proc proc /proc
echo "second-initramfs: up on $(uname -r), $(cat /etc/second-marker)"
echo "second-initramfs: cmdline $(cat /proc/cmdline)"
echo "second-initramfs: sum $((6 * 7))"
poweroff -f
"""


def build_initramfs(directory):
    """A gzipped newc cpio of busybox, /init and a marker file."""
    root = directory / "root"
    (root / "bin").mkdir(parents=True)
    (root / "etc").mkdir()
    (root / "etc" / "second-marker").write_text("marker-from-the-second-initramfs\n")
    init = root / "init"
    init.write_text(SECOND_INIT)
    init.chmod(0o755)
    busybox = root / "bin" / "busybox"
    busybox.write_bytes(open(os.path.join(ROOT, BUSYBOX), "rb").read())
    busybox.chmod(0o755)
    archive = directory / "second.cpio.gz"
    files = subprocess.run("find . -mindepth 1 | LC_ALL=C sort", shell=True, cwd=root,
                           check=True, capture_output=True).stdout
    cpio = subprocess.run(["cpio", "-o", "-H", "newc", "-R", "0:0", "--quiet"], cwd=root,
                          input=files, check=True, capture_output=True).stdout
    archive.write_bytes(subprocess.run(["gzip", "-n"], input=cpio, check=True,
                                       capture_output=True).stdout)
    return archive


def make(*arguments):
    return subprocess.run(["make", "-s", *arguments], cwd=ROOT, capture_output=True, text=True)


def write_description(directory):
    """configs/default.dts with another guest command line (its root stays
    in the initramfs)."""
    default = open(os.path.join(ROOT, "configs/default.dts")).read()
    shipped = 'bootargs = "console=ttyAMA0 root=/dev/vda quiet";'
    assert shipped in default
    source = directory / "second.dts"
    source.write_text(default.replace(shipped,
                                      'bootargs = "console=ttyAMA0 quiet second.option=17";'))
    return source


def test_a_second_initramfs_boots_and_runs(tmp_path):
    archive = build_initramfs(tmp_path)
    system = write_description(tmp_path)
    built = make(f"IMAGE={IMAGE}", f"LINUX_INITRD={archive}", f"SYSTEM={system}", IMAGE)
    assert built.returncode == 0, built.stdout + built.stderr
    qemu = Qemu(IMAGE, extra_args=["-icount", "shift=0,sleep=off"])
    try:
        qemu.expect(r"^\[linux0\] second-initramfs: up on 6\.\d+\.\d+-\d+-armmp-lpae, "
                    r"marker-from-the-second-initramfs$", timeout=180)
        qemu.expect(r"^\[linux0\] second-initramfs: cmdline console=ttyAMA0 quiet "
                    r"second.option=17$", timeout=30)
        qemu.expect(r"^\[linux0\] second-initramfs: sum 42$", timeout=30)
        qemu.expect(r"^\[linux0\] vmm: VM stopped: the guest powered off \(PSCI SYSTEM_OFF\)$",
                    timeout=60)
        assert "opal-guest: init ready" not in qemu.output   # not the default initramfs
    finally:
        qemu.close()


@pytest.mark.parametrize("variable", ["LINUX_KERNEL", "LINUX_INITRD"])
def test_a_missing_substitute_is_refused_by_name(variable):
    result = make(f"IMAGE={IMAGE}", f"{variable}=/nonexistent/image", IMAGE)
    assert result.returncode != 0
    assert f"{variable}=/nonexistent/image: no such file" in result.stderr


def test_a_missing_extra_file_is_refused_by_name():
    result = make(f"IMAGE={IMAGE}", "IMAGE_FILES=/nonexistent/fragment.dtb", IMAGE)
    assert result.returncode != 0
    assert "IMAGE_FILES: /nonexistent/fragment.dtb: no such file" in result.stderr


def test_a_file_the_description_names_must_be_in_the_image(tmp_path):
    default = open(os.path.join(ROOT, "configs/default.dts")).read()
    source = tmp_path / "typo.dts"
    source.write_text(default.replace('kernel = "zImage";', 'kernel = "zImag";'))
    result = make(f"IMAGE={IMAGE}", f"SYSTEM={source}", IMAGE)
    assert result.returncode != 0
    assert (f'{source}: /vms/linux0: kernel "zImag": no such file in the boot image'
            in result.stderr), result.stderr
