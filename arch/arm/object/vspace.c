/* Invocations on page tables and frames: map them into a VSpace, change or
 * remove the mapping. A cap maps once; it records where (VMID, address). */
#include "opal/error.h"
#include "arch/cp15.h"
#include "arm.h"
#include "mmu/lpae.h"
#include "objects.h"
#include "mmu/stage2.h"

#define MAP_RIGHTS_ALL (OPAL_MAP_READ | OPAL_MAP_WRITE | OPAL_MAP_EXECUTE)

/* The VSpace named by argument 0 of Map (one with a VMID). */
static int lookup_vspace(struct invocation *invocation, struct arch_vspace **vspace)
{
    struct slot *slot;
    int error = invocation_lookup(invocation, 0, OPAL_OBJECT_VSPACE, &slot);
    if (error != OPAL_OK)
        return error;
    *vspace = cap_object(&slot->cap);
    return (*vspace)->vmid ? OPAL_OK
                           : invocation_refuse(invocation, OPAL_ERR_INVALID_CAPABILITY, 0);
}

/* The entry a mapped cap made, if its VSpace and tables are still there
 * and it still points at the cap's object; else NULL. */
static uint64_t *mapped_entry(const struct cap *cap, unsigned level)
{
    struct arch_vspace *vspace = stage2_vspace_of_vmid(cap_mapping_vmid(cap));
    if (!cap_is_mapped(cap) || vspace == NULL)
        return NULL;
    uint64_t *entry = level == 1 ? &vspace->level1[stage2_index(cap_mapping_address(cap), 1)]
                                 : stage2_entry(vspace, cap_mapping_address(cap), level);
    if (entry == NULL || (*entry & 1) == 0 ||
        lpae_output_address(*entry) != pa_value(cap_physical(cap)))
        return NULL;
    return entry;
}

static unsigned frame_level(const struct cap *cap)
{
    return cap->size_bits == OPAL_FRAME_LARGE_BITS ? 2 : 3;
}

static unsigned table_entry_level(const struct cap *cap)
{
    return cap_mapping_level(cap) - 1; /* a level-2 table sits in level 1 */
}

static void unmap(struct cap *cap, unsigned level)
{
    uint64_t *entry = mapped_entry(cap, level);
    if (entry) {
        *entry = 0;
        dsb();
        stage2_flush_vmid(cap_mapping_vmid(cap));
    }
    cap_clear_mapping(cap);
}

static int page_table_map(struct invocation *invocation, struct cap *cap)
{
    struct arch_vspace *vspace;
    if (invocation->length < 2)
        return invocation_truncated(invocation);
    if (cap_is_mapped(cap)) /* a cap maps once */
        return invocation_refuse(invocation, OPAL_ERR_ILLEGAL_OPERATION,
                                 OPAL_ERROR_ARGUMENT_INVOKED);
    int error = lookup_vspace(invocation, &vspace);
    if (error != OPAL_OK)
        return error;
    uaddr_t address = ua_make(invocation->arguments[1]);
    uint64_t *entry = &vspace->level1[stage2_index(address, 1)];
    unsigned level = 2;
    if (lpae_is_table(*entry, 1)) {
        entry = stage2_entry(vspace, address, 2);
        level = 3;
    }
    if (*entry != 0)
        return invocation_refuse(invocation, OPAL_ERR_DELETE_FIRST, 1);
    *entry = stage2_table(cap_physical(cap));
    dsb();
    uint32_t region_mask = level == 2 ? (1u << LPAE_LEVEL1_SHIFT) - 1 : (1u << LPAE_LEVEL2_SHIFT) - 1;
    cap_set_mapping(cap, vspace->vmid, ua_make(ua_value(address) & ~region_mask), level);
    return OPAL_OK;
}

/* Rights and attributes: arguments `first` and `first + 1` (2, 3 of Map; 0, 1
 * of Remap). Rights the cap does not hold name the rights argument. */
static int check_rights(struct invocation *invocation, const struct cap *cap, uint32_t first)
{
    uint32_t rights = invocation->arguments[first], attributes = invocation->arguments[first + 1];
    if (rights & ~MAP_RIGHTS_ALL)
        return invocation_refuse(invocation, OPAL_ERR_INVALID_ARGUMENT, first);
    if (attributes > OPAL_MAP_DEVICE)
        return invocation_refuse(invocation, OPAL_ERR_INVALID_ARGUMENT, first + 1);
    if (((rights & OPAL_MAP_WRITE) && !(cap->rights & OPAL_RIGHT_WRITE)) ||
        ((rights & OPAL_MAP_READ) && !(cap->rights & OPAL_RIGHT_READ)))
        return invocation_refuse(invocation, OPAL_ERR_ILLEGAL_OPERATION, first);
    return OPAL_OK;
}

