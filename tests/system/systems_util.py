"""Helpers for the tests of whole systems built by init from a description
(test_systems.py, test_restart.py, test_bad_description.py): booting an
image with deterministic time, reading the console server's prefixed lines
back into whole lines, moving the input focus, and typing into a busybox
shell with a wait on a line of its output.

Console lines (docs/console.md): "[name] text" starts a component's line,
"[name]+ text" continues its previous one after another component's line
cut in; init and the kernel write bare lines ("init: ...", "opal: ...")."""
import re
import subprocess
import time

from ctrl_report import REPORT, numbers
from qemu import Qemu, ROOT, compile_lines

# -icount keeps the figures deterministic: one instruction is one virtual ns.
ICOUNT = ["-icount", "shift=0,sleep=off"]
CTRL_EVERY_SECOND = "ctrl.arguments=1000,1"    # period 1000 us, a report every second
PERIODS_PER_REPORT = 1000

# A console line: "[linux0] text", "[ctrl]+ text". The Linux kernel's
# "[    0.000208] " and a terminal's ESC "[6n" are not prefixes.
LINE = re.compile(r"^\[([A-Za-z][\w-]*)\](\+?) (.*)$")
CTRL_LINES = [
    REPORT,
    r"^\[ctrl\] ctrl: period \d+us counter \d+Hz, a report every \d+s$",
    r"^\[ctrl\] ctrl: channel [\w-]+ to \w+: \d+ bytes at 0x[0-9a-f]{8}$",
    r"^\[ctrl\] ctrl: [\w-]+: request \d+ value 0x[0-9a-f]+ answered 0x[0-9a-f]+$",
]


def boot(image, append, memory=1024, cores=4):
    """QEMU running `image` with boot arguments `append`, deterministic time."""
    return Qemu(image, memory=memory, extra_args=[*ICOUNT, "-append", append], cores=cores)


def make(*arguments, timeout=600):
    return subprocess.run(["make", "-s", *arguments], cwd=ROOT, capture_output=True,
                          text=True, timeout=timeout)


def whole_lines(text):
    """The console's lines with continuations joined back on: a list of
    (name, text, end) in the order the lines started; name is None for a
    bare line (init, the kernel) and end is the offset in `text` just past
    the line's last piece. Only lines the console has ended count: what
    follows the last newline may be a line still arriving, cut anywhere (a
    cut report once matched a report's pattern and then failed its parse)."""
    lines = []
    open_line = {}
    offset = 0
    for raw in text.split("\n")[:-1]:
        end = offset + len(raw)
        offset = end + 1
        match = LINE.match(raw)
        if not match:
            lines.append((None, raw, end))
            continue
        name, continued, rest = match.groups()
        if continued and name in open_line:
            index = open_line[name]
            lines[index] = (name, lines[index][1] + rest, end)
        else:
            open_line[name] = len(lines)
            lines.append((name, rest, end))
    return lines


def component_lines(text, name):
    """The whole lines of component `name` in `text`."""
    return [line for who, line, _ in whole_lines(text) if who == name]


def _wait(qemu, find, timeout, what):
    """Poll qemu.output until find(output) returns something; else fail
    with the console so far."""
    deadline = time.monotonic() + timeout
    with qemu.lock:
        while True:
            found = find(qemu.output)
            if found is not None:
                return found
            left = deadline - time.monotonic()
            if left <= 0 or (not qemu.reader.is_alive() and qemu.process.poll() is not None):
                raise AssertionError(f"timed out after {timeout}s waiting for {what}; "
                                     f"console:\n" + qemu.output[-20000:])
            qemu.lock.wait(min(left, 0.5))


def wait_raw(qemu, pattern, start, timeout):
    """The first match of regex `pattern` in the output at or after `start`."""
    regex = compile_lines(pattern)
    return _wait(qemu, lambda output: regex.search(output, start), timeout, repr(pattern))


def wait_line(qemu, name, pattern, start, timeout):
    """The first whole line of `name` after offset `start` that matches
    `pattern` in full: (match, offset just past the line)."""
    regex = re.compile(pattern)

    def find(output):
        for who, line, end in whole_lines(output[start:]):
            if who == name:
                match = regex.fullmatch(line)
                if match:
                    return match, start + end
        return None
    return _wait(qemu, find, timeout, f"a [{name}] line {pattern!r}")


def console_keys(qemu, timeout=60):
    """The console's help line as {component: Ctrl-] digit}."""
    line = wait_raw(qemu, r"^\[console\] Ctrl-\] n switches it \((.*)\); "
                          r"Ctrl-\] Ctrl-\] types a Ctrl-\]$", 0, timeout)
    return {name: number for number, name in
            (entry.split(" ") for entry in line.group(1).split(", "))}


def focus(qemu, keys, name, timeout=20):
    """Ctrl-] n: move the input to `name`, and see the server say so."""
    start = len(qemu.output)
    qemu.send("\x1d" + keys[name])
    wait_raw(qemu, r"^\[console\] input goes to %s$" % re.escape(name), start, timeout)


def prompt(name):
    return r"\[%s\]\+? / # " % re.escape(name)


def run(qemu, name, command, pattern, timeout=60):
    """Type `command` (the input must be with `name`); wait for a whole line
    of `name`'s output matching `pattern`, then for its prompt again.
    Returns the match."""
    start = len(qemu.output)
    qemu.send(command + "\n")
    match, end = wait_line(qemu, name, pattern, start, timeout)
    wait_raw(qemu, prompt(name), end, timeout)
    return match


def check_line_integrity(text, names):
    """Every line that starts with "[" starts with one of `names`' prefixes,
    and no prefix appears anywhere but at a line's start: no component's
    bytes landed inside another's line. Returns the number of lines checked."""
    # Inside a line only the components' own prefixes count: a guest may
    # print bracketed words of its own ("[drm] ...").
    inside = re.compile(r"\[(?:%s)\]\+? " % "|".join(re.escape(n) for n in names))
    checked = 0
    for raw in text.split("\n"):
        if raw.startswith("["):
            match = LINE.match(raw)
            assert match and match.group(1) in names, f"not a known prefix: {raw!r}"
            checked += 1
        for match in inside.finditer(raw):
            assert match.start() == 0, f"a prefix inside a line: {raw!r}"
    return checked


def ctrl_reports(text):
    """Every ctrl line in `text` (whole lines, continuations joined) must be
    one ctrl prints; returns its reports, parsed."""
    parsed = []
    for line in component_lines(text, "ctrl"):
        full = "[ctrl] " + line
        assert any(re.fullmatch(p.lstrip("^").rstrip("$"), full) for p in CTRL_LINES), \
            f"a ctrl line that is none of ctrl's: {full!r}"
        match = re.fullmatch(REPORT.lstrip("^").rstrip("$"), full)
        if match:
            parsed.append(numbers(match))
    return parsed


def assert_reports_steady(reports):
    """ctrl's reports: no miss, and each covers the next second's periods
    (none lost, none repeated)."""
    assert reports, "no ctrl report"
    for report in reports:
        assert report["misses"] == 0, reports
    for before, after in zip(reports, reports[1:]):
        assert after["periods"] == before["periods"] + PERIODS_PER_REPORT, (before, after)
        assert after["t"] == before["t"] + 1, (before, after)
