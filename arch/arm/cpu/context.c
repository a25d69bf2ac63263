/* User register contexts: how a native thread starts, and where its pc is
 * (the register ABI's accessors are arch/abi.h). */
#include "arch.h"

#define CPSR_USER_MODE 0x10u
#define CPSR_THUMB     0x20u

void arch_context_init_user(struct arch_context *context, uint32_t entry, uint32_t stack_top,
                            uint32_t argument)
{
    /* An odd entry address is Thumb code, as for a BX. */
    *context = (struct arch_context){ .sp = stack_top, .pc = entry & ~1u,
                                      .cpsr = CPSR_USER_MODE | (entry & 1u ? CPSR_THUMB : 0) };
    context->r[0] = argument;
}

uint32_t arch_context_pc(const struct arch_context *context)
{
    return context->pc;
}

/* ELR points after the SVC: its length back (ARM or Thumb encoding). */
uint32_t arch_context_syscall_pc(const struct arch_context *context)
{
    return context->pc - (context->cpsr & CPSR_THUMB ? 2 : 4);
}

void arch_context_restart_syscall(struct arch_context *context)
{
    context->pc = arch_context_syscall_pc(context);
}
