/* Stage-2 table walking shared by mmu/stage2.c and the VSpace invocations. */
#ifndef ARCH_ARM_STAGE2_H
#define ARCH_ARM_STAGE2_H

#include <stdint.h>
#include "arch.h"

uint64_t *stage2_next_table(uint64_t entry, unsigned level);
uint64_t *stage2_entry(const struct arch_vspace *vspace, uint32_t address, unsigned level);
struct arch_vspace *stage2_vspace_of_vmid(uint32_t vmid);
void stage2_flush_vmid(uint32_t vmid);

#endif
