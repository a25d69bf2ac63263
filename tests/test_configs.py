"""The system descriptions (docs/configuration.md): every configs/*.dts must
pass the build-time checker, and every tests/configs/bad/*.dts must fail it
with exactly the errors its "// expect: " lines give, in order, each
prefixed with the source file as the build prints it."""
import glob
import os
import subprocess

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CHECKER = os.path.join(ROOT, "build/host/check-system")
BAD_DIR = "tests/configs/bad"
GOOD = sorted(os.path.relpath(p, ROOT) for p in glob.glob(os.path.join(ROOT, "configs/*.dts")))
BAD = sorted(os.path.relpath(p, ROOT) for p in glob.glob(os.path.join(ROOT, BAD_DIR, "*.dts")))
EXPECT = "// expect: "


@pytest.fixture(scope="module", autouse=True)
def checker():
    subprocess.run(["make", "-s", "build/host/check-system"], cwd=ROOT, check=True)


def compile_dts(source, tmp_path):
    blob = tmp_path / (os.path.basename(source) + ".dtb")
    subprocess.run(["dtc", "-q", "-I", "dts", "-O", "dtb", "-o", str(blob), source],
                   cwd=ROOT, check=True)
    return blob


def check(source, tmp_path):
    blob = compile_dts(source, tmp_path)
    return subprocess.run([CHECKER, str(blob), "--source", source], cwd=ROOT,
                          capture_output=True, text=True, timeout=60)


def test_enough_bad_descriptions():
    assert len(BAD) >= 25


@pytest.mark.parametrize("source", GOOD + [os.path.join(BAD_DIR, "base.dtsi")])
def test_good_description_passes(source, tmp_path):
    result = check(source, tmp_path)
    assert result.returncode == 0 and result.stdout + result.stderr == "", result.stderr


@pytest.mark.parametrize("source", BAD)
def test_bad_description_fails_with_its_errors(source, tmp_path):
    with open(os.path.join(ROOT, source)) as file:
        expected = [f"{source}: {line[len(EXPECT):].rstrip()}"
                    for line in file if line.startswith(EXPECT)]
    assert expected, f"{source} has no {EXPECT!r} line"
    result = check(source, tmp_path)
    assert result.returncode == 1, result.stderr
    assert result.stderr.splitlines() == expected


def test_build_fails_on_a_bad_system():
    """configs/configs.mk stops the build with the checker's words and keeps
    no blob, so the next make fails again."""
    source = os.path.join(BAD_DIR, "vm-two-vcpus.dts")
    blob = os.path.join(ROOT, "build/configs/vm-two-vcpus.dtb")
    for _ in range(2):
        result = subprocess.run(["make", "-s", f"SYSTEM={source}", "build/configs/vm-two-vcpus.dtb"],
                                cwd=ROOT, capture_output=True, text=True, timeout=600)
        assert result.returncode != 0
        assert f"{source}: /vms/linux0: vcpus is 2" in result.stderr, result.stderr
        assert not os.path.exists(blob)
