"""The control task's (apps/ctrl) console lines, for the tests that check
its timeliness: the report regex and a parser to numbers."""
import re

REPORT = (r"^ctrl: t=(?P<t>\d+)s periods=(?P<periods>\d+) misses=(?P<misses>\d+) "
          r"jitter max=(?P<max>\d+\.\d{3})us avg=(?P<avg>\d+\.\d{3})us "
          r"response max=(?P<response>\d+\.\d{3})us$")


def numbers(match):
    """A regex match's named groups as numbers (float when they have a point)."""
    return {name: float(value) if "." in value else int(value)
            for name, value in match.groupdict().items()}


def reports(text):
    """Every report line in `text`, parsed."""
    return [numbers(m) for m in re.finditer(REPORT, text, re.MULTILINE)]
