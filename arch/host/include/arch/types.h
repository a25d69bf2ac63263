/* The fake architecture for host unit tests: the same shapes as arch/arm,
 * so portable kernel code compiles and runs unchanged under ASan/UBSan. */
#ifndef ARCH_HOST_TYPES_H
#define ARCH_HOST_TYPES_H

#include <stdint.h>

typedef uint32_t paddr_t;

struct arch_context {
    uint32_t r[13];
    uint32_t sp, lr, pc, cpsr;
};

struct arch_vspace {
    uint64_t *level1;
    uint8_t vmid;
};

#endif
