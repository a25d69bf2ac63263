"""The console server (apps/console, docs/console.md) owns the UART: every
component's lines carry its name, two components printing at once never
mix within a line, and Ctrl-] n moves the input focus so that typed text
reaches one component only.

Linux boots next to the control task reporting every (virtual) second; the
guest then prints long lines as fast as it can, each in three writes (so
most of the time one of its lines is open on the UART), while ctrl's
reports go out. A second boot has the guest's VMM stop it, so that it never
reads its UART again: typed input for it is dropped and counted, and
Ctrl-] still moves the focus."""
import os
import re

import pytest

from ctrl_report import REPORT
from qemu import Qemu, ROOT, data_disk

IMAGE = "build/opal.elf"
PROMPT = r"\[linux0\] / # "
QEMU_ARGS = ["-icount", "shift=0,sleep=off", "-append", "ctrl.arguments=1000,1"]
LINES = 3000
PAYLOAD = "0123456789" * 20          # 200 characters
GUEST_LINE = re.compile(r"L(\d+):(\w*):E")
PREFIX = re.compile(r"\[\w+\]\+? ")
EMPTY_CONTINUATION = re.compile(r"^\[\w+\]\+ ?$", re.MULTILINE)


def define(path, name):
    """A #define'd number from a header, so the test follows the code."""
    text = open(os.path.join(ROOT, path)).read()
    return int(re.search(r"^#define %s\s+(\d+)" % name, text, re.MULTILINE).group(1))


def boot_linux(directory):
    """Linux next to ctrl (the default system, its root on a fresh data disk
    in `directory`), booted to its prompt; .keys maps each component's name
    to its Ctrl-] digit."""
    qemu = Qemu(IMAGE, extra_args=QEMU_ARGS, disk=data_disk(directory))
    try:
        qemu.expect(r"^\[console\] input goes to linux0$", timeout=60)
        help_line = qemu.expect(r"^\[console\] Ctrl-\] n switches it \((.*)\); "
                                r"Ctrl-\] Ctrl-\] types a Ctrl-\]$", timeout=10)
        qemu.keys = {name: number for number, name in
                     (entry.split(" ") for entry in help_line.group(1).split(", "))}
        qemu.expect(r"^\[linux0\] opal-guest: disk root ready on", timeout=180)
        qemu.expect(PROMPT, timeout=30)
    except BaseException:
        qemu.close()
        raise
    return qemu


@pytest.fixture(scope="module")
def console(tmp_path_factory):
    qemu = boot_linux(tmp_path_factory.mktemp("console"))
    try:
        yield qemu
    finally:
        qemu.close()    # also when a test fails: no QEMU left running


def assert_prefixes_only_at_line_starts(text):
    """Every "[name] " or "[name]+ " starts a line: no component's bytes
    landed inside another's line."""
    for raw in text.split("\n"):
        for match in PREFIX.finditer(raw):
            assert match.start() == 0, "a prefix inside a line: %r" % raw


def whole_lines(text):
    """Each component's lines with their continuations ("[name]+ ") joined
    back on, as (name, text) in the order they started."""
    lines = []
    open_line = {}
    for raw in text.split("\n"):
        match = re.match(r"^\[(\w+)\](\+?) (.*)$", raw)
        if not match:
            lines.append((None, raw))
            continue
        name, continued, rest = match.groups()
        if continued and name in open_line:
            index = open_line[name]
            lines[index] = (name, lines[index][1] + rest)
        else:
            open_line[name] = len(lines)
            lines.append((name, rest))
    return lines


def test_two_components_printing_at_once_keep_their_lines_whole(console):
    start = len(console.output)
    # Each line waits a millisecond after its first piece, so the guest is
    # in the middle of a line for most of the burst and ctrl's reports (one
    # a second) land inside lines, whatever the paths' speed.
    console.send("x=%s; i=0; while [ $i -lt %d ]; do printf L$i:; usleep 1000; printf $x; "
                 "echo :E; i=$((i+1)); done; echo burst-done\n" % (PAYLOAD, LINES))
    console.expect(r"^\[linux0\] burst-done$", timeout=300)
    console.expect(PROMPT, timeout=30)
    text = console.output[start:]
    # Guest and ctrl really did print at the same time.
    first = text.index("[linux0] L0:")
    last = text.index("[linux0] L%d:" % (LINES - 1))
    assert len(re.findall(REPORT, text[first:last], re.MULTILINE)) >= 1, \
        "no ctrl report came out during the guest's burst"
    # No prefix anywhere but at a line's start, no empty continuation; some
    # guest line was cut by a ctrl line and continued (else this test did
    # not test the rule).
    assert_prefixes_only_at_line_starts(text)
    assert not EMPTY_CONTINUATION.search(text), EMPTY_CONTINUATION.search(text).group(0)
    assert re.search(r"^\[linux0\]\+ ", text[first:last], re.MULTILINE), \
        "no guest line was cut by another component's line"
    # Every guest line is there, once, whole and in order; every ctrl line parses.
    numbers = []
    for name, line in whole_lines(text):
        if name == "linux0" and GUEST_LINE.fullmatch(line):
            match = GUEST_LINE.fullmatch(line)
            assert match.group(2) == PAYLOAD, line
            numbers.append(int(match.group(1)))
        elif name == "ctrl":
            assert re.match(REPORT, "[ctrl] " + line), line
    assert numbers == list(range(LINES))


