#!/usr/bin/env python3
"""The SMP part of `make bench` (docs/benchmarks.md, "Linux SMP workloads"):
bench/linux/smp*.c as /init of the same Debian kernel on four CPUs, natively
on QEMU -smp 4 and in Opal's 4-vCPU VM (bench/linux/bench-smp.dts),
deterministic like the rest. Prints native, Opal and Opal/native; writes
build/bench/linux-smp.json.
A run that does not finish, or a workload whose own check failed, stops it."""
import json
import os
import re
import sys

from bench import NS_PER_TICK, ROOT, counting, symbol
from bench_linux import KERNEL, opal_start, run

CPUS = 4
INITRD = "build/bench/linux-smp/initramfs-smp.cpio.gz"
DTB = "build/bench/linux-smp/guest.dtb"            # bench/linux/guest-smp4.dts
BOOTARGS_FILE = "build/bench/linux-smp/bootargs"   # bench/linux/linux.mk
PROGRAM = "build/bench/linux-smp/init.elf"         # the initramfs's /init, unstripped
# Built from bench/linux/bench-smp.dts.
OPAL_IMAGE = "build/bench/linux-smp-opal.elf"

WORKLOADS = [  # name printed by the guest, row title
    ("boot", "kernel entry to /init (1 CPU: maxcpus=1)"),
    ("online", "bring CPUs 1-3 online (PSCI CPU_ON)"),
    ("smp_compute", "4 parallel compute jobs"),
    ("smp_fork_exec", "fork + exec + wait on each CPU"),
    ("smp_pagefault", "page faults in 4 processes"),
    ("smp_futex_pingpong", "futex ping-pong, CPU 0 <-> 1 (IPIs)"),
    ("smp_sleep_1ms", "1 ms absolute sleeps on every CPU"),
]
# The targets: each SMP workload at most 1.01; the boot as the
# one-CPU benchmark's; bringing CPUs online is for information.
TARGET = {name: 1.01 for name, _ in WORKLOADS if name.startswith("smp_")}
TARGET["boot"] = 1.02


# A guest console line: under Opal the console server puts "[linux0] " before it.
LINE = r"^(?:\[[\w-]+\] )?LINUXSMP "


def figures(what, text):
    """The guest's LINUXSMP lines: name -> {workers, count, ns}. A FAIL line,
    a non-zero check or a missing workload stops the benchmark."""
    failures = re.findall(LINE + r"FAIL .*$", text, re.MULTILINE)
    if failures:
        sys.exit(f"bench: {what}: SMP workloads failed:\n" + "\n".join(failures) + f"\n{text}")
    found = {}
    for name, workers, count, ns, check in re.findall(
            LINE + r"(\w+) (\d+) (\d+) (\d+) check (\d+)$", text, re.MULTILINE):
        if int(check):
            sys.exit(f"bench: {what}: SMP workload {name} failed (check {check}):\n{text}")
        found[name] = {"workers": int(workers), "count": int(count), "ns": int(ns)}
    missing = [name for name, _ in WORKLOADS if name not in found]
    if missing or not re.search(LINE + "done$", text, re.MULTILINE):
        sys.exit(f"bench: {what}: the SMP guest did not finish (missing: {missing}):\n{text}")
    return found


def bootargs():
    with open(os.path.join(ROOT, BOOTARGS_FILE)) as file:
        return file.read()


def native():
    """Natively on the same QEMU machine as bench_linux.native(), with four
    CPUs and the 4-CPU form of the guest's device tree."""
    return run("native -smp 4", KERNEL,
               ["-initrd", INITRD, "-dtb", DTB, "-append", bootargs(),
                *counting(0, 0, PROGRAM)],
               256, ",virtualization=off", r"reboot: Power down\n", cores=CPUS)


def opal():
    """Opal on four physical CPUs, the VM's vCPUs on CPUs 0-3, the control
    task off. The guest's boot figure counts from the VMM's start of it."""
    text, seconds = run("Opal 4 vCPUs", OPAL_IMAGE,
                        ["-append", "ctrl=off",
                         *counting(symbol(OPAL_IMAGE, "__image_start"),
                                   symbol(OPAL_IMAGE, "__image_end"), PROGRAM)],
                        1024, "", r"vmm: guest started at counter \d+\n", cores=CPUS)
    found = figures("Opal 4 vCPUs", text)
    found["boot"]["ns"] -= opal_start(text) * NS_PER_TICK
    return found, seconds


def rows(theirs, ours=None):
    """One row per workload: native, and with `ours` Opal and the ratio."""
    table = []
    for name, title in WORKLOADS:
        row = {"workload": name, "title": title, "workers": theirs[name]["workers"],
               "count": theirs[name]["count"], "native_ns": theirs[name]["ns"]}
        if ours:
            row["opal_ns"] = ours[name]["ns"]
            row["ratio"] = row["opal_ns"] / row["native_ns"]
            if name in TARGET:
                row["target"] = TARGET[name]
                row["meets_target"] = row["ratio"] <= TARGET[name]
        table.append(row)
    return table


def table_lines(table):
    """The printed table; the Opal columns only when Opal ran."""
    opal_ran = "opal_ns" in table[0]
    lines = [f"{'workload':42} {'CPUs':>4} {'count':>7} {'native':>9}"
             + (f" {'Opal':>9} {'Opal/nat':>9} {'target':>7}" if opal_ran else "")]
    for row in table:
        line = f"{row['title']:42} {row['workers']:4} {row['count']:7} {row['native_ns'] / 1e6:9.3f}"
        if opal_ran:
            target = f"{row['target']:7.3f}" if "target" in row else f"{'-':>7}"
            line += f" {row['opal_ns'] / 1e6:9.3f} {row['ratio']:9.4f} {target}"
        lines.append(line)
    if not opal_ran:
        lines.append(f"(native only: the Opal column comes with the 4-vCPU VM, {OPAL_IMAGE} "
                     "from bench/linux/bench-smp.dts)")
    return lines


def main():
    native_text, seconds = native()
    wall = {"native -smp 4": seconds}
    ours = None
    if os.path.exists(os.path.join(ROOT, OPAL_IMAGE)):
        ours, wall["Opal 4 vCPUs"] = opal()
    table = rows(figures("native -smp 4", native_text), ours)
    print("\nLinux SMP workloads, native -smp 4" + (" and Opal (4 vCPUs)" if ours else "")
          + ": the same kernel on four CPUs, virtual ms (count: each worker's)")
    print("\n".join(table_lines(table)))
    print("wall time: " + ", ".join(f"{name} {s:.0f} s" for name, s in wall.items()))
    path = os.path.join(ROOT, "build/bench/linux-smp.json")
    with open(path, "w") as out:
        json.dump({"workloads": table, "target": TARGET, "wall_seconds": wall}, out, indent=2)
    print(f"(JSON in {os.path.relpath(path, ROOT)})")
    misses = [row["workload"] for row in table if not row.get("meets_target", True)]
    if misses:
        print("bench: SMP above target: " + ", ".join(misses))


if __name__ == "__main__":
    main()
