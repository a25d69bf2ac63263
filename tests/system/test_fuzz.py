"""The invocation fuzzer (tests/system/fuzz): 50,000 seeded random system
calls and invocations per seed; the kernel's invariant check must pass
throughout and after, the pool must revoke cleanly, and a normal IPC must
still work. The seed is printed, so any failure replays exactly."""
import re

import pytest

from qemu import Qemu

OPERATIONS = 50000


@pytest.mark.parametrize("seed", [1, 20261122])
def test_fuzzer_leaves_kernel_consistent(seed):
    qemu = Qemu("build/tests/fuzz.elf",
                extra_args=["-append", f"fuzz.seed={seed} fuzz.ops={OPERATIONS}"])
    try:
        qemu.expect(rf"^FUZZ seed {seed} ops {OPERATIONS} ", timeout=30)
        ran = qemu.expect(r"^FUZZ ran (\d+) operations \((\d+) succeeded\), (\d+) restarts; "
                          r"revoke (.+), invariants (.+)$", timeout=600)
        verdict = qemu.expect(r"^FUZZ (ok|FAIL.*)$", timeout=60)
        status = qemu.wait_exit(timeout=30)
    finally:
        qemu.close()
    assert int(ran.group(1)) == OPERATIONS
    assert int(ran.group(2)) > OPERATIONS // 50, "too few operations succeeded to mean much"
    assert ran.group(4) == "ok" and ran.group(5) == "ok", ran.group(0)
    assert verdict.group(1) == "ok", qemu.output[-3000:]
    assert "PANIC" not in qemu.output
    assert not re.search(r"invariant broken", qemu.output)
    assert status == 0
