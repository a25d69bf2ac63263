/* The scheduler: 256 priorities, round-robin within one, O(1) bitmap lookup. */
#ifndef KERNEL_SCHED_H
#define KERNEL_SCHED_H

#include <stdbool.h>
#include "thread.h"

extern struct thread *current_thread;

void sched_init(void);
bool sched_can_run(const struct thread *thread);
bool sched_check_queues(void);
/* Make a runnable thread eligible to run (tail of its priority's queue). */
void sched_enqueue(struct thread *thread);
void sched_enqueue_front(struct thread *thread);
void sched_dequeue(struct thread *thread);
/* The highest-priority queued thread, or NULL; does not dequeue. */
struct thread *sched_highest(void);
/* Current thread's slice ended or it yielded: to the back of its queue. */
void sched_rotate_current(void);
/* Pick who runs next and make it current_thread (NULL: nobody can run). */
struct thread *sched_choose(void);

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
void sched_account(void);
extern uint64_t kernel_entry_time;
extern uint64_t timeslice_armed, timeslice_next_refill;
/* Make the timer fire by `deadline` (a parked virtual timer's). */
void timeslice_arm_by(uint64_t deadline);

/* For the fastpath: the armed deadline comes no later than the end of
 * `thread`'s slice, so making it current needs no timer work. (If its slice
 * already ended, that deadline has passed too: the pending timer interrupt
 * rotates it as soon as it runs.) The armed deadline is never later than
 * the next refill: kernel_schedule keeps it so. */
static inline bool timeslice_still_armed(const struct thread *thread)
{
    return timeslice_armed <= thread->slice_end;
}

#endif
