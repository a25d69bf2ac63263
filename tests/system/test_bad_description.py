"""init refuses a bad system description at boot, with the build-time
checker's words, and then starts nothing (docs/configuration.md).

A sample of tests/configs/bad/*.dts (different kinds of mistake) goes into
images built with SYSTEM_CHECK=no, which carry the description unchecked;
booted, init must print each of the file's "// expect: " lines as
"init: system.dtb: <line>", in order and nothing else of the kind, then
"the system description has N error(s): nothing is started", and no
component may start. And a description that is valid on the build's
reference machine (1 GiB) is refused on a 512 MiB one: two-linux's two
256 MiB VMs do not fit.

QEMU runs with -icount shift=0,sleep=off."""
import os
import re

import pytest

from qemu import ROOT
from systems_util import boot, make, wait_raw

BAD_DIR = "tests/configs/bad"
EXPECT = "// expect: "
SAMPLES = [
    "vm-overlap-ram-channel",      # overlapping regions in a VM's guest-physical space
    "vm-overlap-emulated-gic",     # overlaps with the emulated devices: four errors
    "vm-unknown-property",         # a misspelt property (reading)
    "task-priority-above-mcp",     # a priority above init's MCP
    "budgets-above-100",           # budgets adding up to more than the core
    "task-budget-above-period",    # budget above period, and so above 100%: two errors
    "task-console-uart",           # the console server's UART: it could not start
    "task-console-irq",            # the console server's interrupt, likewise
    "task-period-too-long",        # a period the kernel refuses
    "vm-cpus-not-one-per-vcpu",    # a cpus list that does not match vcpus
]
TWO_LINUX = "build/tests/two-linux.elf"


def expected_lines(name):
    with open(os.path.join(ROOT, BAD_DIR, name + ".dts")) as file:
        lines = [line[len(EXPECT):].rstrip() for line in file if line.startswith(EXPECT)]
    assert lines, f"{name}.dts has no {EXPECT!r} line"
    return lines


def build_unchecked(name):
    """An image of its own per sample (a shared one could be left stale by
    make when the new description's blob is older than the image)."""
    image = f"build/tests/bad-{name}.elf"
    built = make(f"IMAGE={image}", f"SYSTEM={BAD_DIR}/{name}.dts", "SYSTEM_CHECK=no", image)
    assert built.returncode == 0, built.stdout + built.stderr
    # The unchecked blob must not stay where a checked build would take it
    # as already built (and so as having passed the check).
    blob = os.path.join(ROOT, "build/configs", name + ".dtb")
    if os.path.exists(blob):
        os.remove(blob)
    return image


DESCRIPTION_VERDICT = r"^init: the system description has (\d+) errors?: nothing is started$"


def refused(image, memory=1024, append="ctrl.arguments=1000,1", verdict=DESCRIPTION_VERDICT,
            cores=4):
    """Boot `image` on a QEMU with `cores` cores; wait for init's verdict and
    its main's end; return the console text."""
    qemu = boot(image, append, memory=memory, cores=cores)
    try:
        verdict = wait_raw(qemu, verdict, 0, 60)
        # init's main returns 1: the kernel says its thread exited (the root
        # task has no fault handler). Nothing else may follow.
        wait_raw(qemu, r"^opal: thread 1 exited with status 1$", verdict.end(), 30)
        ended = len(qemu.output)
        # Give anything that would start time to print (virtual time runs
        # fast while nothing runs).
        try:
            wait_raw(qemu, r"\S", ended, 3)
        except AssertionError:
            pass
    finally:
        qemu.close()
    return qemu.output


def assert_nothing_started(text):
    # (The refusal's own lines name the components; leave them out.)
    rest = re.sub(r"^init: (system\.dtb:|boot argument) .*\n", "", text, flags=re.MULTILINE)
    for pattern in (r"^init: system: ", r"^init: VM ", r"^init: task ", r"^\[",
                    r"^init: console server started", r"ctrl: ", r"vmm: ", r"linux"):
        assert not re.search(pattern, rest, re.MULTILINE), (pattern, text)
    # After init's thread ends, nothing more is printed.
    assert text.rstrip("\n").endswith("opal: thread 1 exited with status 1"), text


@pytest.mark.parametrize("name", SAMPLES)
def test_init_refuses_a_bad_description(name):
    expected = expected_lines(name)
    text = refused(build_unchecked(name))
    printed = re.findall(r"^init: system\.dtb: (.*)$", text, re.MULTILINE)
    assert printed == expected, text
    count = len(expected)
    assert re.search(r"^init: the system description has %d error%s: nothing is started$"
                     % (count, "" if count == 1 else "s"), text, re.MULTILINE), text
    assert_nothing_started(text)


