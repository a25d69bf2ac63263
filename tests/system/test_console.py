"""The console server (apps/console, docs/console.md) owns the UART: every
component's lines carry its name, two components printing at once never
mix within a line, and Ctrl-] n moves the input focus so that typed text
reaches one component only.

Linux boots next to the control task reporting every (virtual) second; the
guest then prints long lines as fast as it can, each in three writes (so
most of the time one of its lines is open on the UART), while ctrl's
reports go out."""
import re

import pytest

from ctrl_report import REPORT
from qemu import Qemu

IMAGE = "build/opal.elf"
PROMPT = r"\[linux0\] / # "
QEMU_ARGS = ["-icount", "shift=0,sleep=off", "-append", "ctrl.report=1"]
LINES = 3000
PAYLOAD = "0123456789" * 20          # 200 characters
GUEST_LINE = re.compile(r"L(\d+):(\w*):E")


@pytest.fixture(scope="module")
def console():
    qemu = Qemu(IMAGE, extra_args=QEMU_ARGS)
    try:
        qemu.expect(r"^\[console\] input goes to linux0$", timeout=60)
        help_line = qemu.expect(r"^\[console\] Ctrl-\] n switches it \((.*)\); "
                                r"Ctrl-\] Ctrl-\] types a Ctrl-\]$", timeout=10)
        qemu.keys = {name: number for number, name in
                     (entry.split(" ") for entry in help_line.group(1).split(", "))}
        qemu.expect(r"^\[linux0\] opal-guest: init ready on", timeout=180)
        qemu.expect(PROMPT, timeout=30)
        yield qemu
    finally:
        qemu.close()    # also when the boot fails: no QEMU left running


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
    console.send("x=%s; i=0; while [ $i -lt %d ]; do printf L$i:; printf $x; echo :E; "
                 "i=$((i+1)); done; echo burst-done\n" % (PAYLOAD, LINES))
    console.expect(r"^\[linux0\] burst-done$", timeout=300)
    console.expect(PROMPT, timeout=30)
    text = console.output[start:]
    # Guest and ctrl really did print at the same time.
    first = text.index("[linux0] L0:")
    last = text.index("[linux0] L%d:" % (LINES - 1))
    assert len(re.findall(REPORT, text[first:last], re.MULTILINE)) >= 1, \
        "no ctrl report came out during the guest's burst"
    # No prefix anywhere but at a line's start; some guest line was cut by
    # a ctrl line and continued (else this test did not test the rule).
    for raw in text.split("\n"):
        assert "[ctrl]" not in raw[1:] and "[linux0]" not in raw[1:], raw
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
