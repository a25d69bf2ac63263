/* The domain schedule (/schedule in the description): each component named
 * in a window gets its own kernel domain (1, 2, ... in order of first
 * appearance) and runs only in its windows; everything else (init, the
 * console server, components in no window) is in domain 0, which may run in
 * any window (docs/api.md, Domains). */
#include "core/string.h"
#include "init.h"

#define MAX_DOMAINS (OPAL_DOMAINS - 1)   /* domain 0 is the system's */

/* The domain of the component with this name: 0 if it has no window. */
uint32_t schedule_domain(const struct system *system, const char *name)
{
    const char *seen[MAX_DOMAINS];
    uint32_t count = 0;
    for (uint32_t i = 0; i < system->window_count; i++) {
        const char *owner = system->windows[i].component;
        uint32_t d = 0;
        while (d < count && core_strcmp(seen[d], owner) != 0)
            d++;
        if (d == count && count < MAX_DOMAINS)
            seen[count++] = owner;
        if (d < count && core_strcmp(owner, name) == 0)
            return d + 1;
    }
    return 0;
}

int schedule_start(const struct system *system)
{
    uint32_t pairs[2 * SYSTEM_MAX_WINDOWS];
    for (uint32_t i = 0; i < system->window_count; i++) {
        pairs[2 * i] = schedule_domain(system, system->windows[i].component);
        pairs[2 * i + 1] = system->windows[i].length_us;
    }
    if (system->window_count == 0)
        return OPAL_OK;
    int error = opal_sched_control_set_domain_schedule(OPAL_CAP_SCHED_CONTROL,
                                                       system->window_count, pairs);
    if (error != OPAL_OK)
        printf("init: the domain schedule: %s\n", opal_error_name(error));
    else
        printf("init: domain schedule started: %u windows\n", (unsigned)system->window_count);
    return error;
}
