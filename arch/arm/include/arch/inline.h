/* The few arch operations on the fastpaths (IPC and guest exits), inline. */
#ifndef ARCH_ARM_INLINE_H
#define ARCH_ARM_INLINE_H

#include <stdbool.h>
#include "arch/cp15.h"
#include "arch/types.h"

#define VTTBR_VMID_SHIFT 48

extern const struct arch_vspace *stage2_active;

/* Make `vspace` the stage-2 translation. No ISB: the exception return that
 * follows on the way to user level synchronizes the change. */
static inline void arch_activate_vspace(const struct arch_vspace *vspace)
{
    if (vspace == stage2_active)
        return;
    vttbr_write(((uint64_t)vspace->vmid << VTTBR_VMID_SHIFT) | (uint32_t)(uintptr_t)vspace->level1);
    stage2_active = vspace;
}

struct vcpu;
/* Whether the CPU is configured for the loaded vCPU (guest mode) or for
 * native threads (vcpu/switch.c). */
extern bool vcpu_guest_mode;
void vcpu_activate(struct vcpu *vcpu);

/* Before entering a thread that runs `vcpu` (NULL: a native thread): load
 * that vCPU if it is not, and put the CPU in guest or native mode.
 * `in_guest_mode` is vcpu_guest_mode, which a fastpath knows without
 * looking (a system call comes from a native thread, a guest exit from a
 * guest). Inline: every return to user level passes here, and between two
 * native threads there is nothing to do. */
static inline void arch_activate_vcpu(struct vcpu *vcpu, bool in_guest_mode)
{
    if (vcpu != NULL || in_guest_mode)
        vcpu_activate(vcpu);
}

/* Whether the CPU is in guest mode now (for callers that do not know). */
static inline bool arch_vcpu_guest_mode(void)
{
    return vcpu_guest_mode;
}

#endif
