"""Opal booted as a board boots it: Debian's U-Boot (QEMU -bios) finds boot.scr
on the virtio disk (build/tests/uboot.img, scripts/image.mk), loads the FIT
and bootm enters the kernel in HYP mode with the device tree in r2. The boot
arguments boot.scr sets (ctrl.arguments=1000,1) reach the control task, and the Linux
guest boots to a shell that runs a command.

QEMU runs with -icount shift=0,sleep=off, as `make run CLOCK=virtual` does."""
import time

import pytest

from qemu import Qemu

DISK = "build/tests/uboot.img"
PROMPT = r"\[linux0\] / # "


@pytest.fixture(scope="module")
def uboot():
    started = time.monotonic()
    # No console input until the guest's prompt: a key would stop U-Boot's autoboot.
    qemu = Qemu(DISK, extra_args=["-icount", "shift=0,sleep=off"])
    try:
        qemu.expect(r"^U-Boot 20\d\d\.\d\d", timeout=60)
        qemu.started = started
        yield qemu
    finally:
        qemu.close()    # also when U-Boot never shows: no QEMU left running


def test_uboot_finds_the_script_and_loads_the_fit(uboot):
    uboot.expect(r"Found U-Boot script /boot\.scr", timeout=120)
    uboot.expect(r"Loading kernel from FIT Image at 44000000", timeout=60)
    uboot.expect(r"Verifying Hash Integrity \.\.\. crc32\+ OK", timeout=60)
    uboot.expect(r"Booting using the fdt blob at 0x[0-9a-f]+", timeout=60)


def test_kernel_starts_after_uboot_in_hyp_mode_with_its_dtb(uboot):
    uboot.expect(r"^Starting kernel \.\.\.", timeout=60)
    uboot.expect(r"^opal: Opal \d+\.\d+ - capability microkernel and hypervisor", timeout=30)
    # The DTB came in r2 (not from the base of RAM, where QEMU puts it for -kernel).
    match = uboot.expect(r"^opal: platform: device tree at 0x([0-9a-f]+)", timeout=10)
    assert int(match.group(1), 16) != 0x40000000
    uboot.expect(r"^opal: CPU: .*HYP mode, virtualization extensions present", timeout=10)


def test_boot_arguments_from_boot_scr_reach_the_control_task(uboot):
    # Unanchored: the line may carry a console prefix ("[ctrl] ").
    uboot.expect(r"ctrl: period 1000us .*a report every 1s", timeout=60)


def test_linux_shell_runs_a_command(uboot):
    uboot.expect(r"\[linux0\] opal-guest: init ready on 6\.\d+\.\d+-\d+-armmp-lpae", timeout=180)
    uboot.expect(PROMPT, timeout=30)
    print(f"U-Boot boot to the Linux prompt: {time.monotonic() - uboot.started:.1f} s")
    uboot.send("echo through-$((6 * 7))-uboot\n")
    uboot.expect(r"^\[linux0\] through-42-uboot$", timeout=60)
    uboot.expect(PROMPT, timeout=60)
