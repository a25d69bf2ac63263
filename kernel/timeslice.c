/* Time: the running thread is charged for the CPU it used at every kernel
 * entry; it runs until its round-robin slice ends, its budget runs out, or
 * a depleted context's refill is due, whichever comes first. One HYP-timer
 * deadline is armed at a time, and only moved earlier on a switch: a
 * deadline that comes too soon costs one interrupt that re-arms it, while
 * re-arming on every IPC would cost every IPC. The armed deadline is never
 * later than the first parked virtual timer's (vtimer.h): parking arms it,
 * and so does every firing and idle wait. With a domain schedule it is
 * never later than the current window's end either: setting the schedule
 * arms it, and so does every switch and idle wait; at that end the
 * scheduler moves to the next window (kernel_schedule), which puts a
 * running thread of the window that ended back at the front of its queue
 * (sched_set_window_domain), and picks again. */
#include <stddef.h>
#include "arch.h"
#include "config.h"
#include "kernel.h"
#include "objects.h"
#include "sched.h"
#include "vtimer.h"

uint64_t kernel_entry_time;           /* the counter at this kernel entry */
static uint64_t slice_ticks;
static uint64_t last_charged;         /* when current_thread was last charged */
uint64_t timeslice_armed = UINT64_MAX;       /* the deadline the timer holds */
uint64_t timeslice_next_refill = UINT64_MAX; /* earliest refill, or window end (sched.h) */
#define armed timeslice_armed
#define next_refill timeslice_next_refill

static void domain_turn(uint64_t now);

/* The domain schedule: windows run in order, round and round, from the
 * moment it was set. */
struct domain_window {
    uint64_t ticks;
    uint32_t domain;
};
static struct domain_window windows[CONFIG_DOMAIN_WINDOWS];
static uint32_t window_count, window_index;
static uint64_t window_cycle;                 /* all windows' ticks */
uint64_t domain_window_end = UINT64_MAX;

static uint64_t timeslice_ticks(void)
{
    if (slice_ticks == 0)
        slice_ticks = (uint64_t)arch_timer_frequency() * CONFIG_TIMESLICE_US / 1000000u;
    return slice_ticks;
}

static uint64_t earliest(uint64_t a, uint64_t b)
{
    return a < b ? a : b;
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

void sched_account(void)
{
    uint64_t now = arch_timer_now();
    struct thread *thread = current_thread;
    kernel_entry_time = now;
    if (thread && thread->sched_context && !sched_context_unlimited(thread->sched_context))
        sched_context_charge(thread->sched_context, now - last_charged, now);
    last_charged = now;
}

/* The timer fired (and is off now): rotate the thread whose slice ended. */
void timer_tick(void)
{
    struct thread *thread = current_thread;
    armed = UINT64_MAX;
    sched_account();
    vtimer_expire(kernel_entry_time);
    timeslice_arm_by(vtimer_next_deadline());
    if (thread && thread->state == THREAD_RUNNABLE && kernel_entry_time >= thread->slice_end) {
        thread->slice_end = 0;
        sched_rotate_current();
    }
}

/* Make `next` current; the timer must fire by the first of its slice end,
 * its budget running out, and the next refill or window end. */
void kernel_switch_to(struct thread *next)
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

void domain_set_schedule(const uint32_t *pairs, uint32_t count)
{
    uint64_t now = arch_timer_now();
    window_cycle = 0;
    for (uint32_t i = 0; i < count; i++) {
        windows[i].domain = pairs[2 * i];
        windows[i].ticks = (uint64_t)pairs[2 * i + 1] * arch_timer_frequency() / 1000000u;
        if (windows[i].ticks == 0)
            windows[i].ticks = 1; /* a slow counter: never an empty window */
        window_cycle += windows[i].ticks;
    }
    window_count = count;
    window_index = 0;
    if (count == 0) {
        domain_window_end = UINT64_MAX;
        sched_set_window_domain(0);
        return;
    }
    domain_window_end = now + windows[0].ticks;
    sched_set_window_domain(windows[0].domain);
    timeslice_arm_by(domain_window_end);
}

uint64_t domain_advance(uint64_t now, uint64_t next_event)
{
    if (window_count == 0)
        return next_event;
    if (now >= domain_window_end)
        domain_turn(now);
    return earliest(next_event, domain_window_end);
}

/* Whole cycles that passed unseen (a long stretch with the timer
 * masked) are skipped at once; then at most one lap of windows. Each
 * window ends its length after the previous one's end: no drift. */
static void domain_turn(uint64_t now)
{
    uint64_t end = domain_window_end;
    uint32_t index = window_index;
    if (now - end >= window_cycle)
        end += (now - end) / window_cycle * window_cycle;
    do {
        index = index + 1 == window_count ? 0 : index + 1;
        end += windows[index].ticks;
    } while (now >= end);
    window_index = index;
    domain_window_end = end;
    sched_set_window_domain(windows[index].domain);
}

struct thread *kernel_schedule(void)
{
    struct thread *next;
    for (;;) {
        next_refill = sched_context_refill(kernel_entry_time);
        /* After the refills (the current thread may be refilled): a window
         * that ended makes way for the next, and its end is a deadline. */
        if (__builtin_expect(domain_window_end != UINT64_MAX, 0))
            next_refill = domain_advance(kernel_entry_time, next_refill);
        if ((next = sched_choose()) != NULL)
            break;
        timer_arm(earliest(next_refill, vtimer_next_deadline()));
        arch_wait_for_interrupt();
        sched_account();
    }
    kernel_switch_to(next);
    return next;
}
