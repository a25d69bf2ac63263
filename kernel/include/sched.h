/* The scheduler: 256 priorities, round-robin within one, O(1) bitmap lookup. */
#ifndef KERNEL_SCHED_H
#define KERNEL_SCHED_H

#include <stdbool.h>
#include "core.h"
#include "thread.h"

/* The thread this core runs (NULL while it idles): the core's state. */
#define current_thread (core_self()->current)

void sched_init(void);
/* Whether the thread is the one its core runs now. */
static inline bool sched_is_current(const struct thread *thread)
{
    return core_of(thread)->current == thread;
}
bool sched_can_run(const struct thread *thread);
bool sched_check_queues(void);
/* Make a runnable thread eligible to run (tail of its priority's queue). */
void sched_enqueue(struct thread *thread);
void sched_enqueue_front(struct thread *thread);
void sched_dequeue(struct thread *thread);
/* The highest-priority queued thread, or NULL; does not dequeue. */
struct thread *sched_highest(void);
static inline unsigned sched_highest_bit(uint32_t bits)
{
    return 31u - (unsigned)__builtin_clz(bits);
}

/* The highest-priority thread queued in set `set` of `q`, or NULL. */
static inline struct thread *sched_set_highest(const struct sched_queues *q, unsigned set)
{
    if (q->bitmap_top[set] == 0)
        return NULL;
    unsigned word = sched_highest_bit(q->bitmap_top[set]);
    unsigned priority = word * 32u + sched_highest_bit(q->bitmap_words[set][word]);
    return q->queues[set][priority].head;
}
/* sched_highest_against's case with a domain schedule running. */
const struct thread *sched_highest_against_windows(const struct sched_queues *q,
                                                   const struct thread *to);
/* For the fastpath: sched_highest, but `to` itself if `to` may not run in
 * this window (so "queued->priority < to->priority" fails): domains off
 * cost the fastpath one test. Inline: the fastpath calls it twice a round
 * trip. `to` runs on this core (the fastpath checks), so this core's queues. */
static inline const struct thread *sched_highest_against(const struct thread *to)
{
    const struct sched_queues *q = &core_self()->sched;
    if (__builtin_expect(q->window_domain != 0, 0))
        return sched_highest_against_windows(q, to);
    return sched_set_highest(q, 0);
}
/* Current thread's slice ended or it yielded: to the back of its queue. */
void sched_rotate_current(void);
/* Pick who runs next and make it current_thread (NULL: nobody can run). */
struct thread *sched_choose(void);
/* Choose the next thread (waiting for interrupts while none can run), make
 * it current and arm its time slice: every kernel entry ends here. */
struct thread *sched_schedule(void);

/* Domains (docs/api.md): bit d of a core's domain_mask is set while
 * threads of domain d may run there. No schedule: all bits; else bit 0 and
 * the window's domain's. Whether the thread may run in its core's window. */
static inline bool sched_eligible(const struct thread *thread)
{
    return (core_of(thread)->sched.domain_mask >> thread->domain) & 1u;
}
/* A core's current window's domain (1..15), or 0 to turn domains off;
 * moves queued threads between its per-domain sets when that changes. */
void sched_set_window_domain(struct core *core, unsigned domain);
/* This core's. */
unsigned sched_window_domain(void);
/* Put a thread in a domain (0..15), requeueing it if it was queued. */
void sched_set_domain(struct thread *thread, unsigned domain);
/* The domain schedule (kernel/domain.c): `pairs` holds `count` (domain,
 * length in µs) pairs, already checked; count 0 turns domains off. The
 * first window starts now. */
void domain_set_schedule(const uint32_t *pairs, uint32_t count);
/* The end of this core's current window, UINT64_MAX without a schedule. */
#define domain_window_end (core_self()->window_end)
/* With a schedule: move to the window that holds `now` if the current
 * one has ended; the earlier of `next_event` and the window's end. */
uint64_t domain_advance(uint64_t now, uint64_t next_event);

/* Scheduling-context budgets (kernel/object/sched_context.c). */
#include "objects.h"
/* A context whose budget is its whole period is never charged. */
static inline bool sched_context_unlimited(const struct sched_context *context)
{
    return context->full;
}
void sched_context_charge(struct sched_context *context, uint64_t ticks, uint64_t now);
uint64_t sched_context_refill(uint64_t now);
/* Charge the running thread for the time since it was last charged; also
 * records the counter in kernel_entry_time. Called at every kernel entry. */
void timeslice_account(void);
#define kernel_entry_time (core_self()->entry_time)
/* This core's armed deadline and next refill (core.h): the earliest refill
 * of a depleted context, or the domain window's end if that comes first. */
#define timeslice_armed (core_self()->armed)
#define timeslice_next_refill (core_self()->next_refill)
/* Make the timer fire by `deadline` (a parked virtual timer's). */
void timeslice_arm_by(uint64_t deadline);
/* The scheduler's time (kernel/timeslice.c): an idle wait for the next
 * interrupt; making `next` current with its slice armed. */
void timeslice_idle(void);
void timeslice_switch_to(struct thread *next);

/* For the fastpath: the armed deadline comes no later than the end of
 * `thread`'s slice, so making it current needs no timer work. (If its slice
 * already ended, that deadline has passed too: the pending timer interrupt
 * rotates it as soon as it runs.) The armed deadline is never later than
 * the next refill or the end of the domain window: sched_schedule keeps
 * it so. */
/* Refills that are due, and with a domain schedule the window's turn
 * (after the refills: the current thread may be refilled): what may run
 * now, and the next such change as the refill deadline. Inline: every
 * slowpath entry runs it. */
static inline void timeslice_update(void)
{
    timeslice_next_refill = sched_context_refill(kernel_entry_time);
    if (__builtin_expect(domain_window_end != UINT64_MAX, 0))
        timeslice_next_refill = domain_advance(kernel_entry_time, timeslice_next_refill);
}

static inline bool timeslice_still_armed(const struct thread *thread)
{
    return timeslice_armed <= thread->slice_end;
}

#endif
