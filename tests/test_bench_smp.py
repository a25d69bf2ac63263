"""The SMP benchmark's script and description, without QEMU
(scripts/bench_linux_smp.py, bench/linux/bench-smp.dts): a failed workload
gives no figure, the ratio column appears only when Opal ran, and the 4-vCPU
VM boots the native run's command line and initramfs."""
import os
import re
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "scripts"))
import bench_linux_smp  # noqa: E402  (needs scripts/ on the path)

GOOD = """LINUXSMP boot 1 1 3369173296 check 0
LINUXSMP online 3 1 11282320 check 0
LINUXSMP smp_compute 4 5000000 160727792 check 0
LINUXSMP smp_fork_exec 4 200 174351312 check 0
LINUXSMP smp_pagefault 4 8192 154693376 check 0
LINUXSMP smp_futex_pingpong 2 10000 152700448 check 0
LINUXSMP smp_sleep_1ms 4 200 200194064 check 0
LINUXSMP done
"""


@pytest.mark.parametrize("prefix", ["", "[linux0] "], ids=["native", "opal-console"])
def test_figures_parse(prefix):
    text = "".join(prefix + line + "\n" for line in GOOD.splitlines())
    found = bench_linux_smp.figures("native", text)
    assert found["smp_futex_pingpong"] == {"workers": 2, "count": 10000, "ns": 152700448}
    assert len(found) == len(bench_linux_smp.WORKLOADS)
    failed = text.replace(prefix + "LINUXSMP done", prefix + "LINUXSMP FAIL online: 1 failures\n"
                          + prefix + "LINUXSMP done")
    with pytest.raises(SystemExit):
        bench_linux_smp.figures("Opal", failed)


@pytest.mark.parametrize("text", [
    GOOD.replace("LINUXSMP smp_compute 4 5000000 160727792 check 0",
                 "LINUXSMP FAIL smp_compute cpu 0 result 1 expected 2 failures 0\n"
                 "LINUXSMP smp_compute 4 5000000 160727792 check 1"),
    GOOD.replace("smp_pagefault 4 8192 154693376 check 0", "smp_pagefault 4 8192 154693376 check 2"),
    GOOD.replace("LINUXSMP smp_sleep_1ms 4 200 200194064 check 0\n", ""),
    GOOD.replace("LINUXSMP done\n", ""),
], ids=["fail-line", "check", "missing", "unfinished"])
def test_broken_run_gives_no_figure(text):
    with pytest.raises(SystemExit):
        bench_linux_smp.figures("native", text)


def test_ratio_column_only_with_both_sides():
    native = bench_linux_smp.figures("native", GOOD)
    alone = bench_linux_smp.table_lines(bench_linux_smp.rows(native))
    assert "Opal/nat" not in alone[0] and "native only" in alone[-1]

    opal = {name: dict(figure, ns=figure["ns"] * 1.005) for name, figure in native.items()}
    table = bench_linux_smp.rows(native, opal)
    lines = bench_linux_smp.table_lines(table)
    assert "Opal/nat" in lines[0] and not any("native only" in line for line in lines)
    assert all(abs(row["ratio"] - 1.005) < 1e-9 for row in table)
    assert all(row["meets_target"] for row in table if "target" in row)
    assert "target" not in table[1]   # bringing CPUs online: for information


def read(path):
    with open(os.path.join(ROOT, path)) as file:
        return file.read()


def test_description_matches_native_run():
    dts, make = read("bench/linux/bench-smp.dts"), read("bench/linux/linux.mk")
    bootargs = re.search(r"^BENCH_SMP_BOOTARGS\s*:=\s*(.*)$", make, re.MULTILINE).group(1)
    assert re.search(r'bootargs = "([^"]*)";', dts).group(1) == bootargs.strip()
    assert "vcpus = <4>;" in dts and "cpus = <0 1 2 3>;" in dts
    initrd = re.search(r'initrd = "([^"]*)";', dts).group(1)
    assert initrd == os.path.basename(bench_linux_smp.INITRD)
