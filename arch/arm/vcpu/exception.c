/* Exceptions a guest takes on its VMM's answer to an exit, entered as the
 * architecture enters them (ARM ARM B1.8): a synchronous external abort for
 * an access nothing serves, an undefined instruction for a register nothing
 * implements. */
#include "opal/fault.h"
#include "arch/guest.h"
#include "objects.h"

#define MODE_MASK 0x1fu
#define MODE_ABT  0x17u
#define MODE_UND  0x1bu
#define CPSR_T    (1u << 5)
#define CPSR_I    (1u << 7)
#define CPSR_A    (1u << 8)
#define CPSR_E    (1u << 9)
#define CPSR_IT   (0x3u << 25 | 0x3fu << 10)
#define CPSR_J    (1u << 24)
#define SCTLR_V   (1u << 13)  /* high vectors */
#define SCTLR_EE  (1u << 25)
#define SCTLR_TE  (1u << 30)  /* exceptions in Thumb state */
#define TTBCR_EAE (1u << 31)  /* long-descriptor format: its fault status encoding */
#define HIGH_VECTORS 0xffff0000u

#define VECTOR_UNDEFINED 0x04u
#define VECTOR_PREFETCH_ABORT 0x0cu
#define VECTOR_DATA_ABORT 0x10u

/* Synchronous external abort, not on a translation table walk. */
#define FSR_EXTERNAL_SHORT 0x008u
#define FSR_EXTERNAL_LONG  (1u << 9 | 0x10u)
#define FSR_WNR (1u << 11)

/* Enter `mode` at `vector` with LR = pc + return_offset, as the guest's
 * SCTLR and VBAR say. Its state is brought into memory first. */
static void take_exception(struct thread *thread, uint32_t mode, uint32_t vector,
                           uint32_t return_offset)
{
    struct vcpu *vcpu = thread->vcpu;
    struct arch_context *context = &thread->context;
    uint32_t *r = vcpu->arch.registers;
    vcpu_sync(vcpu);
    uint32_t sctlr = r[OPAL_VCPU_SCTLR], cpsr = context->cpsr;
    bool abort = mode == MODE_ABT;
    r[abort ? OPAL_VCPU_LR_ABT : OPAL_VCPU_LR_UND] = context->pc + return_offset;
    r[abort ? OPAL_VCPU_SPSR_ABT : OPAL_VCPU_SPSR_UND] = cpsr;
    cpsr &= ~(MODE_MASK | CPSR_T | CPSR_E | CPSR_IT | CPSR_J);
    cpsr |= mode | CPSR_I | (abort ? CPSR_A : 0) | (sctlr & SCTLR_TE ? CPSR_T : 0) |
            (sctlr & SCTLR_EE ? CPSR_E : 0);
    context->cpsr = cpsr;
    context->pc = (sctlr & SCTLR_V ? HIGH_VECTORS : r[OPAL_VCPU_VBAR]) + vector;
}

static void raise_abort(struct thread *thread)
{
    struct arch_vcpu *state = &thread->vcpu->arch;
    uint32_t *r = state->registers;
    bool fetch = state->exit_access & OPAL_GUEST_ACCESS_FETCH;
    uint32_t status = r[OPAL_VCPU_TTBCR] & TTBCR_EAE ? FSR_EXTERNAL_LONG : FSR_EXTERNAL_SHORT;
    /* take_exception syncs the state first: the fault registers go in after. */
    if (fetch) {
        take_exception(thread, MODE_ABT, VECTOR_PREFETCH_ABORT, 4);
        r[OPAL_VCPU_IFSR] = status;
        r[OPAL_VCPU_IFAR] = state->exit_address;
        return;
    }
    take_exception(thread, MODE_ABT, VECTOR_DATA_ABORT, 8);
    r[OPAL_VCPU_DFSR] = status | (state->exit_access & OPAL_GUEST_ACCESS_WRITE ? FSR_WNR : 0);
    r[OPAL_VCPU_DFAR] = state->exit_address;
}

static void raise_undefined(struct thread *thread)
{
    take_exception(thread, MODE_UND, VECTOR_UNDEFINED, thread->context.cpsr & CPSR_T ? 2 : 4);
}

void arch_vcpu_raise_exception(struct thread *thread, uint32_t answer)
{
    struct arch_vcpu *state = &thread->vcpu->arch;
    uint32_t exit = state->exit_label;
    if (answer == OPAL_FAULT_REPLY_ABORT && exit == OPAL_GUEST_EXIT_ABORT)
        raise_abort(thread);
    else if (answer == OPAL_FAULT_REPLY_UNDEFINED &&
             (exit == OPAL_GUEST_EXIT_SYSREG || exit == OPAL_GUEST_EXIT_SMC ||
              exit == OPAL_GUEST_EXIT_EXCEPTION))
        raise_undefined(thread);
    state->exit_advance = 0;
    state->exit_label = 0;
}
