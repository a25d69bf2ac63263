/* The constants vectors.S and head.S need, computed by the compiler from their C
 * definitions: the build compiles this file to assembly and turns each
 * "->NAME value" marker into a #define (build/generated/asm_offsets.h), so
 * no offset or number is written twice by hand. Not linked. */
#include <stddef.h>
#include "opal/syscall.h"
#include "core/hsr.h"
#include "arch/types.h"
#include "core.h"

#define DEFINE(name, value) __asm__ volatile("\n.ascii \"->" #name " %c0\"" ::"i"(value))

void asm_offsets(void);
void asm_offsets(void)
{
    DEFINE(CONTEXT_SP_OFFSET, offsetof(struct arch_context, sp));
    DEFINE(CORE_STACK_TOP, offsetof(struct core, arch.stack_top));
    DEFINE(CORE_PANIC_CONTEXT, offsetof(struct core, arch.panic_context));
    DEFINE(KERNEL_STACK_SIZE, ARCH_KERNEL_STACK_SIZE);
    DEFINE(SYS_CALL, OPAL_SYS_CALL);
    DEFINE(SYS_REPLY_RECV, OPAL_SYS_REPLY_RECV);
    DEFINE(CLASS_SVC, HSR_CLASS_SVC);
}
