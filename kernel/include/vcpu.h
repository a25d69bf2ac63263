/* vCPU objects: a guest's virtual CPU state, bound to the thread that runs
 * it. The portable part lives in kernel/object/vcpu.c, the state and its
 * switching in arch (arch_vcpu_*). */
#ifndef KERNEL_VCPU_H
#define KERNEL_VCPU_H

#include <stdbool.h>
#include <stdint.h>
#include "opal/object.h"
#include "opal/vcpu.h"
#include "arch.h"

struct thread;
struct invocation;

struct vcpu {
    struct thread *thread;        /* the bound thread, or NULL */
    uint32_t vtimer_irq;          /* the kernel injects the virtual timer as this; 0: not */
    uint32_t vtimer_priority;
    struct vcpu *vtimer_next;     /* parked timers (vtimer.h), in deadline order */
    uint64_t vtimer_deadline;     /* while parked: physical counter ticks */
    uint8_t vtimer_core;          /* the core whose list it is parked in */
    struct arch_vcpu arch;
};

_Static_assert(sizeof(struct vcpu) <= (1u << OPAL_VCPU_BITS), "vCPU size");

int vcpu_invoke(struct invocation *invocation);
void vcpu_initialise(struct vcpu *vcpu);
void vcpu_finalise(struct vcpu *vcpu);
/* Take its state off whichever core holds it in its registers. */
void vcpu_unload(struct vcpu *vcpu);
/* Break the vCPU-thread binding (either side being deleted or rebound). */
void vcpu_unbind(struct vcpu *vcpu);
/* A virtual interrupt is now pending for the vCPU: end its WFI. */
void vcpu_wake(struct vcpu *vcpu);
/* Its virtual timer fired (already masked at the timer): inject the bound
 * interrupt and end a WFI. */
void vcpu_inject_vtimer(struct vcpu *vcpu);
/* The guest executed WFI: block its thread unless an interrupt is pending. */
void vcpu_wait_for_interrupt(struct thread *thread);

/* Architecture side. */
void arch_vcpu_initialise(struct arch_vcpu *vcpu);
/* Take its state off this core's registers, if they hold it. */
void arch_vcpu_unload(struct vcpu *vcpu);
/* Whether `index` names a register (opal/vcpu.h): an invocation's decode
 * tells a bad number from a bad value or state with it. */
bool arch_vcpu_register_exists(uint32_t index);
int arch_vcpu_read_register(struct vcpu *vcpu, uint32_t index, uint32_t *value);
int arch_vcpu_write_register(struct vcpu *vcpu, uint32_t index, uint32_t value);
/* Put a virtual interrupt in a list register (slot, or any free one with
 * OPAL_VIRQ_ANY_SLOT); *used says which. Arguments already checked. */
int arch_vcpu_inject(struct vcpu *vcpu, uint32_t irq, uint32_t priority, uint32_t slot,
                     uint32_t flags, uint32_t *used);
bool arch_vcpu_interrupt_pending(struct vcpu *vcpu);
/* The VMM answered the thread's last exit with OPAL_FAULT_REPLY_EMULATE:
 * step over the instruction and write its results (`count` words). */
void arch_vcpu_complete_exit(struct thread *thread, const uint32_t *results, uint32_t count);
/* The VMM answered the thread's last exit with OPAL_FAULT_REPLY_ABORT or
 * OPAL_FAULT_REPLY_UNDEFINED: the guest takes that exception. An answer
 * that does not fit the exit resumes it as RESUME does. */
void arch_vcpu_raise_exception(struct thread *thread, uint32_t answer);

#endif
