/* Host stand-ins for the ARM fastpath inlines. */
#ifndef ARCH_HOST_INLINE_H
#define ARCH_HOST_INLINE_H

#include "arch/types.h"

extern const struct arch_vspace *stage2_active;

static inline void arch_activate_vspace(const struct arch_vspace *vspace)
{
    stage2_active = vspace;
}

#endif
