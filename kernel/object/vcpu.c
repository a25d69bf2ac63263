/* vCPU invocations and life cycle: binding to a thread, register access,
 * virtual interrupt injection, and blocking a guest that waits (WFI). */
#include "opal/error.h"
#include "objects.h"
#include "platform.h"
#include "sched.h"
#include "vcpu.h"
#include "vtimer.h"

#define VIRQ_MAX 1019u          /* GICv2 interrupt IDs 0..1019 */
#define VIRQ_PRIORITY_MAX 0xffu
#define NATIVE_CPSR 0x10u       /* user mode, ARM state: how every native thread runs */

void vcpu_initialise(struct vcpu *vcpu)
{
    arch_vcpu_initialise(&vcpu->arch);
    vcpu->vtimer_deadline = UINT64_MAX;
}

/* Its state goes to memory from whichever core's registers hold it. */
void vcpu_unload(struct vcpu *vcpu)
{
    core_release_vcpu(vcpu);
    arch_vcpu_unload(vcpu);
}

/* A vCPU's state is in the CPU only while it is bound, so unbinding also
 * takes it off; a thread it kept idle becomes runnable (as a native thread,
 * so in user mode: never in the guest's PL1 mode, with native HCR traps). */
void vcpu_unbind(struct vcpu *vcpu)
{
    struct thread *thread = vcpu->thread;
    if (thread == NULL)
        return;
    vcpu_unload(vcpu);
    vcpu_wake(vcpu);
    thread->vcpu = NULL;
    thread->context.cpsr = NATIVE_CPSR;
    vcpu->thread = NULL;
    vtimer_unpark(vcpu);
}

void vcpu_finalise(struct vcpu *vcpu)
{
    vcpu_unbind(vcpu);
}

void vcpu_wake(struct vcpu *vcpu)
{
    struct thread *thread = vcpu->thread;
    if (thread && thread->state == THREAD_BLOCKED_GUEST_IDLE) {
        thread->state = THREAD_RUNNABLE;
        sched_enqueue(thread);
    }
}

void vcpu_inject_vtimer(struct vcpu *vcpu)
{
    uint32_t used;
    if (arch_vcpu_inject(vcpu, vcpu->vtimer_irq, vcpu->vtimer_priority, OPAL_VIRQ_ANY_SLOT, 0,
                         &used) == OPAL_OK)
        vcpu_wake(vcpu);
}

void vcpu_wait_for_interrupt(struct thread *thread)
{
    if (arch_vcpu_interrupt_pending(thread->vcpu))
        return;
    thread->state = THREAD_BLOCKED_GUEST_IDLE;
    sched_dequeue(thread);
}

/* A thread runs one guest, a guest one thread: rebinding moves both. The
 * thread's registers become the guest's, starting in the Linux boot state. */
static int bind_tcb(struct invocation *invocation, struct vcpu *vcpu)
{
    struct slot *slot = NULL;
    if (invocation->length < 1)
        return invocation_truncated(invocation);
    if (invocation->arguments[0] != 0) {
        int error = invocation_lookup(invocation, 0, OPAL_OBJECT_TCB, &slot);
        if (error != OPAL_OK)
            return error;
    }
    struct thread *thread = slot ? cap_object(&slot->cap) : NULL;
    if (thread == invocation->caller) /* a thread cannot turn itself into a guest */
        return invocation_refuse(invocation, OPAL_ERR_ILLEGAL_OPERATION, 0);
    vcpu_unbind(vcpu);
    if (thread == NULL)
        return OPAL_OK;
    if (thread->vcpu)
        vcpu_unbind(thread->vcpu);
    thread->vcpu = vcpu;
    vcpu->thread = thread;
    thread->context.cpsr = OPAL_VCPU_BOOT_CPSR;
    return OPAL_OK;
}

static int inject(struct invocation *invocation, struct vcpu *vcpu)
{
    uint32_t *arguments = invocation->arguments;
    if (invocation->length < 4)
        return invocation_truncated(invocation);
    uint32_t irq = arguments[0], priority = arguments[1], slot = arguments[2];
    uint32_t flags = arguments[3];
    if (irq > VIRQ_MAX)
        return invocation_refuse(invocation, OPAL_ERR_INVALID_ARGUMENT, 0);
    if (priority > VIRQ_PRIORITY_MAX)
        return invocation_refuse(invocation, OPAL_ERR_INVALID_ARGUMENT, 1);
    if ((flags & ~(OPAL_VIRQ_GROUP1 | OPAL_VIRQ_NOTIFY_EOI)) != 0)
        return invocation_refuse(invocation, OPAL_ERR_INVALID_ARGUMENT, 3);
    if (slot >= OPAL_VCPU_LIST_REGISTERS && slot != OPAL_VIRQ_ANY_SLOT)
        return invocation_out_of_range(invocation, 2, 0, OPAL_VCPU_LIST_REGISTERS - 1);
    int error = arch_vcpu_inject(vcpu, irq, priority, slot, flags, &invocation->results[0]);
    if (error != OPAL_OK) /* BUSY: every list register is in use */
        return invocation_refuse(invocation, error, OPAL_ERROR_ARGUMENT_INVOKED);
    invocation->result_length = 1;
    vcpu_wake(vcpu);
    return OPAL_OK;
}

