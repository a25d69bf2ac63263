/* The domain schedule: fixed windows, each a domain's, in order, round and
 * round from the moment the schedule was set (docs/api.md). The scheduler
 * (kernel/sched.c) lets only the window's domain (and domain 0) run. */
#include <stdint.h>
#include "arch.h"
#include "config.h"
#include "sched.h"

struct domain_window {
    uint64_t ticks;
    uint32_t domain;
};
static struct domain_window windows[CONFIG_DOMAIN_WINDOWS];
static uint32_t window_count, window_index;
static uint64_t window_cycle;                 /* all windows' ticks */
uint64_t domain_window_end = UINT64_MAX;

static void domain_turn(uint64_t now);

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
    return next_event < domain_window_end ? next_event : domain_window_end;
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
