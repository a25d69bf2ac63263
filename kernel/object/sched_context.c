/* Scheduling contexts: a budget of CPU time per period. A thread runs only
 * while its context has budget left; a depleted context is refilled at the
 * start of its next period. SchedControl configures budgets. */
#include <stddef.h>
#include "opal/error.h"
#include "arch.h"
#include "config.h"
#include "core.h"
#include "objects.h"
#include "sched.h"

/* Depleted contexts wait in the list of the core that charged them
 * (context->core; core.h), and that core's timer refills them. A context
 * goes with its thread to another core (sched_context_move). */

static uint64_t microseconds_to_ticks(uint32_t microseconds)
{
    return (uint64_t)microseconds * arch_timer_frequency() / 1000000u;
}

void sched_context_bind(struct sched_context *context, struct thread *thread)
{
    sched_context_move(context, thread->core);
    context->thread = thread;
    thread->sched_context = context;
    thread_note_budget(thread);
    if (thread->state == THREAD_RUNNABLE && !sched_is_current(thread))
        sched_enqueue(thread);
}

static void remove_depleted(struct sched_context *context)
{
    struct core *core = &cores[context->core];
    for (struct sched_context **link = &core->depleted; *link; link = &(*link)->next_depleted) {
        if (*link == context) {
            *link = context->next_depleted;
            break;
        }
    }
    context->depleted = 0;
    context->next_depleted = NULL;
}

void sched_context_unbind(struct sched_context *context)
{
    struct thread *thread = context->thread;
    if (context->depleted)
        remove_depleted(context);
    if (thread == NULL)
        return;
    sched_dequeue(thread);
    if (sched_is_current(thread))
        core_reschedule(core_of(thread)); /* it may not run on: its core must see */
    thread->sched_context = NULL;
    thread_note_budget(thread);
    context->thread = NULL;
}

/* Charge `ticks` of CPU time that ended at `now`. The budget holds for a
 * window of one period: a run that starts after the window has passed opens
 * a new one with a full budget; a spent budget comes back when the window
 * ends. So no window of one period ever holds more than one budget. */
void sched_context_charge(struct sched_context *context, uint64_t ticks, uint64_t now)
{
    if (context->full || context->depleted)
        return;
    uint64_t began = now - ticks;
    if (began >= context->window_start + context->period) {
        context->window_start = began;
        context->remaining = context->budget;
    }
    context->remaining = ticks < context->remaining ? context->remaining - ticks : 0;
    if (context->remaining > 0)
        return;
    struct core *self = core_self();
    context->depleted = 1;
    context->core = (uint8_t)self->index;
    context->next_depleted = self->depleted;
    self->depleted = context;
    if (context->thread)
        sched_dequeue(context->thread);
}

/* Refill every context whose window has ended; the earliest refill still
 * pending, or UINT64_MAX. */
uint64_t sched_context_refill(uint64_t now)
{
    uint64_t next = UINT64_MAX;
    struct sched_context **link = &core_self()->depleted;
    while (*link) {
        struct sched_context *context = *link;
        uint64_t refill = context->window_start + context->period;
        if (refill > now) {
            next = refill < next ? refill : next;
            link = &context->next_depleted;
            continue;
        }
        *link = context->next_depleted;
        context->depleted = 0;
        context->next_depleted = NULL;
        context->window_start = refill;
        context->remaining = context->budget;
        struct thread *thread = context->thread;
        if (thread && thread->state == THREAD_RUNNABLE && !sched_is_current(thread))
            sched_enqueue(thread);
    }
    return next;
}

/* Its thread moved to `core`: a depleted context waits for its refill there. */
void sched_context_move(struct sched_context *context, unsigned core)
{
    if (!context->depleted || context->core == core)
        return;
    remove_depleted(context);
    context->depleted = 1;
    context->core = (uint8_t)core;
    context->next_depleted = cores[core].depleted;
    cores[core].depleted = context;
    core_reschedule(&cores[core]); /* its timer must be armed for the refill */
}

