/* The few arch operations on the IPC fastpath, inline. */
#ifndef ARCH_ARM_INLINE_H
#define ARCH_ARM_INLINE_H

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

#endif