static uint64_t frame_entry(const struct cap *cap, uint32_t rights, uint32_t attributes)
{
    bool device = attributes == OPAL_MAP_DEVICE;
    return frame_level(cap) == 2 ? stage2_block(cap_physical(cap), rights, device)
                                 : stage2_page(cap_physical(cap), rights, device);
}

static int frame_map(struct invocation *invocation, struct cap *cap)
{
    struct arch_vspace *vspace;
    uint32_t *arguments = invocation->arguments;
    if (invocation->length < 4)
        return invocation_truncated(invocation);
    if (cap_is_mapped(cap)) /* a cap maps once */
        return invocation_refuse(invocation, OPAL_ERR_ILLEGAL_OPERATION,
                                 OPAL_ERROR_ARGUMENT_INVOKED);
    int error = lookup_vspace(invocation, &vspace);
    if (error != OPAL_OK)
        return error;
    uaddr_t address = ua_make(arguments[1]);
    if (ua_value(address) & ((1u << cap->size_bits) - 1))
        return invocation_refuse(invocation, OPAL_ERR_ALIGNMENT, 1);
    if ((error = check_rights(invocation, cap, 2)) != OPAL_OK)
        return error;
    unsigned level = frame_level(cap);
    uint64_t *entry = stage2_entry(vspace, address, level);
    if (entry == NULL) /* no page table there */
        return invocation_refuse(invocation, OPAL_ERR_FAILED_LOOKUP, 1);
    if (*entry != 0)
        return invocation_refuse(invocation, OPAL_ERR_DELETE_FIRST, 1);
    *entry = frame_entry(cap, arguments[2], arguments[3]);
    dsb();
    cap_set_mapping(cap, vspace->vmid, address, level);
    return OPAL_OK;
}

static int frame_remap(struct invocation *invocation, struct cap *cap)
{
    if (invocation->length < 2)
        return invocation_truncated(invocation);
    int error = check_rights(invocation, cap, 0);
    if (error != OPAL_OK)
        return error;
    uint64_t *entry = mapped_entry(cap, frame_level(cap));
    if (entry == NULL) /* not mapped (or its mapping is gone) */
        return invocation_refuse(invocation, OPAL_ERR_ILLEGAL_OPERATION,
                                 OPAL_ERROR_ARGUMENT_INVOKED);
    *entry = frame_entry(cap, invocation->arguments[0], invocation->arguments[1]);
    dsb();
    stage2_flush_vmid(cap_mapping_vmid(cap));
    return OPAL_OK;
}

int arch_vspace_invoke(struct invocation *invocation)
{
    struct cap *cap = &invocation->slot->cap;
    uint32_t label = invocation->label;

    if (cap->type == OPAL_OBJECT_PAGE_TABLE) {
        if (label == OPAL_PAGE_TABLE_MAP)
            return page_table_map(invocation, cap);
        if (label == OPAL_PAGE_TABLE_UNMAP) {
            unmap(cap, table_entry_level(cap));
            return OPAL_OK;
        }
        return invocation_no_method(invocation);
    }
    if (cap->type != OPAL_OBJECT_FRAME)
        return invocation_no_method(invocation); /* VSpace caps have no methods */
    switch (label) {
    case OPAL_FRAME_MAP: return frame_map(invocation, cap);
    case OPAL_FRAME_UNMAP:
        unmap(cap, frame_level(cap));
        return OPAL_OK;
    case OPAL_FRAME_REMAP: return frame_remap(invocation, cap);
    case OPAL_FRAME_ADDRESS:
        invocation->results[0] = pa_value(cap_physical(cap));
        invocation->result_length = 1;
        return OPAL_OK;
    default:
        return invocation_no_method(invocation);
    }
}

bool arch_frame_mapping(const struct cap *cap, uaddr_t *address)
{
    *address = cap_mapping_address(cap);
    return cap->type == OPAL_OBJECT_FRAME && cap_is_mapped(cap);
}

void arch_mapping_deleted(const struct cap *cap)
{
    struct cap copy = *cap;
    if (!cap_is_mapped(&copy))
        return;
    unmap(&copy, copy.type == OPAL_OBJECT_FRAME ? frame_level(&copy) : table_entry_level(&copy));
}
