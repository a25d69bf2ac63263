"""Runs each host unit-test binary (tests/unit/test_*.c, built under ASan and
UBSan by tests/unit/unit.mk) as one pytest test, so `make test` ends with a
single pytest summary covering everything."""
import glob
import os
import re
import subprocess

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SUITES = sorted(os.path.basename(path)[:-2]
                for path in glob.glob(os.path.join(ROOT, "tests/unit/test_*.c")))


@pytest.fixture(scope="module", autouse=True)
def built():
    subprocess.run(["make", "-s", "unit-build"], cwd=ROOT, check=True)


@pytest.mark.parametrize("suite", SUITES)
def test_unit_suite(suite):
    result = subprocess.run(["make", "-s", f"unit-run-{suite}"], cwd=ROOT,
                            capture_output=True, text=True, timeout=300)
    output = result.stdout + result.stderr
    failures = [line for line in output.splitlines() if line.startswith("FAIL ")]
    assert not failures, "\n".join(failures) + "\n" + output
    summary = re.search(r"^(\d+) passed, (\d+) failed$", output, re.MULTILINE)
    assert summary, output
    assert int(summary.group(1)) > 0 and int(summary.group(2)) == 0, output
    assert result.returncode == 0, output
