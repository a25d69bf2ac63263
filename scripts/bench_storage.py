#!/usr/bin/env python3
"""The storage part of `make bench` (docs/benchmarks.md, "Storage (issue 14)"):
bench/linux/storage.c as /init of the same Debian kernel, natively on QEMU
with a virtio-blk-device and under Opal (bench/linux/bench-storage.dts: the
VM's disk served by the block driver from the same device), in one run.
Each run gets a fresh 128 MiB scratch disk whose first 4 KiB are its orders
(which phases to run). Prints native, Opal and Opal/native, the exits and
copies per request and the exits per console line; writes
build/bench/storage.json. A run that does not finish, or a failed check,
stops it with the console output."""
import concurrent.futures
import json
import os
import re
import sys

from bench import ROOT
from bench_linux import exits, run

KERNEL = "build/guests/linux/zImage"
INITRD = "build/bench/linux-storage/initramfs-storage.cpio.gz"
DTB = "build/bench/linux-storage/guest.dtb"          # bench/linux/guest-storage.dts
BOOTARGS_FILE = "build/bench/linux/full/bootargs"    # the one-CPU benchmark's line
OPAL_IMAGE = "build/bench/linux-storage-opal.elf"    # bench/linux/bench-storage.dts
# On tmpfs where there is one: QEMU's io_uring then finishes a write inside
# the guest's notify too, as it does a read from the page cache, so writes
# stop hitting the clock jumps below (a native median of seconds was seen
# with the disk on ext4). Each disk (128 MiB) is removed after its run.
SCRATCH = "/dev/shm/opal-bench-storage" if os.path.isdir("/dev/shm") else "build/bench/storage"
DISK_BYTES = 128 << 20                               # disk-region / disk-sectors: 262144
DATA_BYTES = 64 << 20
LINES = 200
LINE_BYTES = 64
ALL = "write read random hvc uart"
# io_uring: QEMU reads the host file from its page cache inside the notify
# itself, so the completion is there before the guest idles (docs/benchmarks.md);
# cache=unsafe: the guest's FLUSH is not passed to the host's fdatasync.
DRIVE = "format=raw,aio=io_uring,cache=unsafe"

PHASES = [  # name printed by the guest, row title, target (Opal/native throughput)
    ("seq_write", "sequential write 64 MiB (1 MiB O_DIRECT) + fdatasync", 0.9),
    ("seq_read", "sequential read 64 MiB (1 MiB O_DIRECT)", 0.9),
    ("rand_read", "4 KiB O_DIRECT random reads (IOPS)", 0.8),
]
STRETCH = 0.97
LINE = r"^(?:\[[\w-]+\] )?LINUXBLK "
# Exit kinds a disk request makes (the PL011's are the report lines').
DISK_KINDS = ["mmio-virtio", "eoi", "irq", "mmio-gicd", "sysreg", "hvc", "other", "mmio-other"]


def scratch_disk(name, orders):
    """A fresh, fully allocated disk (so the host never allocates under a
    write) whose first 4 KiB are the guest's orders."""
    os.makedirs(os.path.join(ROOT, SCRATCH), exist_ok=True)
    path = os.path.join(ROOT, SCRATCH, f"{name}.img")
    with open(path, "wb") as disk:
        disk.write(bytes(DISK_BYTES))
        disk.seek(0)
        disk.write(f"OPALSTORAGE {orders} lines={LINES}\n".encode())
    return path


def drive(path):
    return ["-drive", f"if=none,file={path},{DRIVE},id=data",
            "-device", "virtio-blk-device,drive=data"]


def figures(what, text):
    """LINUXBLK lines: name -> {count, ns, median, slowest} and the guest's
    block-layer counts per phase. A FAIL line or a failed check stops it."""
    failures = re.findall(LINE + r"FAIL .*$", text, re.MULTILINE)
    found, stats = {}, {}
    for name, count, ns, check, median, slowest in re.findall(
            LINE + r"(\w+) (\d+) (\d+) check (\d+) median (\d+) slowest (\d+)$", text, re.M):
        if int(check):
            failures.append(f"{name}: check {check}")
        found[name] = {"count": int(count), "ns": int(ns), "median_ns": int(median),
                       "slowest_ns": int(slowest)}
    for name, rest in re.findall(LINE + r"stats (\w+) (.*)$", text, re.MULTILINE):
        stats[name] = {k: int(v) for k, v in re.findall(r"([\w-]+) (\d+)", rest)}
    if failures or not re.search(LINE + r"done failures 0$", text, re.MULTILINE):
        sys.exit(f"bench: storage, {what}: failed: {failures}:\n{text}")
    return found, stats