/* The timer's state or binding changed from outside: with the vCPU off the
 * CPU (register access takes it off anyway), its parked deadline is
 * recomputed from the saved state. */
static void vtimer_changed(struct vcpu *vcpu)
{
    vcpu_unload(vcpu);
    vtimer_save(vcpu);
}

static bool is_timer_register(uint32_t index)
{
    return index >= OPAL_VCPU_CNTV_CTL && index <= OPAL_VCPU_CNTVOFF_HIGH;
}

/* The arch's refusal of a register access whose number exists: a value it
 * does not take (INVALID_ARGUMENT, argument 1), or a register the vCPU's
 * state does not hold now (ILLEGAL_OPERATION: a general register of an
 * unbound vCPU). */
static int register_refused(struct invocation *invocation, int error)
{
    return invocation_refuse(invocation, error, error == OPAL_ERR_INVALID_ARGUMENT
                                                    ? 1 : OPAL_ERROR_ARGUMENT_INVOKED);
}

static int read_register(struct invocation *invocation, struct vcpu *vcpu)
{
    if (invocation->length < 1)
        return invocation_truncated(invocation);
    if (!arch_vcpu_register_exists(invocation->arguments[0]))
        return invocation_refuse(invocation, OPAL_ERR_INVALID_ARGUMENT, 0);
    int error = arch_vcpu_read_register(vcpu, invocation->arguments[0], &invocation->results[0]);
    if (error != OPAL_OK)
        return register_refused(invocation, error);
    invocation->result_length = 1;
    return OPAL_OK;
}

static int write_register(struct invocation *invocation, struct vcpu *vcpu)
{
    if (invocation->length < 2)
        return invocation_truncated(invocation);
    uint32_t index = invocation->arguments[0];
    if (!arch_vcpu_register_exists(index))
        return invocation_refuse(invocation, OPAL_ERR_INVALID_ARGUMENT, 0);
    int error = arch_vcpu_write_register(vcpu, index, invocation->arguments[1]);
    if (error != OPAL_OK)
        return register_refused(invocation, error);
    if (is_timer_register(index))
        vtimer_changed(vcpu);
    return OPAL_OK;
}

static int set_vtimer_irq(struct invocation *invocation, struct vcpu *vcpu)
{
    if (invocation->length < 2)
        return invocation_truncated(invocation);
    uint32_t irq = invocation->arguments[0], priority = invocation->arguments[1];
    if (irq > VIRQ_MAX)
        return invocation_refuse(invocation, OPAL_ERR_INVALID_ARGUMENT, 0);
    if (priority > VIRQ_PRIORITY_MAX)
        return invocation_refuse(invocation, OPAL_ERR_INVALID_ARGUMENT, 1);
    vcpu->vtimer_irq = irq;
    vcpu->vtimer_priority = priority;
    if (irq != 0)
        arch_irq_unmask(platform.virtual_timer_irq);
    vtimer_changed(vcpu);
    return OPAL_OK;
}

int vcpu_invoke(struct invocation *invocation)
{
    struct vcpu *vcpu = cap_object(&invocation->slot->cap);
    /* Its registers are read and changed here: if another core holds them,
     * they come to memory first (this core's are the arch's business). */
    core_release_vcpu(vcpu);
    switch (invocation->label) {
    case OPAL_VCPU_BIND_TCB:
        return bind_tcb(invocation, vcpu);
    case OPAL_VCPU_READ_REGISTER:
        return read_register(invocation, vcpu);
    case OPAL_VCPU_WRITE_REGISTER:
        return write_register(invocation, vcpu);
    case OPAL_VCPU_INJECT_IRQ:
        return inject(invocation, vcpu);
    case OPAL_VCPU_SET_VTIMER_IRQ:
        return set_vtimer_irq(invocation, vcpu);
    default:
        return invocation_no_method(invocation);
    }
}
