/* The few arch operations on the fastpaths (IPC and guest exits), inline. */
#ifndef ARCH_ARM_INLINE_H
#define ARCH_ARM_INLINE_H

#include <stdbool.h>
#include "arch/cp15.h"
#include "arch/types.h"

#define VTTBR_VMID_SHIFT 48

/* This core's state (struct core starts with struct arch_core): HTPIDR,
 * set once per core at boot. Not volatile: it never changes under the
 * kernel's feet, so the compiler may read it once per function. */
static inline struct arch_core *arch_core_self(void)
{
    struct arch_core *core;
    __asm__("mrc p15, 4, %0, c13, c0, 2" : "=r"(core));
    return core;
}

/* Make `vspace` the stage-2 translation. No ISB: the exception return that
 * follows on the way to user level synchronizes the change. */
static inline void arch_activate_vspace(const struct arch_vspace *vspace)
{
    struct arch_core *core = arch_core_self();
    if (vspace == core->stage2_active)
        return;
    vttbr_write(((uint64_t)vspace->vmid << VTTBR_VMID_SHIFT) | (uint32_t)(uintptr_t)vspace->level1);
    core->stage2_active = vspace;
}

struct vcpu;
void vcpu_activate(struct vcpu *vcpu);

/* Before entering a thread that runs `vcpu` (NULL: a native thread): load
 * that vCPU if it is not, and put the CPU in guest or native mode.
 * `in_guest_mode` is arch_vcpu_guest_mode(), which a fastpath knows without
 * looking (a system call comes from a native thread, a guest exit from a
 * guest). Inline: every return to user level passes here, and between two
 * native threads there is nothing to do. */
static inline void arch_activate_vcpu(struct vcpu *vcpu, bool in_guest_mode)
{
    if (vcpu != NULL || in_guest_mode)
        vcpu_activate(vcpu);
}

/* Whether the CPU is configured for its loaded vCPU (guest mode) or for
 * native threads (vcpu/switch.c), for callers that do not know. */
static inline bool arch_vcpu_guest_mode(void)
{
    return arch_core_self()->guest_mode;
}

#endif
