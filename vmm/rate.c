/* The rate limiter for the VMM's lines a guest can provoke again and again
 * (stray accesses, unknown system registers): the first VMM_RATE_BURST of a
 * kind pass, then at most one a second, carrying how many were held back. */
#include <stdarg.h>
#include "core/format.h"
#include "vmm/vmm.h"

void vmm_log_limited(struct vm *vm, struct rate_limit *rate, const char *format_text, ...)
{
    if (!rate_limit_pass(rate, VMM_RATE_BURST, vmm_now(), vm->ticks_per_second))
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
