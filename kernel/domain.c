/* The domain schedule: fixed windows, each a domain's, in order, round and
 * round from the moment the schedule was set (docs/api.md). The scheduler
 * (kernel/sched.c) lets only the window's domain (and domain 0) run. One
 * schedule for the machine; each core follows it on the shared counter
 * with its own timer (its window index and end are in struct core), so all
 * cores change windows together without talking to each other. */
#include <stdint.h>
#include "arch.h"
#include "config.h"
#include "core.h"
#include "platform.h"
#include "sched.h"

struct domain_window {
    uint64_t ticks;
    uint32_t domain;
};
static struct domain_window windows[CONFIG_DOMAIN_WINDOWS];
static uint32_t window_count;
static uint64_t window_cycle;                 /* all windows' ticks */

static void domain_turn(struct core *core, uint64_t now);

/* Every core starts the schedule (or drops it) now; the others re-arm
 * their timers when the IPI brings them in. */
static void start_on_every_core(uint64_t now)
{
    for (unsigned c = 0; c < platform.cores; c++) {
        struct core *core = &cores[c];
        core->window_index = 0;
        core->window_end = window_count ? now + windows[0].ticks : UINT64_MAX;
        sched_set_window_domain(core, window_count ? windows[0].domain : 0);
        if (core != core_self())
            core_reschedule(core);
    }
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
    start_on_every_core(now);
    if (count != 0)
        timeslice_arm_by(domain_window_end);
}

uint64_t domain_advance(uint64_t now, uint64_t next_event)
{
    struct core *self = core_self();
    if (window_count == 0)
        return next_event;
    if (now >= self->window_end)
        domain_turn(self, now);
    return next_event < self->window_end ? next_event : self->window_end;
}

/* Whole cycles that passed unseen (a long stretch with the timer
 * masked) are skipped at once; then at most one lap of windows. Each
 * window ends its length after the previous one's end: no drift. */
static void domain_turn(struct core *core, uint64_t now)
{
    uint64_t end = core->window_end;
    uint32_t index = core->window_index;
    if (now - end >= window_cycle)
        end += (now - end) / window_cycle * window_cycle;
    do {
        index = index + 1 == window_count ? 0 : index + 1;
        end += windows[index].ticks;
    } while (now >= end);
    core->window_index = index;
    core->window_end = end;
    sched_set_window_domain(core, windows[index].domain);
}
