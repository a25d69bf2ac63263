/* LPAE (long-descriptor) translation table entries: pure encoding and
 * decoding, shared by the HYP stage-1 tables and stage-2 VSpaces, and
 * unit-tested on the host. */
#ifndef ARCH_ARM_LPAE_H
#define ARCH_ARM_LPAE_H

#include <stdbool.h>
#include <stdint.h>

#define LPAE_ENTRIES        512u
#define LPAE_LEVEL1_ENTRIES 4u          /* 32-bit input: 4 x 1 GiB */
#define LPAE_LEVEL1_SHIFT   30u
#define LPAE_LEVEL2_SHIFT   21u
#define LPAE_LEVEL3_SHIFT   12u

#define LPAE_VALID          (1ull << 0)
#define LPAE_TABLE_OR_PAGE  (1ull << 1)  /* table at levels 1-2, page at level 3 */
#define LPAE_AF             (1ull << 10)
#define LPAE_XN             (1ull << 54)
#define LPAE_ADDRESS_MASK   0x000000fffffff000ull

/* HYP stage-1 memory types: indices into HMAIR0 (see hyp_mmu.c). */
enum lpae_hyp_memory { LPAE_HYP_DEVICE = 1, LPAE_HYP_NORMAL = 2 };

/* Stage-2 access rights, as in enum vspace_rights. */
#define LPAE_S2_READ    1u
#define LPAE_S2_WRITE   2u
#define LPAE_S2_EXECUTE 4u

/* The index of `address` in the table of `level` (1, 2 or 3). */
unsigned lpae_index(uint32_t address, unsigned level);

uint64_t lpae_table(uint64_t next_table);
/* A HYP stage-1 block (1 GiB at level 1, 2 MiB at level 2). */
uint64_t lpae_hyp_block(uint64_t physical, enum lpae_hyp_memory memory, bool executable);
/* A stage-2 4 KiB page; `rights` is a set of LPAE_S2_*, `device` selects
 * Device-nGnRE rather than Normal write-back memory. */
uint64_t lpae_stage2_page(uint64_t physical, unsigned rights, bool device);

/* A stage-2 2 MiB block (level 2), same rights and memory as a page. */
uint64_t lpae_stage2_block(uint64_t physical, unsigned rights, bool device);

bool lpae_is_table(uint64_t entry, unsigned level);
bool lpae_is_page(uint64_t entry);
uint64_t lpae_output_address(uint64_t entry);
/* The LPAE_S2_* rights a valid stage-2 page grants. */
unsigned lpae_stage2_rights(uint64_t entry);

#endif
