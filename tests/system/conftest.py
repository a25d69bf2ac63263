"""pytest fixtures for system tests: images are (re)built once per session."""
import subprocess

import pytest

from qemu import Qemu, ROOT

IMAGES = ["build/opal.elf", "build/tests/foundation.elf"]


@pytest.fixture(scope="session", autouse=True)
def images():
    subprocess.run(["make", "-s", *IMAGES], cwd=ROOT, check=True)


@pytest.fixture
def boot():
    """boot(image, **options) starts QEMU; every instance is killed at teardown."""
    started = []

    def start(image, **options):
        qemu = Qemu(image, **options)
        started.append(qemu)
        return qemu

    yield start
    for qemu in started:
        qemu.close()
