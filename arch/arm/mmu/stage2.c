/* Stage-2 address spaces (VSpaces): LPAE tables starting at level 1, tagged
 * with a VMID so switching spaces needs no TLB flush. Native threads run
 * with stage 1 off, so for them this is the whole translation. */
#include "opal/error.h"
#include "arch/cp15.h"
#include "arm.h"
#include "boot_memory.h"
#include "config.h"
#include "lpae.h"
#include "thread.h"

/* VTCR: T0SZ 0 (32-bit IPA), SL0 = 1 (start at level 1), cacheable
 * write-back inner-shareable walks. */
#define VTCR_VALUE ((1u << 31) | (3u << 12) | (1u << 10) | (1u << 8) | (1u << 6))
#define VTTBR_VMID_SHIFT 48

static const struct arch_vspace *active_vspace;

void stage2_init(void)
{
    vtcr_write(VTCR_VALUE);
    isb();
    tlbiallnsnh();
    dsb();
    isb();
}

int arch_vspace_init(struct arch_vspace *vspace, uint8_t vmid)
{
    if (vmid == 0)
        return OPAL_ERR_INVALID_ARGUMENT; /* VMID 0 stays unused: no space has it */
    vspace->level1 = arch_phys_to_virt(boot_memory_alloc_pages(1));
    vspace->vmid = vmid;
    return OPAL_OK;
}

/* The next-level table behind `entry`, made (from boot memory) if absent. */
static uint64_t *next_table(uint64_t *entry, unsigned level, bool create)
{
    if (lpae_is_table(*entry, level))
        return arch_phys_to_virt((paddr_t)lpae_output_address(*entry));
    if (*entry != 0 || !create)
        return NULL;
    paddr_t table = boot_memory_alloc_pages(1);
    *entry = lpae_table(table);
    dsb();
    return arch_phys_to_virt(table);
}

static uint64_t *page_entry(const struct arch_vspace *vspace, uint32_t address, bool create)
{
    uint64_t *level2 = next_table(&vspace->level1[lpae_index(address, 1)], 1, create);
    if (level2 == NULL)
        return NULL;
    uint64_t *level3 = next_table(&level2[lpae_index(address, 2)], 2, create);
    if (level3 == NULL)
        return NULL;
    return &level3[lpae_index(address, 3)];
}

int arch_vspace_map_page(struct arch_vspace *vspace, uint32_t address, paddr_t frame,
                         unsigned rights, enum vspace_memory memory)
{
    if (address % CONFIG_PAGE_SIZE || frame % CONFIG_PAGE_SIZE)
        return OPAL_ERR_ALIGNMENT;
    uint64_t *entry = page_entry(vspace, address, true);
    if (entry == NULL)
        return OPAL_ERR_ILLEGAL_OPERATION; /* a block mapping is in the way */
    if (*entry != 0)
        return OPAL_ERR_DELETE_FIRST;
    *entry = lpae_stage2_page(frame, rights, memory == VSPACE_DEVICE);
    dsb();
    return OPAL_OK;
}

bool arch_vspace_translate(const struct arch_vspace *vspace, uint32_t address, unsigned rights,
                           paddr_t *physical)
{
    const uint64_t *entry = page_entry(vspace, address, false);
    if (entry == NULL || !lpae_is_page(*entry) || (lpae_stage2_rights(*entry) & rights) != rights)
        return false;
    *physical = (paddr_t)lpae_output_address(*entry) + (address % CONFIG_PAGE_SIZE);
    return true;
}

/* Called on every return to user level; cheap when the space is unchanged. */
void stage2_activate(const struct arch_vspace *vspace)
{
    if (vspace == active_vspace)
        return;
    vttbr_write(((uint64_t)vspace->vmid << VTTBR_VMID_SHIFT) |
                (uint32_t)(uintptr_t)vspace->level1);
    isb();
    active_vspace = vspace;
}

void arch_sync_instructions(paddr_t start, size_t size)
{
    for (paddr_t line = start & ~63u; line < start + size; line += 64)
        dccmvau(line);
    dsb();
    iciallu();
    bpiall();
    dsb();
    isb();
}
