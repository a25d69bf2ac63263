"""Whole systems that init builds from their descriptions (configs/*.dts).

two-linux (configs/two-linux.dts): two Linux VMs, linux0 and linux1, beside
the control task ctrl, with a channel linux1-ctrl: a shared page at
guest-physical 0x0b000000 in linux1 (struct ctrl_channel_page,
apps/ctrl/ctrl.h), a doorbell page after it, and ctrl's signal arriving as
SPI 48. One boot serves the module: both shells answer on their own
console lines, data crosses the channel both ways, the generated guest
device trees describe the channel in linux1 only, ctrl never misses a
deadline and no line of output carries another component's bytes.

native-only (configs/native-only.dts): ctrl and echo, no VM, a channel and
a domain schedule; echo sends ctrl a request at each of its reports.

QEMU runs with -icount shift=0,sleep=off; ctrl reports every virtual second."""
import re

import pytest

from systems_util import (CTRL_EVERY_SECOND, PERIODS_PER_REPORT, REPORT, assert_reports_steady,
                          boot, check_line_integrity, component_lines, console_keys,
                          ctrl_reports, focus, make, prompt, run, wait_line, wait_raw)

TWO_LINUX = "build/tests/two-linux.elf"
NATIVE_ONLY = "build/tests/native-only.elf"
CHANNEL = 0x0b000000                       # linux1's view of the shared page
DOORBELL = CHANNEL + 0x1000
REQUEST_SEQUENCE, REQUEST_VALUE, REPLY_SEQUENCE, REPLY_VALUE, PERIODS, MISSES = \
    (CHANNEL + 4 * word for word in range(6))
HEX_WORD = r"0x([0-9A-F]{8})"              # busybox devmem's answer


@pytest.fixture(scope="module", autouse=True)
def system_images():
    built = make(TWO_LINUX, NATIVE_ONLY)
    assert built.returncode == 0, built.stdout + built.stderr


@pytest.fixture(scope="module")
def two_linux(system_images):
    qemu = boot(TWO_LINUX, CTRL_EVERY_SECOND)
    try:
        qemu.keys = console_keys(qemu)
        for name in ("linux0", "linux1"):
            wait_raw(qemu, r"^\[%s\] opal-guest: init ready on 6\.\d+\.\d+-\d+-armmp-lpae$"
                     % name, 0, 180)
            wait_raw(qemu, r"^%s" % prompt(name), 0, 60)
        yield qemu
    finally:
        qemu.close()


def devmem_read(qemu, address):
    """A 32-bit read in linux1 through busybox devmem (the input must be with linux1)."""
    return int(run(qemu, "linux1", "devmem 0x%08x 32" % address, HEX_WORD).group(1), 16)


def devmem_write(qemu, address, value):
    run(qemu, "linux1", "devmem 0x%08x 32 0x%x; echo wrote-$((0x%x))" % (address, value, value),
        r"wrote-%d" % value)


def test_init_builds_what_the_description_says(two_linux):
    text = two_linux.output
    assert re.search(r"^init: system: 2 VMs, 1 task, 1 channel$", text, re.MULTILINE), text
    for line in (r"init: VM linux0: 256 MiB at 0x40000000, VMM started",
                 r"init: VM linux1: 256 MiB at 0x40000000, VMM started",
                 r"init: task ctrl started: priority 250, budget 200us per 1000us",
                 r"\[ctrl\] ctrl: channel linux1-ctrl to linux1: 4096 bytes at 0x[0-9a-f]{8}",
                 r"\[ctrl\] ctrl: period 1000us counter \d+Hz, a report every 1s"):
        assert re.search("^" + line + "$", text, re.MULTILINE), line
    assert two_linux.keys == {"linux0": "1", "linux1": "2", "ctrl": "3"}, two_linux.keys
    # The console's input starts with linux0, as the description says.
    assert re.search(r"^\[console\] input goes to linux0$", text, re.MULTILINE)


def test_both_shells_answer_on_their_own_lines(two_linux):
    focus(two_linux, two_linux.keys, "linux0")
    run(two_linux, "linux0", "echo from-$((6*7))-zero", r"from-42-zero")
    focus(two_linux, two_linux.keys, "linux1")
    start = len(two_linux.output)
    run(two_linux, "linux1", "echo from-$((6*8))-one", r"from-48-one")
    # Typed for linux1, answered by linux1 only.
    after = two_linux.output[start:]
    assert "from-48-one" not in "\n".join(component_lines(after, "linux0")), after
    # And the answers are the shells' own: the typed text was not evaluated by anyone else.
    assert not re.search(r"^\[linux1\] from-42-zero$", two_linux.output, re.MULTILINE)


