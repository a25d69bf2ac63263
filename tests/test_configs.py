"""The system descriptions (docs/configuration.md): every configs/*.dts must
pass the build-time checker, and every tests/configs/bad/*.dts must fail it
with exactly the errors its "// expect: " lines give, in order, each
prefixed with the source file as the build prints it. A bad description
with "// file: " lines is checked against a boot archive directory made for
it (check-system --archive): base.dtsi's files, small, with each line's
file replacing or adding one:
    // file: NAME SIZE               SIZE zero bytes (sparse)
    // file: NAME elf VADDR MEMSZ    an ARM executable, one segment
    // file: NAME fragment SIZE      a DTB fragment with a SIZE-byte property
    // file: NAME none               no such file"""
import glob
import os
import struct
import subprocess

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CHECKER = os.path.join(ROOT, "build/host/check-system")
BAD_DIR = "tests/configs/bad"
GOOD = sorted(os.path.relpath(p, ROOT) for p in glob.glob(os.path.join(ROOT, "configs/*.dts")))
BAD = sorted(os.path.relpath(p, ROOT) for p in glob.glob(os.path.join(ROOT, BAD_DIR, "*.dts")))
EXPECT = "// expect: "
FILE = "// file: "


def elf(vaddr, memsz):
    """A minimal 32-bit ARM executable: one loadable RX segment, its entry."""
    header = struct.pack("<4s5B7xHHIIIIIHHHHHH", b"\x7fELF", 1, 1, 1, 0, 0, 2, 40, 1, vaddr,
                         52, 0, 0, 52, 32, 1, 0, 0, 0)
    segment = struct.pack("<8I", 1, 84, vaddr, vaddr, 0, memsz, 5, 0x1000)
    return header + segment


def fragment(size, tmp_path):
    source = tmp_path / "fragment.dts"
    source.write_text("/dts-v1/;\n/ { filler { data = [%s]; }; };\n" % ("00 " * size))
    blob = tmp_path / "fragment.dtb"
    subprocess.run(["dtc", "-q", "-I", "dts", "-O", "dtb", "-o", str(blob), str(source)],
                   check=True)
    return blob.read_bytes()


def make_archive(lines, tmp_path):
    """The archive directory for a bad description's "// file: " lines."""
    archive = tmp_path / "archive"
    archive.mkdir()
    files = {"zImage": 4096, "initramfs.cpio.gz": 4096, "vmm": elf(0x00400000, 0x1000),
             "ctrl": elf(0x00400000, 0x1000)}
    for line in lines:
        name, kind, *rest = line.split()
        if kind == "elf":
            files[name] = elf(int(rest[0], 0), int(rest[1], 0))
        elif kind == "fragment":
            files[name] = fragment(int(rest[0], 0), tmp_path)
        elif kind == "none":
            files.pop(name, None)
        else:
            files[name] = int(kind, 0)
    for name, content in files.items():
        with open(archive / name, "wb") as out:
            if isinstance(content, int):
                out.truncate(content)
            else:
                out.write(content)
    return archive


@pytest.fixture(scope="module", autouse=True)
def checker():
    subprocess.run(["make", "-s", "build/host/check-system"], cwd=ROOT, check=True)


def compile_dts(source, tmp_path):
    blob = tmp_path / (os.path.basename(source) + ".dtb")
    subprocess.run(["dtc", "-q", "-I", "dts", "-O", "dtb", "-o", str(blob), source],
                   cwd=ROOT, check=True)
    return blob


def check(source, tmp_path, files=()):
    blob = compile_dts(source, tmp_path)
    archive = ["--archive", str(make_archive(files, tmp_path))] if files else []
    return subprocess.run([CHECKER, str(blob), "--source", source] + archive, cwd=ROOT,
                          capture_output=True, text=True, timeout=60)


def test_enough_bad_descriptions():
    assert len(BAD) >= 25


@pytest.mark.parametrize("source", GOOD + [os.path.join(BAD_DIR, name)
                                           for name in ("base.dtsi", "disk.dtsi")])
def test_good_description_passes(source, tmp_path):
    result = check(source, tmp_path)
    assert result.returncode == 0 and result.stdout + result.stderr == "", result.stderr


@pytest.mark.parametrize("source", BAD)
def test_bad_description_fails_with_its_errors(source, tmp_path):
    with open(os.path.join(ROOT, source)) as file:
        lines = file.readlines()
    expected = [f"{source}: {line[len(EXPECT):].rstrip()}"
                for line in lines if line.startswith(EXPECT)]
    files = [line[len(FILE):] for line in lines if line.startswith(FILE)]
    assert expected, f"{source} has no {EXPECT!r} line"
    result = check(source, tmp_path, files)
    assert result.returncode == 1, result.stderr
    assert result.stderr.splitlines() == expected


def test_build_fails_on_a_bad_system():
    """configs/configs.mk stops the build with the checker's words and keeps
    no blob, so the next make fails again."""
    source = os.path.join(BAD_DIR, "vm-nine-vcpus.dts")
    blob = os.path.join(ROOT, "build/configs/vm-nine-vcpus.dtb")
    for _ in range(2):
        result = subprocess.run(["make", "-s", f"SYSTEM={source}", "build/configs/vm-nine-vcpus.dtb"],
                                cwd=ROOT, capture_output=True, text=True, timeout=600)
        assert result.returncode != 0
        assert f"{source}: /vms/linux0: vcpus is 9" in result.stderr, result.stderr
        assert not os.path.exists(blob)
