/* The Linux guest benchmark, run as /init of its own initramfs, natively and
 * under Opal alike (scripts/bench_linux.py compares the two). It prints the
 * virtual counter it found at entry (the end of kernel-to-/init), times each
 * workload with the virtual counter, prints one line per workload and powers
 * off. With `bench=boot` on the kernel command line (which Linux hands to
 * /init as an environment variable) it powers off at once: a boot alone,
 * for counting the exits a boot makes. Output is drained before each timed
 * loop, so no console interrupt of a previous line falls inside one. */
#include "common.h"
#include "sys.h"

void bench_main(const long *stack, uint64_t entry_count);

#define REGION (16u << 20)          /* fresh anonymous memory per round */

static char *const true_argv[] = { "true", 0 };

/* --- workloads: each returns a check value printed after its figure ---- */
static uint64_t syscalls(uint32_t count)
{
    uint64_t sum = 0;
    for (uint32_t i = 0; i < count; i++)
        sum += (uint64_t)sys3(SYS_GETPPID, 0, 0, 0);
    return sum;              /* PID 1's parent is 0: expect 0 */
}

/* fork, exec busybox's `true` in the child, wait: failures counted. */
static uint64_t fork_exec(uint32_t count)
{
    uint64_t failures = 0;
    for (uint32_t i = 0; i < count; i++)
        failures += !spawn_and_wait("/bin/busybox", true_argv);
    return failures;
}

/* `count` fresh pages: map REGION, store one word per page (each store is a
 * page fault that allocates and zeroes a page), unmap. Returns failures. */
static uint64_t page_faults(uint32_t count)
{
    uint64_t failures = 0;
    for (uint32_t done = 0; done < count; done += REGION / PAGE) {
        long address = touch_fresh_pages(REGION, 0);
        if (address)
            sys3(SYS_MUNMAP, address, REGION, 0);
        else
            failures++;
    }
    return failures;
}

/* Registers only: an xorshift generator folded into a sum. */
static uint64_t compute(uint32_t count)
{
    return xorshift_sum(2463534242u, count);
}

/* 1 ms sleeps: the timer interrupt, idle and wake-up path. */
static uint64_t sleeps(uint32_t count)
{
    static const long one_ms[2] = { 0, 1000000 };
    uint64_t failures = 0;
    for (uint32_t i = 0; i < count; i++)
        failures += sys3(SYS_NANOSLEEP, one_ms, 0, 0) != 0;
    return failures;
}

/* Sized for about 150 virtual ms each (the sleeps: 1 s). */
static const struct workload {
    const char *name;
    uint32_t count;
    uint64_t (*run)(uint32_t count);
} workloads[] = {
    { "syscall", 1000000, syscalls },
    { "fork_exec", 300, fork_exec },
    { "pagefault", 32768, page_faults },
    { "compute", 20000000, compute },
    { "sleep_1ms", 1000, sleeps },
};

static int boot_only(const long *stack)
{
    const char *const *env = (const char *const *)stack + 1 + stack[0] + 1;
    for (; *env; env++) {
        const char *want = "bench=boot", *have = *env;
        while (*want && *want == *have)
            want++, have++;
        if (!*want && !*have)
            return 1;
    }
    return 0;
}

void bench_main(const long *stack, uint64_t entry_count)
{
    emit("LINUXBENCH boot 1 %llu\n", (unsigned long long)entry_count);
    for (unsigned i = 0; !boot_only(stack) && i < sizeof workloads / sizeof workloads[0]; i++) {
        const struct workload *w = &workloads[i];
        bench_marker();
        uint64_t start = counter();
        uint64_t check = w->run(w->count);
        uint64_t ticks = counter() - start;
        bench_marker();
        emit("LINUXBENCH %s %u %llu check %llu\n", w->name, w->count, (unsigned long long)ticks,
             (unsigned long long)check);
    }
    emit("LINUXBENCH done\n");
    sys3(SYS_REBOOT, REBOOT_MAGIC1, REBOOT_MAGIC2, REBOOT_POWER_OFF);
    for (;;)
        sys3(SYS_EXIT, 0, 0, 0);
}
