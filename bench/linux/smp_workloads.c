/* The SMP guest benchmark's five workloads (bench/linux/smp.c runs them):
 * what one worker does on its CPU, returning a checksum or a count of
 * operations that did what they should, which the harness compares. */
#include "common.h"
#include "smp.h"

#define REGION (4u << 20)              /* fresh anonymous memory per round */

/* Registers only: an xorshift generator folded into a sum, seeded per CPU
 * so each worker's result is its own. compute_sums are the sums after
 * COMPUTE_STEPS steps, computed off the target: a CPU that computes wrong, or
 * a worker that stops early, cannot match them. */
#define COMPUTE_STEPS 5000000
static const uint32_t compute_seeds[SMP_CPUS] = { 2463534242u, 88675123u, 521288629u, 362436069u };
static const uint32_t compute_sums[SMP_CPUS] = { 0xff9ace86u, 0x62b40596u, 0x59e05e76u, 0xa3e0ca9cu };

static uint32_t compute(unsigned cpu, uint32_t count)
{
    return xorshift_sum(compute_seeds[cpu], count);
}

/* fork, exec the smallest program there is (bench/linux/exit0.S) in the
 * child, wait: the count of children that exec'd and exited 0. */
static char *const exit0_argv[] = { "exit0", 0 };

static uint32_t fork_exec(unsigned cpu, uint32_t count)
{
    uint32_t exited = 0;
    (void)cpu;
    for (uint32_t i = 0; i < count; i++)
        exited += (uint32_t)spawn_and_wait("/bin/exit0", exit0_argv);
    return exited;
}

/* `count` fresh pages in REGION rounds: map, store one word per page (each
 * store a page fault that allocates and zeroes a page), read them back,
 * unmap. The count of pages that held their word. */
static uint32_t page_faults(unsigned cpu, uint32_t count)
{
    uint32_t held = 0;
    for (uint32_t done = 0; done < count; done += REGION / PAGE) {
        long address = touch_fresh_pages(REGION, cpu);
        if (!address) {
            shared->failures[cpu]++;
            continue;
        }
        for (uint32_t offset = 0; offset < REGION; offset += PAGE)
            held += *(volatile uint32_t *)(address + offset) == offset + cpu;
        sys3(SYS_MUNMAP, address, REGION, 0);
    }
    return held;
}

/* Two workers (CPUs 0 and 1) hand a turn back and forth `rounds` times:
 * each move wakes the other CPU from idle, a reschedule IPI, and then waits
 * for its turn in FUTEX_WAIT. The count of moves made. */
static uint32_t ping_pong(unsigned cpu, uint32_t rounds)
{
    int *turn = &shared->turn, mine = (int)cpu, other = 1 - (int)cpu, now;
    uint32_t moves = 0;
    for (uint32_t i = 0; i < rounds; i++) {
        while ((now = load_acquire(turn)) != mine)
            futex_wait(turn, now);   /* returns at once if it moved meanwhile */
        __atomic_store_n(turn, other, __ATOMIC_RELEASE);
        futex_wake(turn, 1);
        moves++;
    }
    return moves;
}

/* Sleeps to absolute deadlines 1 ms apart from the common start: every CPU's
 * timer fires at the same moments. The count of sleeps that returned 0 no
 * earlier than their deadline. */
static uint32_t sleeps(unsigned cpu, uint32_t count)
{
    struct timespec64 deadline = shared->start, now;
    uint32_t on_time = 0;
    (void)cpu;
    for (uint32_t i = 0; i < count; i++) {
        deadline.nsec += NS_PER_MS;
        if (deadline.nsec >= NS_PER_S) {
            deadline.nsec -= NS_PER_S;
            deadline.sec++;
        }
        long error = sys3(SYS_CLOCK_NANOSLEEP_TIME64, CLOCK_MONOTONIC, TIMER_ABSTIME, &deadline);
        monotonic(&now);
        on_time += error == 0 && nanoseconds(&now) >= nanoseconds(&deadline);
    }
    return on_time;
}

/* Sized for a few hundred virtual ms each. Under -icount the CPUs take
 * turns on one host thread and every instruction, whichever CPU runs it,
 * is one ns, so 4 workers' work adds up. */
const struct smp_workload smp_workloads[] = {
    { "smp_compute", SMP_CPUS, COMPUTE_STEPS, compute, compute_sums },
    { "smp_fork_exec", SMP_CPUS, 200, fork_exec, 0 },
    { "smp_pagefault", SMP_CPUS, 8192, page_faults, 0 },
    { "smp_futex_pingpong", 2, 10000, ping_pong, 0 },
    { "smp_sleep_1ms", SMP_CPUS, 200, sleeps, 0 },
};
const unsigned smp_workload_count = sizeof smp_workloads / sizeof smp_workloads[0];
