/* Host fakes of the arch_* context calls: registers are plain fields. */
#include "arch.h"

void arch_context_init_user(struct arch_context *context, uint32_t entry, uint32_t stack_top,
                            uint32_t argument)
{
    *context = (struct arch_context){ .sp = stack_top, .pc = entry };
    context->r[0] = argument;
}

uint32_t arch_context_get(const struct arch_context *context, unsigned index)
{
    return index < 13 ? context->r[index] : 0;
}

void arch_context_set(struct arch_context *context, unsigned index, uint32_t value)
{
    if (index < 13)
        context->r[index] = value;
}

uint32_t arch_context_pc(const struct arch_context *context)
{
    return context->pc;
}

void arch_context_restart_syscall(struct arch_context *context)
{
    context->pc -= 4;
}
