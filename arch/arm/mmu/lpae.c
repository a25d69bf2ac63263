/* LPAE entry encoding (ARM ARM B3.6): lower attributes in bits 11:2, XN in
 * bit 54, the output address in bits 39:12. */
#include "lpae.h"

#define ATTR_INDEX(i)       ((uint64_t)(i) << 2)   /* stage 1: AttrIndx */
#define HYP_AP_SBO          (1ull << 6)            /* AP[1] is should-be-one in HYP */
#define SH_INNER            (3ull << 8)
#define S2_MEMATTR_NORMAL   (0xfull << 2)          /* outer and inner write-back */
#define S2_MEMATTR_DEVICE   (0x1ull << 2)          /* Device-nGnRE */
#define S2AP_READ           (1ull << 6)
#define S2AP_WRITE          (1ull << 7)

unsigned lpae_index(uint32_t address, unsigned level)
{
    switch (level) {
    case 1: return address >> LPAE_LEVEL1_SHIFT;
    case 2: return (address >> LPAE_LEVEL2_SHIFT) & (LPAE_ENTRIES - 1);
    default: return (address >> LPAE_LEVEL3_SHIFT) & (LPAE_ENTRIES - 1);
    }
}

uint64_t lpae_table(uint64_t next_table)
{
    return (next_table & LPAE_ADDRESS_MASK) | LPAE_TABLE_OR_PAGE | LPAE_VALID;
}

uint64_t lpae_hyp_block(uint64_t physical, enum lpae_hyp_memory memory, bool executable)
{
    uint64_t entry = (physical & LPAE_ADDRESS_MASK) | LPAE_AF | HYP_AP_SBO |
                     ATTR_INDEX(memory) | LPAE_VALID;
    if (memory == LPAE_HYP_NORMAL)
        entry |= SH_INNER;
    if (!executable)
        entry |= LPAE_XN;
    return entry;
}

uint64_t lpae_stage2_page(uint64_t physical, unsigned rights, bool device)
{
    uint64_t entry = (physical & LPAE_ADDRESS_MASK) | LPAE_AF | LPAE_TABLE_OR_PAGE | LPAE_VALID;
    entry |= device ? S2_MEMATTR_DEVICE : (S2_MEMATTR_NORMAL | SH_INNER);
    if (rights & LPAE_S2_READ)
        entry |= S2AP_READ;
    if (rights & LPAE_S2_WRITE)
        entry |= S2AP_WRITE;
    if (!(rights & LPAE_S2_EXECUTE) || device)
        entry |= LPAE_XN;
    return entry;
}

uint64_t lpae_stage2_block(uint64_t physical, unsigned rights, bool device)
{
    return lpae_stage2_page(physical, rights, device) & ~LPAE_TABLE_OR_PAGE;
}

bool lpae_is_table(uint64_t entry, unsigned level)
{
    return level < 3 && (entry & (LPAE_VALID | LPAE_TABLE_OR_PAGE)) ==
                            (LPAE_VALID | LPAE_TABLE_OR_PAGE);
}

bool lpae_is_page(uint64_t entry)
{
    return (entry & (LPAE_VALID | LPAE_TABLE_OR_PAGE)) == (LPAE_VALID | LPAE_TABLE_OR_PAGE);
}

uint64_t lpae_output_address(uint64_t entry)
{
    return entry & LPAE_ADDRESS_MASK;
}

unsigned lpae_stage2_rights(uint64_t entry)
{
    return (entry & S2AP_READ ? LPAE_S2_READ : 0) | (entry & S2AP_WRITE ? LPAE_S2_WRITE : 0) |
           (entry & LPAE_XN ? 0 : LPAE_S2_EXECUTE);
}