def test_linux_request_reaches_ctrl_and_its_answer_reaches_linux(two_linux):
    focus(two_linux, two_linux.keys, "linux1")
    requests = ((0x2a5, 0x5a5a), (0x2a6, 0x12340000))
    for sequence, value in requests:
        start = len(two_linux.output)
        # Value first, then the sequence, then the doorbell (the channel's protocol).
        devmem_write(two_linux, REQUEST_VALUE, value)
        devmem_write(two_linux, REQUEST_SEQUENCE, sequence)
        if sequence == requests[0][0]:
            # Not rung yet: ctrl answers on the doorbell's signal, not on its own.
            match = wait_raw(two_linux, REPORT, len(two_linux.output), 30)
            wait_raw(two_linux, REPORT, match.end(), 30)
            assert devmem_read(two_linux, REPLY_SEQUENCE) != sequence
            assert "request %d " % sequence not in two_linux.output[start:]
        devmem_write(two_linux, DOORBELL, 1)
        wait_line(two_linux, "ctrl", r"ctrl: linux1-ctrl: request %d value 0x%x answered 0x%x"
                  % (sequence, value, value + 1), start, 30)
        # ctrl -> Linux: its answer is in the page, under the request's sequence.
        assert devmem_read(two_linux, REPLY_VALUE) == value + 1
        assert devmem_read(two_linux, REPLY_SEQUENCE) == sequence
    # One answer per request: each request was answered exactly once.
    answers = [line for line in component_lines(two_linux.output, "ctrl")
               if line.startswith("ctrl: linux1-ctrl: request ")]
    assert answers == ["ctrl: linux1-ctrl: request %d value 0x%x answered 0x%x"
                       % (sequence, value, value + 1) for sequence, value in requests], answers


def test_ctrl_publishes_its_totals_to_linux(two_linux):
    focus(two_linux, two_linux.keys, "linux1")
    first = devmem_read(two_linux, PERIODS)
    assert devmem_read(two_linux, MISSES) == 0
    # Two more reports, then read again.
    start = len(two_linux.output)
    match = wait_raw(two_linux, REPORT, start, 30)
    wait_raw(two_linux, REPORT, match.end(), 30)
    second = devmem_read(two_linux, PERIODS)
    assert 0 < first < second, (first, second)
    # Each is a total ctrl printed in a report (the page is written at each report).
    printed = {r["periods"] & 0xffffffff for r in ctrl_reports(two_linux.output)}
    assert first in printed and second in printed, (first, second)
    assert (second - first) % PERIODS_PER_REPORT == 0 and second - first >= 2 * PERIODS_PER_REPORT


def bytes_of(qemu, name, path):
    """A device-tree property's bytes as hex, read in `name`'s shell."""
    return run(qemu, name, "od -An -v -tx1 %s | tr -d ' \\n'; echo \" :end$((1+1))\"" % path,
               r"([0-9a-f]*) :end2").group(1)


def strings_of(qemu, name, path):
    """A device-tree string property, NULs shown as '|'."""
    return run(qemu, name, "tr '\\0' '|' < %s; echo \" :end$((1+1))\"" % path,
               r"(.*) :end2").group(1)


def test_the_channel_is_in_linux1s_device_tree_only(two_linux):
    node = "/proc/device-tree/channel@b000000"
    focus(two_linux, two_linux.keys, "linux1")
    assert strings_of(two_linux, "linux1", node + "/compatible") == "opal,channel|"
    assert strings_of(two_linux, "linux1", node + "/label") == "linux1-ctrl|"
    assert strings_of(two_linux, "linux1", node + "/opal,peer") == "ctrl|"
    # Its registers start at the shared page; its interrupt is SPI 48 (GIC ID 80).
    # Its registers: the shared page and the doorbell page after it; its
    # interrupt: SPI 48 (GIC ID 80), as <0 48 flags>.
    assert bytes_of(two_linux, "linux1", node + "/reg") == \
        "%08x%08x%08x%08x" % (CHANNEL, 0x1000, DOORBELL, 0x1000)
    assert strings_of(two_linux, "linux1", node + "/reg-names") == "shared|doorbell|"
    interrupts = bytes_of(two_linux, "linux1", node + "/interrupts")
    assert len(interrupts) == 24 and interrupts[:16] == "%08x%08x" % (0, 80 - 32), interrupts
    run(two_linux, "linux1", "ls /proc/device-tree | grep -c ^channel", r"1")
    focus(two_linux, two_linux.keys, "linux0")
    run(two_linux, "linux0", "ls /proc/device-tree | grep -c ^channel", r"0")
    run(two_linux, "linux0", "ls /proc/device-tree | grep -c ^memory", r"1")


