/* Time: the running thread is charged for the CPU it used at every kernel
 * entry; it runs until its round-robin slice ends, its budget runs out, or
 * a depleted context's refill is due, whichever comes first. One HYP-timer
 * deadline is armed at a time. */
#include <stddef.h>
#include "arch.h"
#include "config.h"
#include "kernel.h"
#include "objects.h"
#include "sched.h"

static uint64_t slice_ticks;
static uint64_t last_charged;   /* counter value when current_thread was last charged */

static uint64_t timeslice_ticks(void)
{
    if (slice_ticks == 0)
        slice_ticks = (uint64_t)arch_timer_frequency() * CONFIG_TIMESLICE_US / 1000000u;
    return slice_ticks;
}

void sched_account(void)
{
    uint64_t now = arch_timer_now();
    struct thread *thread = current_thread;
    if (thread && thread->sched_context)
        sched_context_charge(thread->sched_context, now - last_charged, now);
    last_charged = now;
}

void timer_tick(void)
{
    struct thread *thread = current_thread;
    sched_account();
    if (thread && thread->state == THREAD_RUNNABLE && arch_timer_now() >= thread->slice_end) {
        thread->slice_end = 0;
        sched_rotate_current();
    }
}

static uint64_t earliest(uint64_t a, uint64_t b)
{
    return a < b ? a : b;
}

struct thread *kernel_schedule(void)
{
    struct thread *next;
    uint64_t refill;
    for (;;) {
        refill = sched_context_refill(arch_timer_now());
        if ((next = sched_choose()) != NULL)
            break;
        arch_timer_set_deadline(refill);
        arch_wait_for_interrupt();
        sched_account();
    }
    uint64_t now = arch_timer_now();
    if (next->slice_end == 0 || next->slice_end <= now)
        next->slice_end = now + timeslice_ticks();
    uint64_t deadline = earliest(next->slice_end, refill);
    const struct sched_context *context = next->sched_context;
    if (!sched_context_unlimited(context))
        deadline = earliest(deadline, now + context->remaining);
    last_charged = now;
    arch_timer_set_deadline(deadline);
    return next;
}
