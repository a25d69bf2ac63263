/* Time: the running thread is charged for the CPU it used at every kernel
 * entry; it runs until its round-robin slice ends, its budget runs out, or
 * a depleted context's refill is due, whichever comes first (the domain
 * schedule's windows are kernel/domain.c's). One HYP-timer
 * deadline is armed at a time, and only moved earlier on a switch: a
 * deadline that comes too soon costs one interrupt that re-arms it, while
 * re-arming on every IPC would cost every IPC. The armed deadline is never
 * later than the first parked virtual timer's (vtimer.h): parking arms it,
 * and so does every firing and idle wait. With a domain schedule it is
 * never later than the current window's end either: setting the schedule
 * arms it, and so does every switch and idle wait; at that end the
 * scheduler moves to the next window (timeslice_update), which puts a
 * running thread of the window that ended back at the front of its queue
 * (sched_set_window_domain), and picks again. */
#include <stddef.h>
#include "arch.h"
#include "config.h"
#include "kernel.h"
#include "objects.h"
#include "sched.h"
#include "vtimer.h"

static uint64_t slice_ticks;
/* This core's (core.h): its timer's deadline, the next refill or window end. */
#define armed timeslice_armed
#define next_refill timeslice_next_refill

static uint64_t earliest(uint64_t a, uint64_t b)
{
    return a < b ? a : b;
}

static uint64_t timeslice_ticks(void)
{
    if (slice_ticks == 0)
        slice_ticks = (uint64_t)arch_timer_frequency() * CONFIG_TIMESLICE_US / 1000000u;
    return slice_ticks;
}

static void timer_arm(uint64_t deadline)
{
    armed = deadline;
    arch_timer_set_deadline(deadline);
}

void timeslice_arm_by(uint64_t deadline)
{
    if (deadline < armed)
        timer_arm(deadline);
}

void timeslice_account(void)
{
    uint64_t now = arch_timer_now();
    struct core *self = core_self();
    struct thread *thread = self->current;
    self->entry_time = now;
    if (thread && thread->sched_context && !sched_context_unlimited(thread->sched_context))
        sched_context_charge(thread->sched_context, now - self->last_charged, now);
    self->last_charged = now;
}

/* The timer fired (and is off now): rotate the thread whose slice ended. */
void timeslice_tick(void)
{
    struct thread *thread = current_thread;
    armed = UINT64_MAX;
    timeslice_account();
    vtimer_expire(kernel_entry_time);
    timeslice_arm_by(vtimer_next_deadline());
    if (thread && thread->state == THREAD_RUNNABLE && kernel_entry_time >= thread->slice_end) {
        thread->slice_end = 0;
        sched_rotate_current();
    }
}

/* Make `next` current; the timer must fire by the first of its slice end,
 * its budget running out, and the next refill or window end. */
void timeslice_switch_to(struct thread *next)
{
    uint64_t now = kernel_entry_time;
    if (next->slice_end <= now)
        next->slice_end = now + timeslice_ticks();
    uint64_t deadline = earliest(next->slice_end, next_refill);
    const struct sched_context *context = next->sched_context;
    if (!sched_context_unlimited(context))
        deadline = earliest(deadline, now + context->remaining);
    current_thread = next;
    if (deadline < armed)
        timer_arm(deadline);
}

/* Nothing can run: wait for the next interrupt, with the timer armed for
 * the next refill, window end or parked virtual timer. */
void timeslice_idle(void)
{
    timer_arm(earliest(next_refill, vtimer_next_deadline()));
    arch_wait_for_interrupt();
    timeslice_account();
}