def bootargs():
    with open(os.path.join(ROOT, BOOTARGS_FILE)) as file:
        return file.read()


def native():
    """The same kernel, one CPU, 256 MiB, entered in SVC, as bench_linux's
    native run; the disk on the last transport, a virtio console (hvc0,
    output to a file) on the one before (bench/linux/guest-storage.dts)."""
    disk = scratch_disk("native", ALL)
    console = os.path.join(ROOT, SCRATCH, "native-hvc0.txt")
    text, seconds = run("native storage", KERNEL,
                        ["-initrd", INITRD, "-dtb", DTB, "-append", bootargs(), *drive(disk),
                         "-device", "virtio-serial-device",
                         "-chardev", f"file,id=hvc,path={console}",
                         "-device", "virtconsole,chardev=hvc"],
                        256, ",virtualization=off", r"reboot: Power down\n")
    check_disk(disk, "native")
    os.remove(disk)
    return text, seconds


def opal(name, orders):
    """Under Opal (no control task in the description), one scratch disk."""
    disk = scratch_disk(f"opal-{name}", orders)
    text, seconds = run(f"Opal storage ({name})", OPAL_IMAGE, drive(disk), 1024, "",
                        r"vmm: guest started at counter \d+\n")
    if "write" in orders.split():
        check_disk(disk, f"Opal ({name})")
    os.remove(disk)
    return text, seconds


def pattern_word(offset):
    return ((offset * 0x9e3779b1) ^ 0x5a17e0d5) & 0xffffffff


def check_disk(path, what):
    """The data area as the guest wrote it (a few words of each MiB): what
    the write put on the disk is really there, on the host's side too."""
    with open(path, "rb") as disk:
        for mib in range(DATA_BYTES >> 20):
            for offset in (0, 4096 * 37, (1 << 20) - 4):
                disk.seek((1 << 20) + (mib << 20) + offset)
                word = int.from_bytes(disk.read(4), "little")
                if word != pattern_word((mib << 20) + offset):
                    sys.exit(f"bench: storage, {what}: the disk does not hold what the guest "
                             f"wrote at MiB {mib} + {offset}")


def difference(after, before, kinds):
    return sum(after[k] - before[k] for k in kinds)