def test_input_goes_only_to_the_component_with_the_focus(console):
    console.send("\x1d" + console.keys["ctrl"])
    console.expect(r"^\[console\] input goes to ctrl$", timeout=10)
    start = len(console.output)
    console.send("echo typed-for-''ctrl\n")
    # ctrl takes no input: nothing reaches the shell while it has the focus.
    console.expect(REPORT, timeout=30)
    console.expect(REPORT, timeout=30)
    console.send("\x1d" + console.keys["linux0"])
    console.expect(r"^\[console\] input goes to linux0$", timeout=10)
    console.send("echo typed-for-''linux\n")
    console.expect(r"^\[linux0\] typed-for-linux$", timeout=30)
    console.expect(PROMPT, timeout=30)
    assert "typed-for-ctrl" not in console.output[start:]
    assert "typed-for-''ctrl" not in console.output[start:]


def test_an_unknown_key_after_the_escape_prints_the_help(console):
    console.send("\x1dz")
    console.expect(r"^\[console\] input goes to linux0$", timeout=10)
    console.expect(r"^\[console\] Ctrl-\] n switches it", timeout=10)
    console.send("echo still-''here\n")
    console.expect(r"^\[linux0\] still-here$", timeout=30)


def test_carriage_returns_make_no_empty_continuation_lines(console):
    """Linux ends its lines with "\\r\\n" (the tty's ONLCR), and the two may
    arrive in different writes with another component's line between them:
    the \\r must not open a line of its own that the \\n then continues as
    an empty "[linux0]+ ". A lone \\r shows nothing either."""
    start = len(console.output)
    # ctrl reports every virtual second: each sleep lets one cut in.
    console.send("printf 'cr-''one\\r'; sleep 2; printf '\\n'; printf '\\r'; sleep 2; "
                 "echo; echo cr-''two\n")
    console.expect(r"^\[linux0\] cr-two$", timeout=60)
    console.expect(PROMPT, timeout=30)
    text = console.output[start:]
    first = text.index("[linux0] cr-one")
    assert len(re.findall(REPORT, text[first:], re.MULTILINE)) >= 2, \
        "no ctrl report came out while the guest's line was open"
    assert not EMPTY_CONTINUATION.search(text), text
    assert_prefixes_only_at_line_starts(text)
    # The echo's empty line is a line of its own.
    assert re.search(r"^\[linux0\] $", text, re.MULTILINE), text


def test_input_for_a_component_that_does_not_read_is_dropped_not_wedged(tmp_path):
    """A guest that never reads its UART again: its input ring fills, and
    the server must still see Ctrl-] (it reads the UART all the time),
    dropping and counting what the guest cannot take. The guest powers off
    (`poweroff -f`), so its VMM stops it; a crashed Linux would not do, as
    its panic loop still takes UART interrupts."""
    ring = define("lib/console_ring.h", "CONSOLE_RING_IN_SIZE")
    fifo = define("vmm/vuart.h", "VUART_RX_FIFO")
    qemu = boot_linux(tmp_path)
    try:
        qemu.send("poweroff -f\n")
        qemu.expect(r"^\[linux0\]\+? vmm: VM stopped: the guest powered off", timeout=60)
        # A line of keys and its Enter, more keys, then Ctrl-] to ctrl.
        typed, more = 3 * (ring + fifo), 100
        qemu.send("y" * typed + "\n" + "z" * more + "\x1d" + qemu.keys["ctrl"])
        # The keys fill the input ring (and the stopped guest's UART FIFO,
        # if its VMM still runs rather than being rebuilt by init's fault
        # policy): the rest is dropped. One report at the Enter, for the
        # line; one just before the focus moves, for what followed.
        line = qemu.expect(r"^\[console\] (\d+) input bytes for linux0 dropped: "
                           r"it is not reading$", timeout=30)
        rest = qemu.expect(r"^\[console\] (\d+) input bytes for linux0 dropped: "
                           r"it is not reading$", timeout=10)
        qemu.expect(r"^\[console\] input goes to ctrl$", timeout=10)
        assert int(line.group(1)) in (typed + 1 - ring - fifo, typed + 1 - ring), qemu.output
        assert int(rest.group(1)) == more, qemu.output
        # The focus really moved: typed bytes now go nowhere, unreported.
        qemu.send("echo nothing\n")
        qemu.expect(REPORT, timeout=30)
        qemu.expect(REPORT, timeout=30)
        text = qemu.output
        assert len(re.findall(r"input bytes for linux0 dropped", text)) == 2, text
        assert_prefixes_only_at_line_starts(text)
    finally:
        qemu.close()
