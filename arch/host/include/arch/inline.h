/* Host stand-ins for the ARM fastpath inlines. */
#ifndef ARCH_HOST_INLINE_H
#define ARCH_HOST_INLINE_H

#include <stdbool.h>
#include "arch/types.h"

/* The core a test runs "on" (fake_set_core, arch/fake.h). */
extern struct arch_core *fake_core_self;
static inline struct arch_core *arch_core_self(void)
{
    return fake_core_self;
}

static inline void arch_activate_vspace(const struct arch_vspace *vspace)
{
    fake_core_self->stage2_active = vspace;
}

/* No hardware vCPU state to switch: vCPUs stay in memory on the host. */
struct vcpu;
static inline void arch_activate_vcpu(struct vcpu *vcpu, bool in_guest_mode)
{
    (void)vcpu, (void)in_guest_mode;
}

static inline bool arch_vcpu_guest_mode(void)
{
    return false;
}

#endif
