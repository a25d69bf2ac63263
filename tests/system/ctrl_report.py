"""The control task's (apps/ctrl) console lines, for the tests that check
its timeliness: the report regex and a parser to numbers. Under the console
server (docs/console.md) its lines carry a "[ctrl] " prefix; a test image
that starts ctrl alone prints them bare."""
import re

REPORT = (r"^(?:\[ctrl\] )?ctrl: t=(?P<t>\d+)s periods=(?P<periods>\d+) misses=(?P<misses>\d+) "
          r"jitter max=(?P<max>\d+\.\d{3})us avg=(?P<avg>\d+\.\d{3})us "
          r"response max=(?P<response>\d+\.\d{3})us$")


def numbers(match):
    """A regex match's named groups as numbers (float when they have a point)."""
    return {name: float(value) if "." in value else int(value)
            for name, value in match.groupdict().items()}


def reports(text):
    """Every report line in `text`, parsed."""
    return [numbers(m) for m in re.finditer(REPORT, text, re.MULTILINE)]
