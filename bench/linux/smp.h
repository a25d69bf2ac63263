/* What the SMP guest benchmark's harness (bench/linux/smp.c) and its
 * workloads (bench/linux/smp_workloads.c) share. */
#ifndef BENCH_LINUX_SMP_H
#define BENCH_LINUX_SMP_H

#include "sys.h"

#define SMP_CPUS 4
#define NS_PER_MS 1000000
#define NS_PER_S 1000000000

struct timespec64 {
    int64_t sec, nsec;
};

/* What the parent and its workers share: a MAP_SHARED mapping made before
 * the first fork. The parent writes it only while no worker runs. */
struct smp_shared {
    int ready;                   /* workers pinned and waiting to start */
    int go;                      /* 1: the parent released them */
    int turn;                    /* the ping-pong: whose move (0 or 1) */
    struct timespec64 start;     /* when the parent released them */
    uint32_t result[SMP_CPUS];   /* each worker's checksum or count */
    uint32_t failures[SMP_CPUS]; /* anything else that went wrong */
};
extern struct smp_shared *shared;

/* One workload: `workers` processes, on CPUs 0 .. workers-1, each running
 * `run`, whose result must be expected[cpu] (no table: `count`). */
struct smp_workload {
    const char *name;
    unsigned workers;
    uint32_t count;              /* each worker's operations */
    uint32_t (*run)(unsigned cpu, uint32_t count);
    const uint32_t *expected;
};
extern const struct smp_workload smp_workloads[];
extern const unsigned smp_workload_count;

static inline void monotonic(struct timespec64 *now)
{
    sys3(SYS_CLOCK_GETTIME64, CLOCK_MONOTONIC, now, 0);
}

static inline uint64_t nanoseconds(const struct timespec64 *t)
{
    return (uint64_t)t->sec * NS_PER_S + (uint64_t)t->nsec;
}

/* Shared futexes (not FUTEX_PRIVATE): the workers are separate processes. */
static inline void futex_wait(int *word, int expected)
{
    sys3(SYS_FUTEX, word, FUTEX_WAIT, expected);
}

static inline void futex_wake(int *word, int count)
{
    sys3(SYS_FUTEX, word, FUTEX_WAKE, count);
}

static inline int load_acquire(int *word)
{
    return __atomic_load_n(word, __ATOMIC_ACQUIRE);
}

#endif
