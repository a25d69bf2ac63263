#!/usr/bin/env python3
"""`make bench`: boot the kernel benchmark image under QEMU with
-icount shift=0,sleep=off (one instruction = one nanosecond of virtual time,
so figures are deterministic) and the instruction-counting plugin, once with
the IPC fastpath and once with it off; print a table and write JSON. Then the
Linux guest benchmark (scripts/bench_linux.py)."""
import json
import os
import re
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
IMAGE = "build/bench/kernel-bench.elf"
ROOT_TASK = "build/bench/bench-root.elf"
PLUGIN = "build/host/insn_count.so"
NS_PER_TICK = 16  # the 62.5 MHz generic counter under icount shift=0
# One instruction is one virtual ns; the clock and the RNG are fixed (and the
# device tree, OPAL_QEMU_MACHINE_EXTRA below), so a rerun gives the same
# figures to the tick. Shared with bench_linux.py.
DETERMINISTIC = ["-icount", "shift=0,sleep=off", "-rtc", "base=2024-01-01T00:00:00,clock=vm",
                 "-seed", "1"]
MACHINE_EXTRA = ",dtb-randomness=off"
# The kernel benchmark runs on the multicore kernel with four cores up (the
# benchmark's threads on core 0 unless it places them).
CORES = "4"

# Reference figures quoted in the issue tracker, measured on this emulator
# with seL4 (release, ARM hypervisor configuration, sel4bench): instructions
# in the kernel per Call + ReplyRecv round trip.
SEL4 = {"fastpath": 414, "slowpath": 1559}


def symbol(elf, name):
    out = subprocess.run(["arm-none-eabi-nm", elf], cwd=ROOT, check=True, capture_output=True,
                         text=True).stdout
    match = re.search(rf"^([0-9a-f]+) \w {re.escape(name)}$", out, re.MULTILINE)
    if not match:
        sys.exit(f"bench: no symbol {name} in {elf}")
    return match.group(1)


def counting(kernel_start, kernel_end, marker_elf):
    """QEMU arguments for the instruction-counting plugin: it splits the
    count at [kernel_start, kernel_end) and prints both totals whenever
    marker_elf's bench_marker runs. It does not change the timings."""
    return ["-plugin", f"{PLUGIN},kernel_start={kernel_start},kernel_end={kernel_end},"
            f"marker={symbol(marker_elf, 'bench_marker')}", "-d", "plugin"]


def run(append):
    command = [os.path.join(ROOT, "scripts/qemu.sh"), "--test", IMAGE, *DETERMINISTIC,
               *counting(symbol(IMAGE, "__image_start"), symbol(IMAGE, "__image_end"),
                         ROOT_TASK), "-append", append]
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=600,
                            env=dict(os.environ, OPAL_QEMU_MACHINE_EXTRA=MACHINE_EXTRA,
                                     OPAL_QEMU_CORES=CORES))
    output = result.stdout + result.stderr
    if "BENCH done" not in output:
        sys.exit(f"bench: the benchmark did not finish ({append or 'default'}):\n{output}")
    markers = {int(m): int(k) for m, k in re.findall(r"INSN marker (\d+) kernel (\d+)", output)}
    figures = {}
    for name, rounds, ticks, rest in re.findall(r"^BENCH (\w+) (\d+) (\d+)(.*)$", output, re.M):
        figure = {"rounds": int(rounds), "ns_per_round": int(ticks) * NS_PER_TICK / int(rounds)}
        pair = re.search(r"markers (\d+) (\d+)", rest)
        if pair:
            first, second = int(pair.group(1)), int(pair.group(2))
            figure["kernel_instructions_per_round"] = (markers[second] - markers[first]) / int(rounds)
        figures[name] = figure
    return figures


def main():
    fast = run("")
    slow = run("opal.fastpath=off")
    rows = [
        ("Call+ReplyRecv round trip, fastpath", fast["ipc_call_replyrecv"], SEL4["fastpath"]),
        ("Call+ReplyRecv round trip, slowpath", slow["ipc_call_replyrecv"], SEL4["slowpath"]),
        ("one-way Send (+ receiver's Recv)", fast["ipc_send_oneway"], None),
        ("notification signal + wait", fast["notification_signal_to_wake_total"], None),
        ("Call+ReplyRecv round trip, core 0 -> core 1", fast["ipc_call_replyrecv_cross_core"],
         None),
        ("signal + wait, waiter on core 1", fast["ipi_signal_to_wake_total"], None),
        ("retype 1 MiB untyped (zeroes it)", fast["retype_1mib_untyped_zeroing"], None),
        ("retype 1 MiB into 256 frames", fast["retype_1mib_frames"], None),
        ("revoke 1 MiB (256 frames)", fast["revoke_1mib"], None),
    ]
    print(f"{'figure':42} {'kernel insns':>13} {'virtual ns':>11} {'seL4 insns':>11}")
    for name, figure, peer in rows:
        insns = figure.get("kernel_instructions_per_round", 0)
        print(f"{name:42} {insns:13.0f} {figure['ns_per_round']:11.0f} "
              f"{(str(peer) + f' ({insns / peer:.2f}x)') if peer else '':>11}")
    latency = fast["notification_signal_to_wake_latency"]["ns_per_round"]
    irq = fast["irq_to_user_handler_latency"]["ns_per_round"]
    print(f"{'notification signal-to-wake latency':42} {'':13} {latency:11.0f}")
    ipi = fast["ipi_signal_to_wake_latency"]["ns_per_round"]
    print(f"{'  ... waiter on another core (IPI)':42} {'':13} {ipi:11.0f}")
    print(f"{'interrupt-to-user-handler latency':42} {'':13} {irq:11.0f}")
    during = fast["irq_latency_during_16mib_retype"]["ns_per_round"]
    print(f"{'  ... while a 16 MiB retype zeroes memory':42} {'':13} {during:11.0f}")
    os.makedirs(os.path.join(ROOT, "build/bench"), exist_ok=True)
    path = os.path.join(ROOT, "build/bench/kernel.json")
    with open(path, "w") as out:
        json.dump({"fastpath": fast, "slowpath": slow, "sel4_reference": SEL4}, out, indent=2)
    print(f"(1 instruction = 1 virtual ns under -icount shift=0; JSON in {os.path.relpath(path, ROOT)})")
    import bench_linux   # here: it imports this module's helpers
    import bench_linux_smp
    import bench_storage
    bench_linux.main()   # the Linux guest, natively and under Opal
    bench_linux_smp.main()   # four CPUs: natively, and under Opal once it runs 4 vCPUs
    bench_storage.main()     # the virtio disk: natively, and through the VMM and block driver


if __name__ == "__main__":
    main()
