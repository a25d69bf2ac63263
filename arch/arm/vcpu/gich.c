/* The GICv2 virtual interface control block (GICH): list registers hold the
 * virtual interrupts a guest sees through the GICV CPU interface. The kernel
 * injects for the VMM, reports EOIs it asked for (maintenance interrupt) and
 * injects the virtual timer itself when the VMM has bound it. */
#include "opal/error.h"
#include "opal/fault.h"
#include "core/gicv2.h"
#include "arch/cp15.h"
#include "arch/guest.h"
#include "arm.h"
#include "fault.h"
#include "kernel.h"
#include "objects.h"
#include "platform.h"
#include "sched.h"

#define CNTV_CTL_IMASK  (1u << 1)

#define maintenance_deferred (arch_core_self()->maintenance_deferred)
#define vcpu_loaded (arch_core_self()->vcpu_loaded)

static volatile uint32_t *gich_at(uint32_t offset)
{
    return (volatile uint32_t *)(platform.gich_base + offset);
}

void gich_init(void)
{
    *gich_at(GICH_HCR) = 0;
    for (unsigned i = 0; i < OPAL_VCPU_LIST_REGISTERS; i++)
        *gich_at(GICH_LR(i)) = 0;
    gic_enable(platform.maintenance_irq);
}

void gich_save(uint32_t *registers)
{
    registers[OPAL_VCPU_GICH_HCR] = *gich_at(GICH_HCR);
    registers[OPAL_VCPU_GICH_VMCR] = *gich_at(GICH_VMCR);
    registers[OPAL_VCPU_GICH_APR] = *gich_at(GICH_APR);
    for (unsigned i = 0; i < OPAL_VCPU_LIST_REGISTERS; i++)
        registers[OPAL_VCPU_GICH_LR0 + i] = *gich_at(GICH_LR(i));
}

void gich_load(const uint32_t *registers)
{
    *gich_at(GICH_VMCR) = registers[OPAL_VCPU_GICH_VMCR];
    *gich_at(GICH_APR) = registers[OPAL_VCPU_GICH_APR];
    for (unsigned i = 0; i < OPAL_VCPU_LIST_REGISTERS; i++)
        *gich_at(GICH_LR(i)) = registers[OPAL_VCPU_GICH_LR0 + i];
    *gich_at(GICH_HCR) = registers[OPAL_VCPU_GICH_HCR];
}

void gich_disable(void)
{
    *gich_at(GICH_HCR) = 0;
    for (unsigned i = 0; i < OPAL_VCPU_LIST_REGISTERS; i++)
        *gich_at(GICH_LR(i)) = 0;
}

/* A list register as it is now: in the CPU if the vCPU is loaded. */
static uint32_t lr_read(struct vcpu *vcpu, unsigned n)
{
    return vcpu == vcpu_loaded ? *gich_at(GICH_LR(n))
                               : vcpu->arch.registers[OPAL_VCPU_GICH_LR0 + n];
}

static void lr_write(struct vcpu *vcpu, unsigned n, uint32_t value)
{
    if (vcpu == vcpu_loaded)
        *gich_at(GICH_LR(n)) = value;
    else
        vcpu->arch.registers[OPAL_VCPU_GICH_LR0 + n] = value;
}

/* Free: nothing in it, and no EOI waiting to be reported. */
static bool lr_free(uint32_t lr)
{
    return (lr & GICH_LR_STATE) == 0 && (lr & GICH_LR_EOI) == 0;
}

int arch_vcpu_inject(struct vcpu *vcpu, uint32_t irq, uint32_t priority, uint32_t slot,
                     uint32_t flags, uint32_t *used)
{
    uint32_t value = irq | GICH_LR_PENDING | (priority >> 3) << GICH_LR_PRIORITY_SHIFT |
                     (flags & OPAL_VIRQ_GROUP1 ? GICH_LR_GROUP1 : 0) |
                     (flags & OPAL_VIRQ_NOTIFY_EOI ? GICH_LR_EOI : 0);
    if (slot == OPAL_VIRQ_ANY_SLOT) {
        /* Already there: pending stays pending, active becomes pending too. */
        for (unsigned n = 0; n < OPAL_VCPU_LIST_REGISTERS; n++) {
            uint32_t lr = lr_read(vcpu, n);
            if ((lr & GICH_LR_VIRTUAL_ID) == irq && (lr & GICH_LR_STATE) != 0) {
                lr_write(vcpu, n, lr | GICH_LR_PENDING);
                *used = n;
                return OPAL_OK;
            }
        }
        for (slot = 0; slot < OPAL_VCPU_LIST_REGISTERS && !lr_free(lr_read(vcpu, slot)); slot++)
            ;
        if (slot == OPAL_VCPU_LIST_REGISTERS)
            return OPAL_ERR_BUSY;
    }
    lr_write(vcpu, slot, value);
    *used = slot;
    return OPAL_OK;
}

bool arch_vcpu_interrupt_pending(struct vcpu *vcpu)
{
    for (unsigned n = 0; n < OPAL_VCPU_LIST_REGISTERS; n++)
        if (lr_read(vcpu, n) & GICH_LR_PENDING)
            return true;
    return false;
}

/* The guest EOI'd an interrupt injected with NOTIFY_EOI: free its list
 * register and tell the VMM, through the vCPU thread's fault endpoint. That
 * needs the thread between guest instructions: running, preempted, or idle
 * after a WFI (which then ends early, as WFI may). While it waits for the VMM
 * instead, the interrupt stays off until the guest is entered again (it is
 * level, so nothing is lost). */
void gich_handle_maintenance(void)
{
    struct vcpu *vcpu = vcpu_loaded;
    struct thread *thread = vcpu ? vcpu->thread : NULL;
    if (thread == NULL ||
        (thread->state != THREAD_RUNNABLE && thread->state != THREAD_BLOCKED_GUEST_IDLE)) {
        gic_disable(platform.maintenance_irq);
        maintenance_deferred = true;
        return;
    }
    uint32_t eoied = *gich_at(GICH_EISR0);
    if (!(*gich_at(GICH_MISR) & GICH_MISR_EOI) || eoied == 0)
        return;
    unsigned n = (unsigned)__builtin_ctz(eoied);
    uint32_t irq = *gich_at(GICH_LR(n)) & GICH_LR_VIRTUAL_ID;
    *gich_at(GICH_LR(n)) = 0;
    thread->fault_words[0] = irq;
    thread->fault_words[1] = n;
    /* Not an instruction: an emulation reply to it must not complete an
     * earlier exit the VMM answered otherwise (retry, set pc). */
    exit_record(thread, OPAL_GUEST_EXIT_EOI, OPAL_GUEST_EXIT_EOI_LENGTH, 0, NO_REGISTER,
                NO_REGISTER);
    fault_send(thread);
}

void gich_guest_entry(void)
{
    if (maintenance_deferred) {
        maintenance_deferred = false;
        gic_enable(platform.maintenance_irq);
    }
}

/* The virtual timer fired while a vCPU was loaded. With a binding the kernel
 * masks it at the timer (the guest unmasks it when it sets the next event)
 * and injects it; otherwise the IRQ handler's holder gets it. */
bool gich_handle_vtimer(void)
{
    struct vcpu *vcpu = vcpu_loaded;
    if (vcpu == NULL || vcpu->vtimer_irq == 0)
        return false;
    cntv_ctl_write(cntv_ctl_read() | CNTV_CTL_IMASK);
    isb();
    vcpu_inject_vtimer(vcpu);
    return true;
}