static int configure(struct invocation *invocation)
{
    struct slot *slot;
    uint32_t *arguments = invocation->arguments;
    if (invocation->length < 3)
        return invocation_truncated(invocation);
    int error = invocation_lookup(invocation, 0, OPAL_OBJECT_SCHED_CONTEXT, &slot);
    if (error != OPAL_OK)
        return error;
    uint32_t budget = arguments[1], period = arguments[2];
    /* The period first: the budget's bounds depend on it. */
    if (period == 0 || period > OPAL_SCHED_PERIOD_MAX_US)
        return invocation_out_of_range(invocation, 2, 1, OPAL_SCHED_PERIOD_MAX_US);
    if (budget == 0 || budget > period)
        return invocation_out_of_range(invocation, 1, 1, period);
    struct sched_context *context = cap_object(&slot->cap);
    if (context->depleted)
        remove_depleted(context);
    context->budget = microseconds_to_ticks(budget);
    context->period = microseconds_to_ticks(period);
    context->full = budget == period;
    if (context->thread)
        thread_note_budget(context->thread);
    if (context->full)
        context->budget = context->period;
    context->remaining = context->budget;
    context->window_start = arch_timer_now();
    struct thread *thread = context->thread;
    if (thread && thread->state == THREAD_RUNNABLE && !sched_is_current(thread))
        sched_enqueue(thread);
    return OPAL_OK;
}

/* count, then `count` pairs (domain 1..15, window length in µs). Every
 * argument is checked before anything changes. */
static int set_domain_schedule(struct invocation *invocation)
{
    const uint32_t *arguments = invocation->arguments;
    if (invocation->length < 1)
        return invocation_truncated(invocation);
    uint32_t count = arguments[0];
    if (count > CONFIG_DOMAIN_WINDOWS)
        return invocation_out_of_range(invocation, 0, 0, CONFIG_DOMAIN_WINDOWS);
    if (invocation->length < 1 + 2 * count)
        return invocation_truncated(invocation);
    /* The total is judged after every window's own checks (as it always
     * was); a RANGE for it names the window that took it past the limit. */
    uint64_t total = 0, before_over = 0;
    uint32_t over = 0; /* argument index of that window's length; 0: none */
    for (uint32_t i = 0; i < count; i++) {
        uint32_t domain = arguments[1 + 2 * i], length = arguments[2 + 2 * i];
        if (domain == 0 || domain >= CONFIG_DOMAINS)
            return invocation_refuse(invocation, OPAL_ERR_INVALID_ARGUMENT, 1 + 2 * i);
        if (length < CONFIG_DOMAIN_WINDOW_MIN_US)
            return invocation_out_of_range(invocation, 2 + 2 * i, CONFIG_DOMAIN_WINDOW_MIN_US,
                                           CONFIG_DOMAIN_SCHEDULE_MAX_US);
        if (over == 0 && total + length > CONFIG_DOMAIN_SCHEDULE_MAX_US) {
            over = 2 + 2 * i;
            before_over = total;
        }
        total += length;
    }
    if (over != 0)
        return invocation_out_of_range(invocation, over, CONFIG_DOMAIN_WINDOW_MIN_US,
                                       CONFIG_DOMAIN_SCHEDULE_MAX_US - (uint32_t)before_over);
    domain_set_schedule(&arguments[1], count);
    return OPAL_OK;
}

/* tcb cptr, domain 0..15. */
static int set_domain(struct invocation *invocation)
{
    struct slot *slot;
    if (invocation->length < 2)
        return invocation_truncated(invocation);
    int error = invocation_lookup(invocation, 0, OPAL_OBJECT_TCB, &slot);
    if (error != OPAL_OK)
        return error;
    uint32_t domain = invocation->arguments[1];
    if (domain >= CONFIG_DOMAINS)
        return invocation_refuse(invocation, OPAL_ERR_INVALID_ARGUMENT, 1);
    sched_set_domain(cap_object(&slot->cap), domain);
    return OPAL_OK;
}

int sched_control_invoke(struct invocation *invocation)
{
    switch (invocation->label) {
    case OPAL_SCHED_CONTROL_CONFIGURE: return configure(invocation);
    case OPAL_SCHED_CONTROL_SET_DOMAIN_SCHEDULE: return set_domain_schedule(invocation);
    case OPAL_SCHED_CONTROL_SET_DOMAIN: return set_domain(invocation);
    default: return invocation_no_method(invocation);
    }
}
