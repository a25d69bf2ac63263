/* Stage-2 address spaces (VSpaces): LPAE tables starting at level 1, tagged
 * with a VMID so switching spaces needs no TLB flush. Native threads run
 * with stage 1 off, so for them this is the whole translation. */
#include <stddef.h>
#include "opal/error.h"
#include "arch/cp15.h"
#include "arm.h"
#include "boot_memory.h"
#include "config.h"
#include "core.h"
#include "lpae.h"
#include "objects.h"
#include "stage2.h"

/* VTCR: T0SZ 0 (32-bit IPA), SL0 = 1 (start at level 1), cacheable
 * write-back inner-shareable walks. */
#define VTCR_VALUE ((1u << 31) | (3u << 12) | (1u << 10) | (1u << 8) | (1u << 6))
#define VMID_COUNT 256   /* VMID 0 is never used */

static struct arch_vspace *vmid_owner[VMID_COUNT];
static uint32_t vmids_in_use;

void stage2_init(void)
{
    vtcr_write(VTCR_VALUE);
    isb();
    tlbiallnsnh();
    dsb();
    isb();
}

uint32_t arch_vmids_available(void)
{
    return VMID_COUNT - 1 - vmids_in_use;
}

void arch_vspace_object_initialise(struct arch_vspace *vspace)
{
    for (uint32_t vmid = 1; vmid < VMID_COUNT; vmid++) {
        if (vmid_owner[vmid] == NULL) {
            vmid_owner[vmid] = vspace;
            vspace->vmid = vmid;
            vmids_in_use++;
            return;
        }
    }
}

/* Stale entries tagged with this VMID must go, from every core's TLB
 * (TLBIALLIS broadcasts to the inner-shareable domain, and the DSB waits
 * until every core has done it): after an unmap returns, no core can reach
 * the page, and a VMID is never reused with entries left anywhere. */
void stage2_flush_vmid(uint32_t vmid)
{
    uint64_t saved = vttbr_read();
    vttbr_write((uint64_t)vmid << VTTBR_VMID_SHIFT);
    isb();
    __asm__ volatile("mcr p15, 0, %0, c8, c3, 0" ::"r"(0) : "memory"); /* TLBIALLIS: this VMID */
    dsb();
    vttbr_write(saved);
    isb();
}

void arch_vspace_object_finalise(struct arch_vspace *vspace)
{
    if (vspace->vmid == 0 || vmid_owner[vspace->vmid] != vspace)
        return;
    core_stall_vspace(vspace);   /* no other core runs in it any more */
    stage2_flush_vmid(vspace->vmid);
    vmid_owner[vspace->vmid] = NULL;
    vmids_in_use--;
    if (arch_core_self()->stage2_active == vspace)
        arch_core_self()->stage2_active = NULL;
    vspace->vmid = 0;
}

struct arch_vspace *stage2_vspace_of_vmid(uint32_t vmid)
{
    return vmid > 0 && vmid < VMID_COUNT ? vmid_owner[vmid] : NULL;
}

/* The table an entry points to, or NULL. */
uint64_t *stage2_next_table(uint64_t entry, unsigned level)
{
    return lpae_is_table(entry, level) ? arch_phys_to_virt(stage2_output(entry)) : NULL;
}

/* The entry that maps `address` at `level` (2 or 3), or NULL if a table on
 * the way is missing. */
uint64_t *stage2_entry(const struct arch_vspace *vspace, uaddr_t address, unsigned level)
{
    uint64_t *level2 = stage2_next_table(vspace->level1[stage2_index(address, 1)], 1);
    if (level2 == NULL || level == 2)
        return level2 ? &level2[stage2_index(address, 2)] : NULL;
    uint64_t *level3 = stage2_next_table(level2[stage2_index(address, 2)], 2);
    return level3 ? &level3[stage2_index(address, 3)] : NULL;
}

/* Boot only: map a 4 KiB page, making tables from boot memory. */
int arch_vspace_boot_map(struct arch_vspace *vspace, uaddr_t address, paddr_t frame,
                         unsigned rights)
{
    uint64_t *entry = &vspace->level1[stage2_index(address, 1)];
    for (unsigned level = 1; level < 3; level++) {
        if (*entry == 0)
            *entry = stage2_table(boot_memory_alloc_pages(1));
        uint64_t *table = stage2_next_table(*entry, level);
        if (table == NULL)
            return OPAL_ERR_DELETE_FIRST;
        entry = &table[stage2_index(address, level + 1)];
    }
    if (*entry != 0)
        return OPAL_ERR_DELETE_FIRST;
    *entry = stage2_page(frame, rights, false);
    dsb();
    return OPAL_OK;
}

bool arch_vspace_translate(const struct arch_vspace *vspace, uaddr_t address, unsigned rights,
                           paddr_t *physical)
{
    const uint64_t *entry = stage2_entry(vspace, address, 2);
    if (entry == NULL)
        return false;
    uint32_t offset_mask = (1u << LPAE_LEVEL2_SHIFT) - 1;
    if (lpae_is_table(*entry, 2)) {
        entry = stage2_entry(vspace, address, 3);
        offset_mask = (1u << LPAE_LEVEL3_SHIFT) - 1;
        if (!lpae_is_page(*entry))
            return false;
    } else if ((*entry & 3) != 1) {
        return false;
    }
    if ((lpae_stage2_rights(*entry) & rights) != rights)
        return false;
    *physical = pa_add(stage2_output(*entry & ~(uint64_t)offset_mask),
                       ua_value(address) & offset_mask);
    return true;
}


void arch_sync_instructions(paddr_t start, size_t size)
{
    for (uint32_t line = pa_value(start) & ~63u; line < pa_value(start) + size; line += 64)
        dccmvau(line); /* by virtual address: HYP maps RAM 1:1 */
    dsb();
    iciallu();
    bpiall();
    dsb();
    isb();
}
