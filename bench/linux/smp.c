/* The SMP Linux guest benchmark: /init of its own initramfs on a 4-CPU
 * Linux, natively on QEMU -smp 4 and (with the 4-vCPU VM) under Opal;
 * scripts/bench_linux_smp.py compares the two. This is the harness: for each
 * workload (bench/linux/smp_workloads.c) it forks one worker process per CPU
 * the workload uses, each pinned there; the workers meet at a barrier, the
 * parent reads CLOCK_MONOTONIC, releases them, reaps them all and reads it
 * again: one `LINUXSMP name workers count ns check failures` line. Every
 * worker's result is checked; a wrong one prints `LINUXSMP FAIL ...` and makes
 * the check non-zero, and the script then refuses the run. */
#include "common.h"
#include "smp.h"

void bench_main(const long *stack, uint64_t entry_count);

struct smp_shared *shared;

/* Moves the calling process to `cpu` for good; whether it runs there. */
static int pin(unsigned cpu)
{
    uint32_t mask = 1u << cpu, where = ~0u;
    return sys3(SYS_SCHED_SETAFFINITY, 0, sizeof mask, &mask) == 0 &&
           sys3(SYS_GETCPU, &where, 0, 0) == 0 && where == cpu;
}

/* A worker: pin, report ready, wait for the start, work, exit. A worker
 * that could not be pinned still takes part (the parent would otherwise
 * wait at the barrier for ever), but its failure voids the figure. */
static void __attribute__((noreturn)) worker(const struct smp_workload *w, unsigned cpu)
{
    if (!pin(cpu))
        shared->failures[cpu]++;
    __atomic_add_fetch(&shared->ready, 1, __ATOMIC_RELEASE);
    futex_wake(&shared->ready, 1);
    while (!load_acquire(&shared->go))
        futex_wait(&shared->go, 0);
    shared->result[cpu] = w->run(cpu, w->count);
    for (;;)
        sys3(SYS_EXIT_GROUP, 0, 0, 0);
}

/* Forks the workers and waits until all are pinned and waiting. Returns
 * how many there are (fewer than asked if a fork failed). */
static unsigned start_workers(const struct smp_workload *w, long *pids)
{
    unsigned forked = 0;
    for (; forked < w->workers; forked++) {
        pids[forked] = sys3(SYS_FORK, 0, 0, 0);
        if (pids[forked] == 0)
            worker(w, forked);
        if (pids[forked] < 0) {
            shared->failures[forked]++;
            break;
        }
    }
    for (int ready; (ready = load_acquire(&shared->ready)) < (int)forked;)
        futex_wait(&shared->ready, ready);
    return forked;
}

static void reset_shared(void)
{
    shared->ready = shared->go = shared->turn = 0;
    for (unsigned cpu = 0; cpu < SMP_CPUS; cpu++)
        shared->result[cpu] = shared->failures[cpu] = 0;
}

/* Runs one workload: virtual ns from releasing the workers to having
 * reaped the last. */
static uint64_t run(const struct smp_workload *w)
{
    long pids[SMP_CPUS];
    struct timespec64 end;
    reset_shared();
    unsigned workers = start_workers(w, pids);
    bench_marker();
    monotonic(&shared->start);
    __atomic_store_n(&shared->go, 1, __ATOMIC_RELEASE);
    futex_wake(&shared->go, SMP_CPUS);
    for (unsigned cpu = 0; cpu < workers; cpu++) {
        int status = -1;
        if (sys3(SYS_WAIT4, pids[cpu], &status, 0) != pids[cpu] || status != 0)
            shared->failures[cpu]++;
    }
    monotonic(&end);
    bench_marker();
    return nanoseconds(&end) - nanoseconds(&shared->start);
}

