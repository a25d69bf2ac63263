"""The default image boots: banner, memory map from the device tree, the
root task's greeting and its reading of the system description; and the
kernel refuses to run outside HYP mode."""
import time


def test_banner_memory_map_and_greeting(boot):
    qemu = boot("build/opal.elf")
    qemu.expect(r"^opal: Opal \d+\.\d+ - capability microkernel and hypervisor$")
    qemu.expect(r"^opal: platform: device tree at 0x40000000 \(\d+ bytes\)$")
    qemu.expect(r"^opal: RAM\s+0x40000000-0x7fffffff \(1024 MiB\)$")
    qemu.expect(r"^opal: kernel\s+0x40200000-0x40[2-9a-f][0-9a-f]{5} \(HYP VA = PA\)$")
    qemu.expect(r"^opal: UART\s+0x09000000, IRQ 33$")
    qemu.expect(r"^opal: GIC\s+dist 0x08000000 cpu 0x08010000 hyp 0x08030000 vcpu 0x08040000, "
                r"maintenance IRQ 25$")
    qemu.expect(r"^opal: timer\s+62500000 Hz, HYP timer IRQ 26, virtual timer IRQ 27$")
    qemu.expect(r"^opal: boot complete, entering the root task \(thread 1\)$")
    qemu.expect(r"^init: hello from the root task, running at PL0 in its own address space$")
    qemu.expect(r"^init: RAM 0x40000000 \+ 1024 MiB, \d+ MiB free for user level, "
                r"timer 62500000 Hz$")
    # init reads the description, builds it and stays to handle faults.
    qemu.expect(r"^init: system: 1 VM, 3 tasks, 0 channels$")
    qemu.expect(r"^init: console server started: it owns the UART from here on$")
    assert "opal: thread 1 exited" not in qemu.output


def test_memory_size_comes_from_the_device_tree(boot):
    """With 512 MiB the fallback (1 GiB) would be wrong: the DTB must be read."""
    qemu = boot("build/opal.elf", memory=512)
    qemu.expect(r"^opal: RAM\s+0x40000000-0x5fffffff \(512 MiB\)$")
    qemu.expect(r"^init: RAM 0x40000000 \+ 512 MiB, ")


def test_bootargs_reach_kernel_and_root_task(boot):
    qemu = boot("build/opal.elf", extra_args=["-append", "opal.test=bootargs quiet"])
    qemu.expect(r'^opal: bootargs\s+"opal.test=bootargs quiet"$')
    qemu.expect(r'^init: command line "opal.test=bootargs quiet"$')


def test_refuses_to_run_without_virtualization(boot):
    qemu = boot("build/opal.elf", machine_extra=",virtualization=off")
    qemu.expect(r"^opal: error: the CPU is not in HYP mode \(CPU mode 0x13, SVC\)\.$")
    qemu.expect(r"virtualization=on,highmem=off,gic-version=2")
    qemu.expect(r"^opal: halted\.$")
    time.sleep(1)  # give a wrongly continuing boot the time to show itself
    assert "boot complete" not in qemu.output
    assert "init:" not in qemu.output