def test_two_linux_does_not_fit_in_512_mib():
    built = make(TWO_LINUX)
    assert built.returncode == 0, built.stdout + built.stderr
    text = refused(TWO_LINUX, memory=512)
    assert re.search(r"^opal: RAM\s+0x40000000-0x5fffffff \(512 MiB\)$", text, re.MULTILINE), text
    printed = re.findall(r"^init: system\.dtb: (.*)$", text, re.MULTILINE)
    assert len(printed) == 1, text
    match = re.fullmatch(r"/vms/(linux\d): ram-size 0x([0-9a-f]+) does not fit: with its "
                         r"images and init's objects it takes 0x([0-9a-f]+) bytes, and "
                         r"0x([0-9a-f]+) of the 0x([0-9a-f]+) bytes free for components are "
                         r"already used", printed[0])
    assert match, printed
    vm, size, arena, used, free = match.group(1), *(int(g, 16) for g in match.groups()[1:])
    # Each VM asks for 256 MiB, an arena of 262 MiB with the DTB's frame and
    # init's objects (files not counted yet): the first fits in what is
    # free, the second does not.
    assert (vm, size, arena, used) == ("linux1", 0x10000000, 0x10600000, 0x10600000), printed
    assert used <= free < used + arena, printed
    # What init says is free is below what the kernel left for user level.
    user = int(re.search(r"^init: RAM 0x40000000 \+ 512 MiB, (\d+) MiB free for user level",
                         text, re.MULTILINE).group(1))
    assert free < (user + 1) << 20, (free, user)
    assert re.search(r"^init: the system description has 1 error: nothing is started$", text,
                     re.MULTILINE), text
    assert_nothing_started(text)


def test_vcpus_on_cores_the_kernel_does_not_run_on_are_refused():
    """The build-time check takes QEMU virt's 4 cores; init takes the
    kernel's (boot info `cores`): with a QEMU of one core, vCPUs placed on
    cores 1 to 3 are refused, each named."""
    image = "build/tests/smp-four-cores.elf"
    built = make(f"IMAGE={image}", "SYSTEM=tests/configs/smp-four-cores.dts", image)
    assert built.returncode == 0, built.stdout + built.stderr
    text = refused(image, cores=1)
    printed = re.findall(r"^init: system\.dtb: (.*)$", text, re.MULTILINE)
    assert printed == ["/vms/linux0: cpus: vCPU %d is on core %d, which this platform lacks "
                       "(cores 0 to 0)" % (k, k) for k in (1, 2, 3)], text
    assert_nothing_started(text)


def test_an_overflowing_boot_argument_is_refused():
    """4294968296 is 2^32 + 1000: refused, never wrapped to 1000 nor
    replaced by the description's arguments."""
    built = make("build/opal.elf")
    assert built.returncode == 0, built.stdout + built.stderr
    text = refused("build/opal.elf", append="ctrl.arguments=4294968296,1",
                   verdict=r"^init: the boot arguments have errors: nothing is started$")
    assert re.search(r"^init: boot argument ctrl\.arguments=4294968296,1: it must be 1 to 4 "
                     r"decimal numbers from 0 to 4294967295, separated by commas$", text,
                     re.MULTILINE), text
    assert_nothing_started(text)


def test_an_image_without_the_console_server_is_refused():
    """Components print only through the console server (the kernel's debug
    write needs a Debug cap init gives no one), so an image without it is
    refused before anything starts, rather than run silent."""
    image = "build/tests/no-console.elf"
    built = make(f"IMAGE={image}", "SYSTEM=configs/native-only.dts",
                 "PROGRAMS=build/apps/ctrl.elf build/apps/echo.elf", image)
    assert built.returncode == 0, built.stdout + built.stderr
    qemu = boot(image, "ctrl.arguments=1000,1")
    try:
        refusal = wait_raw(qemu, r'^init: the boot image holds no console server \("console"\): '
                                 r'no component could print; nothing is started$', 0, 60)
        wait_raw(qemu, r"^init: the system could not be built: it halts$", refusal.end(), 10)
        qemu.wait_exit(timeout=30)
    finally:
        qemu.close()
    for pattern in (r"^init: task ", r"^init: VM ", r"^\[", r"ctrl: ", r"echo: "):
        assert not re.search(pattern, qemu.output, re.MULTILINE), (pattern, qemu.output)
