"""The invocation fuzzer (tests/system/fuzz): 50,000 seeded random system
calls and invocations per seed from a worker in a CSpace of its own; the
kernel's invariant check must pass at every checkpoint and after, the pool
must revoke cleanly, and a normal IPC must still work. `make test` runs two
seeds; `make fuzz SEEDS="..."` runs these same checks for many (FUZZ_SEEDS,
FUZZ_OPS). The seed is printed, so any failure replays exactly."""
import os
import re

import pytest

from qemu import Qemu

SEEDS = [int(seed) for seed in os.environ.get("FUZZ_SEEDS", "1 20261122").split()]
OPERATIONS = int(os.environ.get("FUZZ_OPS", "50000"))
CHECK_EVERY = 500  # tests/system/fuzz/main.c's CHECK_EVERY


@pytest.mark.parametrize("seed", SEEDS)
def test_fuzzer_leaves_kernel_consistent(seed):
    replay = (f"replay: make fuzz SEEDS={seed} FUZZ_OPS={OPERATIONS}, or scripts/qemu.sh "
              f"--test build/tests/fuzz.elf -smp 4 -append 'fuzz.seed={seed} fuzz.ops={OPERATIONS}'")
    # four cores: SetCore spreads pool threads (and the worker) over them, so
    # the kernel's cross-core paths run under the fuzzer, in parallel
    qemu = Qemu("build/tests/fuzz.elf",
                extra_args=["-append", f"fuzz.seed={seed} fuzz.ops={OPERATIONS}"], cores=4)
    # each pattern ends at a newline: the console arrives in pieces, and `$`
    # would match a line still being written
    try:
        qemu.expect(rf"^FUZZ seed {seed} ops {OPERATIONS} ", timeout=30)
        ran = qemu.expect(r"^FUZZ ran (\d+) operations \((\d+) succeeded\), (\d+) restarts, "
                          r"(\d+) checks, (\d+) scheduling requests \((\d+) accepted\); "
                          r"revoke (\S+), invariants (\S+)\n|^FUZZ FAIL.*\n", timeout=600)
        assert ran.group(1), f"{ran.group(0)}\n{replay}\n{qemu.output[-3000:]}"
        verdict = qemu.expect(r"^FUZZ (ok|FAIL.*)\n", timeout=60)
        status = qemu.wait_exit(timeout=30)
    finally:
        qemu.close()
    operations, succeeded, _, checks, requests, accepted = map(int, ran.groups()[:6])
    assert operations == OPERATIONS, replay
    assert succeeded > OPERATIONS // 50, "too few operations succeeded to mean much"
    # a check at every checkpoint (operation 0, 500, ...) and one when the worker is done
    assert checks == (OPERATIONS + CHECK_EVERY - 1) // CHECK_EVERY + 1, ran.group(0)
    # the worker reaches SchedControl through the root, and some requests are valid
    assert requests > 0 and accepted > 0, ran.group(0)
    assert ran.group(7) == "ok" and ran.group(8) == "ok", f"{ran.group(0)}\n{replay}"
    assert verdict.group(1) == "ok", f"{replay}\n{qemu.output[-3000:]}"
    assert "PANIC" not in qemu.output, replay
    assert not re.search(r"invariant broken", qemu.output), replay
    assert status == 0, replay
