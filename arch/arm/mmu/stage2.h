/* Stage-2 table walking shared by mmu/stage2.c and the VSpace invocations. */
#ifndef ARCH_ARM_STAGE2_H
#define ARCH_ARM_STAGE2_H

#include <stdbool.h>
#include <stdint.h>
#include "arch.h"
#include "lpae.h"

/* The LPAE encoding (lpae.h) works on raw 40-bit output addresses; stage-2
 * code makes and reads entries through these, typed with paddr_t. */
static inline uint64_t stage2_table(paddr_t table)
{
    return lpae_table(pa_value(table));
}

static inline uint64_t stage2_page(paddr_t frame, unsigned rights, bool device)
{
    return lpae_stage2_page(pa_value(frame), rights, device);
}

static inline uint64_t stage2_block(paddr_t frame, unsigned rights, bool device)
{
    return lpae_stage2_block(pa_value(frame), rights, device);
}

/* The physical address an entry points to (the kernel sets no bits above 31). */
static inline paddr_t stage2_output(uint64_t entry)
{
    return pa_make((uint32_t)lpae_output_address(entry));
}

/* The index of a user address in the table of `level`. */
static inline unsigned stage2_index(uaddr_t address, unsigned level)
{
    return lpae_index(ua_value(address), level);
}

uint64_t *stage2_next_table(uint64_t entry, unsigned level);
uint64_t *stage2_entry(const struct arch_vspace *vspace, uaddr_t address, unsigned level);
struct arch_vspace *stage2_vspace_of_vmid(uint32_t vmid);
void stage2_flush_vmid(uint32_t vmid);

#endif
