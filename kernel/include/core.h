/* Each core's own kernel state (docs/multicore.md): the thread it runs, its
 * time, its domain window, its ready queues, its depleted scheduling
 * contexts and parked virtual timers, and the arch's part. The core that
 * holds the big kernel lock may read and change any core's state here; what
 * lives in a core's registers (a loaded vCPU) only that core can touch, so
 * others ask it (core_release_vcpu). */
#ifndef KERNEL_CORE_H
#define KERNEL_CORE_H

#include <stdbool.h>
#include <stdint.h>
#include "opal/limits.h"
#include "arch.h"
#include "config.h"
#include "objects.h"

struct sched_context;
struct vcpu;

#define SCHED_BITMAP_WORDS (CONFIG_PRIORITIES / 32)

/* The ready queues of one core: a set per domain (kernel/sched.c). The
 * small fields first, where the fastpath reaches them with one load. */
struct sched_queues {
    uint32_t window_domain;      /* the current window's domain; 0: no schedule */
    uint32_t domain_mask;        /* bit d: domain d may run now */
    uint32_t set_mask;           /* thread->domain & set_mask: its set */
    uint32_t bitmap_top[CONFIG_DOMAINS];
    uint32_t bitmap_words[CONFIG_DOMAINS][SCHED_BITMAP_WORDS];
    struct thread_queue queues[CONFIG_DOMAINS][CONFIG_PRIORITIES];
};

struct core {
    struct arch_core arch;       /* first: HTPIDR points at both */
    struct thread *current;      /* NULL while idle */
    volatile uint32_t request;   /* what the lock holder asks of it (kernel/core.c) */
    struct vcpu *request_vcpu;   /* the vCPU a release request names */
    uint32_t request_answer;     /* whether the entry it waited with was a system call */
    uint32_t index;
    uint32_t fastpath_tag;       /* index + 1: a thread's fastpath_core when it runs here */
    volatile uint32_t online;    /* it runs the kernel (set once by the core itself) */
    /* time (kernel/timeslice.c) */
    uint64_t entry_time;         /* the counter at this kernel entry */
    uint64_t last_charged;       /* when current was last charged */
    uint64_t armed;              /* the deadline this core's timer holds */
    uint64_t next_refill;        /* the earliest refill, or the window's end */
    /* the domain schedule's window on this core (kernel/domain.c) */
    uint32_t window_index;
    uint64_t window_end;
    struct sched_context *depleted;   /* kernel/object/sched_context.c */
    struct vcpu *parked;              /* kernel/vtimer.c, earliest deadline first */
    uint64_t parked_first_deadline;
    struct sched_queues sched;
};

extern struct core cores[CONFIG_CORES];

/* This core's state: one register read (arch/inline.h). */
static inline struct core *core_self(void)
{
    return (struct core *)arch_core_self();
}

static inline struct core *core_of(const struct thread *thread)
{
    return &cores[thread->core];
}

/* Boot: every core's state empty, this one (core 0) current. */
void core_init(void);
/* The big kernel lock (kernel/core.c): vectors.S takes it inline after
 * saving a trap's context and releases it before loading the one to
 * resume; boot and idle use these. */
union kernel_lock {
    uint32_t word;
    struct {
        uint16_t owner;          /* the ticket being served */
        uint16_t next;           /* the next ticket handed out */
    };
};
extern union kernel_lock kernel_lock_word;
void kernel_lock(struct core *self);
void kernel_unlock(void);
/* A preemption point's test: an interrupt waits on this core, or another
 * core waits for the lock (a long operation must not hold up another core's
 * interrupt handling either). */
bool kernel_should_preempt(void);
/* The contended half, from vectors.S too: true if the entry is dropped. */
bool kernel_lock_wait(struct core *self, uint32_t ticket, uint32_t entry_syndrome);
/* The lock holder, before it changes or reads a thread's registers or
 * stops it: if another core runs `thread`, that core leaves it (its
 * registers saved in the thread, its current thread none, the thread back
 * in its queue if it may run) before this returns. */
void core_stall(struct thread *thread);
/* The same for every other core that has `vspace` in its stage-2 register:
 * it leaves user level and forgets it (the VSpace is being deleted). */
void core_stall_vspace(const struct arch_vspace *vspace);
/* A thread's own copy of its VSpace cap (`slot`) is going: if another core
 * runs that thread, it stops there first (it may not run on in a space it
 * has no cap to; activate() then stops it). */
void core_stall_vspace_slot(const struct slot *slot);
/* The vCPU's state goes from whichever other core's registers hold it to
 * memory (the lock holder is about to read or change it). */
void core_release_vcpu(struct vcpu *vcpu);
/* The lock holder: make `core` look at its queues soon (an IPI), because a
 * thread was made ready there or its current thread changed. */
void core_reschedule(struct core *core);
/* For the invariant check: on every core, the current thread is the
 * core's, a loaded vCPU is bound to a thread of the core and loaded nowhere
 * else, depleted contexts and parked timers are the core's, and no request
 * is left pending. */
bool core_check(void);

#endif