def main():
    runs = {"native": None, "all": ALL, "base": "none", "write": "write",
            "write-read": "write read", "disk": "write read random", "hvc": "hvc",
            "uart": "uart"}
    texts, wall = {}, {}
    # Two QEMUs at a time: each is one emulated CPU under -icount, whose
    # figures do not depend on the host's load.
    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
        jobs = {name: pool.submit(native) if orders is None else pool.submit(opal, name, orders)
                for name, orders in runs.items()}
        for name, job in jobs.items():
            texts[name], wall[name] = job.result()
    theirs, their_stats = figures("native", texts["native"])
    ours, our_stats = figures("Opal", texts["all"])
    counts = {name: exits(texts[name]) for name in runs if name != "native"}

    rows = []
    for name, title, target in PHASES:
        n, o = theirs[name], ours[name]
        row = {"phase": name, "title": title, "count": n["count"], "target": target}
        if name == "seq_write":   # the flush belongs to the write
            for side, f in (("native", theirs), ("opal", ours)):
                row[f"{side}_ns"] = f[name]["ns"] + f["fdatasync"]["ns"]
                row[f"{side}_median_ns"] = f[name]["median_ns"] * f[name]["count"] + \
                    f["fdatasync"]["ns"]
        else:
            for side, f in (("native", theirs), ("opal", ours)):
                row[f"{side}_ns"] = f[name]["ns"]
                row[f"{side}_median_ns"] = f[name]["median_ns"] * f[name]["count"]
        row["ratio"] = row["native_median_ns"] / row["opal_median_ns"]   # throughput
        row["ratio_of_sums"] = row["native_ns"] / row["opal_ns"]
        row["meets_target"] = row["ratio"] >= target
        rows.append(row)

    # Exits per request: the VMM's counts of the runs that differ by one phase.
    steps = [("seq_write", "write", "base", ["seq_write", "fdatasync"]),
             ("seq_read", "write-read", "write", ["seq_read"]),
             ("rand_read", "disk", "write-read", ["rand_read"])]
    per_request = {}
    for name, after, before, guest_phases in steps:
        # Linux counts a flush among the writes too.
        requests = sum(our_stats[p]["reads"] + our_stats[p]["writes"] for p in guest_phases)
        native_requests = sum(their_stats[p]["reads"] + their_stats[p]["writes"]
                              for p in guest_phases)
        by_kind = {k: counts[after][k] - counts[before][k] for k in DISK_KINDS}
        per_request[name] = {
            "requests": requests, "native_requests": native_requests,
            "exits": sum(by_kind.values()), "exits_by_kind": by_kind,
            "exits_per_request": sum(by_kind.values()) / requests,
            "guest_irqs_per_request": sum(our_stats[p]["irqs"] for p in guest_phases) / requests,
            "data_copies_per_request": 0}
    # Exits per console line: the PL011's exits are per character, so the
    # phase's two report lines (on the PL011 in both runs) are taken out by
    # their share of the characters.
    console = {}
    for name, kind in (("hvc", "mmio-virtio"), ("uart", "mmio-uart")):
        base, after = counts["base"], counts[name]
        total = sum(after[k] - base[k] for k in after)
        report_chars = sum(len(m) + 1 for m in re.findall(LINE + f"(?:{name}_lines|stats "
                                                          f"{name}_lines).*$", texts[name], re.M))
        device = after[kind] - base[kind]
        uart_reports = (after["mmio-uart"] - base["mmio-uart"]) * report_chars / \
            (report_chars + (LINES * LINE_BYTES if name == "uart" else 0))
        console[name] = {"lines": LINES, "exits": total,
                         "exits_per_line": (total - uart_reports) / LINES,
                         f"{kind}_per_line": (device - (uart_reports if kind == "mmio-uart"
                                                        else 0)) / LINES,
                         "native_ns_per_line": theirs[f"{name}_lines"]["ns"] / LINES,
                         "opal_ns_per_line": ours[f"{name}_lines"]["ns"] / LINES}

    print("\nStorage: Debian's kernel with a virtio-blk disk, natively and under Opal "
          "(the block driver), virtual ms")
    print(f"{'phase':54} {'count':>5} {'native':>9} {'Opal':>9} {'Opal/nat':>8} {'target':>6} "
          f"{'(sums)':>7}")
    for row in rows:
        print(f"{row['title']:54} {row['count']:5} {row['native_median_ns'] / 1e6:9.3f} "
              f"{row['opal_median_ns'] / 1e6:9.3f} {row['ratio']:8.3f} {row['target']:6.2f} "
              f"{row['ratio_of_sums']:7.3f}")
    print("(throughput ratio from each phase's median request time x count; (sums): the ratio "
          f"of the summed times, moved by QEMU's late completions; stretch {STRETCH})")
    for name, p in per_request.items():
        print(f"  {name}: {p['requests']} requests under Opal ({p['native_requests']} natively), "
              f"{p['exits_per_request']:.2f} exits a request ("
              + " ".join(f"{k} {v}" for k, v in p["exits_by_kind"].items() if v)
              + f"), {p['guest_irqs_per_request']:.2f} guest interrupts, 0 data copies")
    for name, c in console.items():
        print(f"  {name}: {c['exits_per_line']:.1f} exits a {LINE_BYTES}-byte line; "
              f"{c['native_ns_per_line'] / 1e3:.1f} us natively, "
              f"{c['opal_ns_per_line'] / 1e3:.1f} us under Opal")
    print("wall time: " + ", ".join(f"{name} {s:.0f} s" for name, s in wall.items()))
    path = os.path.join(ROOT, "build/bench/storage.json")
    with open(path, "w") as out:
        json.dump({"phases": rows, "native": theirs, "opal": ours, "native_stats": their_stats,
                   "opal_stats": our_stats, "exits_per_request": per_request,
                   "console": console, "run_exits": counts, "wall_seconds": wall}, out, indent=2)
    print(f"(JSON in {os.path.relpath(path, ROOT)})")
    misses = [row["phase"] for row in rows if not row["meets_target"]]
    if misses:
        print("bench: storage below target: " + ", ".join(misses))


if __name__ == "__main__":
    main()