/* Each worker's result against what it must be; a line for each wrong one. */
static uint32_t check(const struct smp_workload *w)
{
    uint32_t failed = 0;
    for (unsigned cpu = 0; cpu < w->workers; cpu++) {
        uint32_t want = w->expected ? w->expected[cpu] : w->count;
        if (shared->result[cpu] == want && shared->failures[cpu] == 0)
            continue;
        emit("LINUXSMP FAIL %s cpu %u result %u expected %u failures %u\n", w->name, cpu,
             shared->result[cpu], want, shared->failures[cpu]);
        failed++;
    }
    return failed;
}

/* The CPUs /init may run on: all of them, as it is not pinned. */
static unsigned online_cpus(void)
{
    uint32_t mask = 0;
    unsigned count = 0;
    if (sys3(SYS_SCHED_GETAFFINITY, 0, sizeof mask, &mask) <= 0)
        return 0;
    for (; mask; mask &= mask - 1)
        count++;
    return count;
}

/* Brings CPUs 1 .. SMP_CPUS-1 online through sysfs (the kernel booted with
 * maxcpus=1; docs/benchmarks.md says why): virtual ns for all three, each a
 * PSCI CPU_ON and the kernel's hotplug steps. Failures counted. */
static uint32_t online_secondaries(uint64_t *ns)
{
    static char path[] = "/sys/devices/system/cpu/cpu?/online";
    struct timespec64 start, end;
    uint32_t failures = 0;
    sys3(SYS_MKDIR, "/sys", 0755, 0);
    if (linux_syscall((long)"sysfs", (long)"/sys", (long)"sysfs", 0, 0, 0, SYS_MOUNT) != 0)
        return SMP_CPUS;
    monotonic(&start);
    for (unsigned cpu = 1; cpu < SMP_CPUS; cpu++) {
        path[sizeof "/sys/devices/system/cpu/cpu" - 1] = (char)('0' + cpu);
        long fd = sys3(SYS_OPEN, path, O_WRONLY, 0);
        failures += fd < 0 || sys3(SYS_WRITE, fd, "1", 1) != 1;
        sys3(SYS_CLOSE, fd, 0, 0);
    }
    monotonic(&end);
    *ns = nanoseconds(&end) - nanoseconds(&start);
    return failures;
}

static uint64_t counter_frequency(void)
{
    uint32_t frequency;
    __asm__ volatile("mrc p15, 0, %0, c14, c0, 0" : "=r"(frequency));
    return frequency;
}

/* Brings CPUs 1-3 online and maps the shared page: whether the workloads
 * can run. */
static int setup(void)
{
    uint64_t online_ns = 0;
    uint32_t failures = online_secondaries(&online_ns);
    if (failures)
        emit("LINUXSMP FAIL online: %u failures\n", failures);
    emit("LINUXSMP online %u 1 %llu check %u\n", SMP_CPUS - 1, (unsigned long long)online_ns,
         failures);
    unsigned cpus = online_cpus();
    long mapped = linux_syscall(0, sizeof *shared, PROT_READ_WRITE, MAP_SHARED_ANONYMOUS, -1, 0,
                                SYS_MMAP2);
    if (cpus != SMP_CPUS || (unsigned long)mapped >= -4096ul) {
        emit("LINUXSMP FAIL setup: %u CPUs online (want %u), shared page %ld\n", cpus, SMP_CPUS,
             mapped);
        return 0;
    }
    shared = (struct smp_shared *)mapped;
    return 1;
}

void bench_main(const long *stack, uint64_t entry_count)
{
    (void)stack;
    emit("LINUXSMP boot 1 1 %llu check 0\n",
         (unsigned long long)(entry_count * NS_PER_S / counter_frequency()));
    int ready = setup();
    for (unsigned i = 0; ready && i < smp_workload_count; i++) {
        const struct smp_workload *w = &smp_workloads[i];
        uint64_t ns = run(w);
        emit("LINUXSMP %s %u %u %llu check %u\n", w->name, w->workers, w->count,
             (unsigned long long)ns, check(w));
    }
    emit("LINUXSMP done\n");
    sys3(SYS_REBOOT, REBOOT_MAGIC1, REBOOT_MAGIC2, REBOOT_POWER_OFF);
    for (;;)
        sys3(SYS_EXIT, 0, 0, 0);
}
