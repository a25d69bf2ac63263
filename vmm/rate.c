/* The rate limiter for the VMM's lines a guest can provoke again and again
 * (stray accesses, unknown system registers): the first VMM_RATE_BURST of a
 * kind pass, then at most one a second, carrying how many were held back. */
#include <stdarg.h>
#include "core/format.h"
#include "vmm/vmm.h"

/* Whether a line passes now; counts the ones that do not. */
static bool rate_pass(struct vmm_rate *rate, uint64_t now, uint64_t second)
{
    if (rate->passed < VMM_RATE_BURST || now - rate->last >= second) {
        rate->passed++;
        rate->last = now;
        return true;
    }
    rate->held++;
    return false;
}

void vmm_log_limited(struct vm *vm, struct vmm_rate *rate, const char *format_text, ...)
{
    if (!rate_pass(rate, vmm_now(), vm->ticks_per_second))
        return;
    char line[192];
    va_list args;
    va_start(args, format_text);
    format_string_v(line, sizeof line, format_text, args);
    va_end(args);
    if (rate->held != 0)
        vmm_log(vm, "%s (%u more like it held back)", line, rate->held);
    else if (rate->passed == VMM_RATE_BURST)
        vmm_log(vm, "%s (further ones at most once a second)", line);
    else
        vmm_log(vm, "%s", line);
    rate->held = 0;
}