def test_ctrl_never_misses_a_deadline(two_linux):
    # Three more reports; then every ctrl line seen since boot must be one
    # of ctrl's, and every report says misses=0 and covers its second.
    end = len(two_linux.output)
    for _ in range(3):
        end = wait_raw(two_linux, REPORT, end, 30).end()
    reports = ctrl_reports(two_linux.output)
    assert len(reports) >= 5, reports
    assert_reports_steady(reports)


def test_no_line_carries_another_components_bytes(two_linux):
    checked = check_line_integrity(two_linux.output, {"console", "ctrl", "linux0", "linux1"})
    assert checked > 50


def test_linux0_cannot_reach_linux1s_channel(two_linux):
    """The shared page is not in linux0's guest-physical space: a read there
    is a stray access, and linux0 takes an external abort (stray-access's
    default), as on a board: Linux kills devmem with SIGBUS and goes on,
    while linux1 and ctrl go on too."""
    focus(two_linux, two_linux.keys, "linux0")
    start = len(two_linux.output)
    two_linux.send("devmem 0x%08x 32\n" % CHANNEL)
    wait_line(two_linux, "linux0", r"vmm: guest read from 0x0b000000 outside its RAM and "
              r"devices \(pc 0x[0-9a-f]{8}\): external abort injected", start, 60)
    wait_line(two_linux, "linux0", r".*Bus error.*", start, 30)
    run(two_linux, "linux0", "echo after-$((6*7))-zero", r"after-42-zero")
    # linux1 answers meanwhile.
    focus(two_linux, two_linux.keys, "linux1")
    run(two_linux, "linux1", "echo still-$((5*5))", r"still-25")
    assert "VM stopped" not in two_linux.output[start:]
    assert_reports_steady(ctrl_reports(two_linux.output))
    check_line_integrity(two_linux.output, {"console", "ctrl", "linux0", "linux1"})


# native-only ---------------------------------------------------------------

ROUND_TRIPS = 4


def test_native_only_echo_and_ctrl_talk_without_any_vm(system_images):
    qemu = boot(NATIVE_ONLY, CTRL_EVERY_SECOND)
    try:
        assert console_keys(qemu) == {"ctrl": "1", "echo": "2"}
        wait_raw(qemu, r"^init: domain schedule started: 2 windows$", 0, 30)
        # Both sides of the last round trip (ctrl's line may come out after echo's).
        wait_line(qemu, "echo", r"echo: request %d answered 0x[0-9a-f]+" % ROUND_TRIPS, 0, 60)
        wait_line(qemu, "ctrl", r"ctrl: ctrl-echo: request %d value .*" % ROUND_TRIPS, 0, 30)
    finally:
        qemu.close()
    text = qemu.output
    assert re.search(r"^init: system: 0 VMs, 2 tasks, 1 channel$", text, re.MULTILINE), text
    echo = component_lines(text, "echo")
    ctrl = component_lines(text, "ctrl")
    answered = [(int(n), int(v, 16)) for n, v in
                (re.fullmatch(r"echo: request (\d+) answered 0x([0-9a-f]+)", line).groups()
                 for line in echo if line.startswith("echo: request "))]
    assert [n for n, _ in answered][:ROUND_TRIPS] == list(range(1, ROUND_TRIPS + 1)), echo
    for number, value in answered[:ROUND_TRIPS]:
        # echo asks with 0x1000 + its request number; ctrl answers value + 1.
        request = 0x1000 + number
        assert value == request + 1, (number, hex(value))
        assert f"ctrl: ctrl-echo: request {number} value {request:#x} answered " \
               f"{request + 1:#x}" in ctrl, (number, ctrl)
    # What echo read in the shared page is what ctrl reported.
    reports = ctrl_reports(text)
    assert_reports_steady(reports)
    totals = [(r["periods"], r["misses"]) for r in reports]
    seen = [(int(p), int(m)) for p, m in
            (re.fullmatch(r"echo: ctrl reports periods=(\d+) misses=(\d+)", line).groups()
             for line in echo if line.startswith("echo: ctrl reports "))]
    assert len(seen) >= ROUND_TRIPS and all(s in totals for s in seen), (seen, totals)
    assert all(m == 0 for _, m in seen)
    # No VM: no VMM, no Linux, nothing but ctrl, echo and the console server.
    assert not re.search(r"^init: VM |vmm:|Linux|linux", text, re.MULTILINE), text
    check_line_integrity(text, {"console", "ctrl", "echo"})
