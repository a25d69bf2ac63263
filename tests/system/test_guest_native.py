"""The Linux guest as assembled by scripts/guest-linux.sh (Debian's armhf
kernel, unmodified, and a busybox initramfs) boots natively on the same QEMU
machine to its shell and runs commands: the guest the VMM will run, and the
native peer of the guest benchmarks."""
import pytest

from qemu import Qemu

KERNEL = "build/guests/linux/zImage"
INITRD = "build/guests/linux/initramfs.cpio.gz"


@pytest.fixture
def linux():
    qemu = Qemu(KERNEL, machine_extra=",virtualization=off", cores=1,
                extra_args=["-initrd", INITRD, "-append", "console=ttyAMA0 quiet"])
    yield qemu
    qemu.close()


def test_debian_kernel_boots_to_a_busybox_shell(linux):
    linux.expect(r"opal-guest: init ready on 6\.\d+\.\d+-\d+-armmp-lpae", timeout=120)
    linux.expect(r"/ # ", timeout=30)
    linux.send("uname -m; echo marker-$((6 * 7)); grep -c processor /proc/cpuinfo\n")
    linux.expect(r"^armv7l$", timeout=30)
    linux.expect(r"^marker-42$", timeout=30)
    linux.expect(r"^1$", timeout=30)
    linux.send("poweroff -f\n")
    linux.expect(r"reboot: Power down", timeout=30)
    assert linux.wait_exit(timeout=30) == 0
