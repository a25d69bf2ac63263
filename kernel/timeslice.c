/* Time slices: the chosen thread runs until its slice ends, then goes to the
 * back of its priority's queue. One HYP-timer deadline is armed at a time. */
#include <stddef.h>
#include "arch.h"
#include "config.h"
#include "kernel.h"
#include "sched.h"

static uint64_t slice_ticks;

static uint64_t timeslice_ticks(void)
{
    if (slice_ticks == 0)
        slice_ticks = (uint64_t)arch_timer_frequency() * CONFIG_TIMESLICE_US / 1000000u;
    return slice_ticks;
}

void timer_tick(void)
{
    struct thread *thread = current_thread;
    if (thread && thread->state == THREAD_RUNNABLE && arch_timer_now() >= thread->slice_end) {
        thread->slice_end = 0;
        sched_rotate_current();
    }
}

struct thread *kernel_schedule(void)
{
    struct thread *next;
    while ((next = sched_choose()) == NULL)
        arch_wait_for_interrupt();
    if (next->slice_end == 0)
        next->slice_end = arch_timer_now() + timeslice_ticks();
    arch_timer_set_deadline(next->slice_end);
    return next;
}
