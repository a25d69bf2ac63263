/* vCPU register access for the VMM (VCPU_READ/WRITE_REGISTER) and for
 * finishing emulated instructions: the general registers as the guest's
 * current mode sees them, the banked copies, and the saved system state. */
#include "opal/error.h"
#include "core/gicv2.h"
#include "arch/cp14.h"
#include "arch/guest.h"
#include "objects.h"

#define CPSR_MODE(cpsr) ((cpsr) & 0x1fu)
#define MODE_USR 0x10u
#define MODE_FIQ 0x11u
#define MODE_IRQ 0x12u
#define MODE_SVC 0x13u
#define MODE_ABT 0x17u
#define MODE_UND 0x1bu
#define MODE_SYS 0x1fu
#define CPSR_J   (1u << 24)

/* Modes a guest may be in (never HYP or MON). */
static bool guest_mode_valid(uint32_t mode)
{
    return mode == MODE_USR || mode == MODE_FIQ || mode == MODE_IRQ || mode == MODE_SVC ||
           mode == MODE_ABT || mode == MODE_UND || mode == MODE_SYS;
}

/* The saved banked SP of a mode (LR follows it, SPSR after that), or the
 * user registers for USR and SYS. */
static uint32_t banked_sp_index(uint32_t mode)
{
    switch (mode) {
    case MODE_FIQ: return OPAL_VCPU_SP_FIQ;
    case MODE_IRQ: return OPAL_VCPU_SP_IRQ;
    case MODE_SVC: return OPAL_VCPU_SP_SVC;
    case MODE_ABT: return OPAL_VCPU_SP_ABT;
    case MODE_UND: return OPAL_VCPU_SP_UND;
    default: return OPAL_VCPU_SP_USR;
    }
}

static bool index_valid(uint32_t index)
{
    return index <= OPAL_VCPU_SPSR_FIQ ||
           (index >= OPAL_VCPU_SCTLR && index <= OPAL_VCPU_TEEHBR) ||
           (index >= OPAL_VCPU_CNTV_CTL && index <= OPAL_VCPU_CNTVOFF_HIGH) ||
           (index >= OPAL_VCPU_GICH_HCR && index <= OPAL_VCPU_GICH_LR3) ||
           (index >= OPAL_VCPU_PMUSERENR && index < OPAL_VCPU_DEBUG_END);
}

/* Where register `index` lives: the thread's trap frame, or the vCPU's
 * saved state (brought back from the CPU first). NULL if nowhere. */
static uint32_t *register_location(struct vcpu *vcpu, uint32_t index)
{
    struct thread *thread = vcpu->thread;
    if (!index_valid(index))
        return NULL;
    if (index <= OPAL_VCPU_CPSR || index == OPAL_VCPU_SP_USR || index == OPAL_VCPU_LR_USR) {
        if (thread == NULL)
            return NULL;
        struct arch_context *context = &thread->context;
        uint32_t mode = CPSR_MODE(context->cpsr);
        if (index == OPAL_VCPU_PC)
            return &context->pc;
        if (index == OPAL_VCPU_CPSR)
            return &context->cpsr;
        if (index == OPAL_VCPU_SP_USR)
            return &context->sp;
        if (index == OPAL_VCPU_LR_USR)
            return &context->lr;
        if (index >= 8 && index <= 12 && mode == MODE_FIQ)
            index = OPAL_VCPU_R8_FIQ + (index - 8);
        else if (index < 13)
            return &context->r[index];
        else if (banked_sp_index(mode) == OPAL_VCPU_SP_USR)
            return index == OPAL_VCPU_SP ? &context->sp : &context->lr;
        else
            index = banked_sp_index(mode) + (index - OPAL_VCPU_SP);
    }
    vcpu_sync(vcpu);
    return &vcpu->arch.registers[index];
}

bool arch_vcpu_register_exists(uint32_t index)
{
    return index_valid(index);
}

int arch_vcpu_read_register(struct vcpu *vcpu, uint32_t index, uint32_t *value)
{
    uint32_t *location = register_location(vcpu, index);
    if (location == NULL)
        return index_valid(index) ? OPAL_ERR_ILLEGAL_OPERATION : OPAL_ERR_INVALID_ARGUMENT;
    *value = *location;
    return OPAL_OK;
}

int arch_vcpu_write_register(struct vcpu *vcpu, uint32_t index, uint32_t value)
{
    if (index == OPAL_VCPU_CPSR && (!guest_mode_valid(CPSR_MODE(value)) || (value & CPSR_J)))
        return OPAL_ERR_INVALID_ARGUMENT;
    /* The kernel owns the interface's maintenance controls and physical links. */
    if (index == OPAL_VCPU_GICH_HCR && (value & ~GICH_HCR_EN))
        return OPAL_ERR_INVALID_ARGUMENT;
    if (index >= OPAL_VCPU_GICH_LR0 && index <= OPAL_VCPU_GICH_LR3 && (value & GICH_LR_HW))
        return OPAL_ERR_INVALID_ARGUMENT;
    /* Of DBGDSCR a guest controls monitor debug and user DCC access only:
     * halting debug and the rest are the kernel's (docs/isolation.md). */
    if (index == OPAL_VCPU_DBGDSCR)
        value &= DBGDSCR_GUEST_BITS;
    uint32_t *location = register_location(vcpu, index);
    if (location == NULL)
        return index_valid(index) ? OPAL_ERR_ILLEGAL_OPERATION : OPAL_ERR_INVALID_ARGUMENT;
    *location = value;
    return OPAL_OK;
}
