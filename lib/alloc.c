/* Allocators for a root task: empty slots of the root CNode, and objects
 * retyped from the boot info's RAM untypeds with a conservative per-untyped
 * watermark (the kernel's own may only be lower; a refused retype marks the
 * untyped full and the next one is tried). */
#include <stdbool.h>
#include "opal.h"

#define ROOT_SLOTS (1u << OPAL_ROOT_CNODE_BITS)
#define WORD_BITS 32u

struct untyped_pool {
    uint32_t cptr;
    uint32_t size_bits;
    uint64_t used;       /* bytes from the start already handed out (or lost) */
    uint32_t address;
    bool device;         /* only opal_alloc_device_frame() takes from it */
};

static struct untyped_pool untypeds[OPAL_BOOTINFO_MAX_UNTYPED];
static uint32_t untyped_count;
static uint32_t free_slots[ROOT_SLOTS / WORD_BITS]; /* bit set: slot is free */
static uint32_t slots_first, slots_end;

static void slot_mark(uint32_t slot, bool free)
{
    uint32_t bit = 1u << (slot % WORD_BITS);
    if (free)
        free_slots[slot / WORD_BITS] |= bit;
    else
        free_slots[slot / WORD_BITS] &= ~bit;
}

void opal_alloc_init(const struct opal_bootinfo *bootinfo)
{
    slots_first = bootinfo->empty_first;
    slots_end = bootinfo->empty_end < ROOT_SLOTS ? bootinfo->empty_end : ROOT_SLOTS;
    for (uint32_t slot = slots_first; slot < slots_end; slot++)
        slot_mark(slot, slot != OPAL_CAP_NULL);
    untyped_count = 0;
    for (uint32_t i = 0; i < bootinfo->untyped_count && i < OPAL_BOOTINFO_MAX_UNTYPED; i++) {
        const struct opal_untyped_desc *untyped = &bootinfo->untyped[i];
        untypeds[untyped_count++] = (struct untyped_pool){
            .cptr = bootinfo->untyped_first + i, .size_bits = untyped->size_bits,
            .address = untyped->address, .device = untyped->device != 0 };
    }
}

uint32_t opal_alloc_slot(void)
{
    for (uint32_t word = slots_first / WORD_BITS; word * WORD_BITS < slots_end; word++) {
        if (free_slots[word] == 0)
            continue;
        uint32_t slot = word * WORD_BITS + (uint32_t)__builtin_ctz(free_slots[word]);
        if (slot >= slots_end)
            return 0;
        slot_mark(slot, false);
        return slot;
    }
    return 0;
}

static bool slot_is_ours(uint32_t slot)
{
    return slot >= slots_first && slot < slots_end && slot != OPAL_CAP_NULL;
}

int opal_free_slot(uint32_t slot)
{
    if (!slot_is_ours(slot))
        return OPAL_ERR_RANGE;
    int error = opal_cnode_delete(OPAL_CAP_INIT_CNODE, slot);
    if (error == OPAL_OK)
        slot_mark(slot, true);
    return error;
}

uint32_t opal_object_bits(uint32_t type, uint32_t size_bits)
{
    switch (type) {
    case OPAL_OBJECT_UNTYPED: return size_bits;
    case OPAL_OBJECT_CNODE: return size_bits + OPAL_SLOT_BITS;
    case OPAL_OBJECT_TCB: return OPAL_TCB_BITS;
    case OPAL_OBJECT_ENDPOINT: return OPAL_ENDPOINT_BITS;
    case OPAL_OBJECT_NOTIFICATION: return OPAL_NOTIFICATION_BITS;
    case OPAL_OBJECT_REPLY: return OPAL_REPLY_BITS;
    case OPAL_OBJECT_SCHED_CONTEXT: return OPAL_SCHED_CONTEXT_BITS;
    case OPAL_OBJECT_VSPACE: return OPAL_VSPACE_BITS;
    case OPAL_OBJECT_PAGE_TABLE: return OPAL_PAGE_TABLE_BITS;
    case OPAL_OBJECT_FRAME: return size_bits;
    case OPAL_OBJECT_VCPU: return OPAL_VCPU_BITS;
    default: return 0;
    }
}

/* Where an object of 2^bits bytes would go in the untyped, or false. */
static bool untyped_fits(const struct untyped_pool *pool, uint32_t bits, uint64_t *offset)
{
    uint64_t size = 1ull << bits;
    uint64_t aligned = (pool->used + size - 1) & ~(size - 1);
    if (bits > pool->size_bits || aligned + size > (1ull << pool->size_bits))
        return false;
    *offset = aligned;
    return true;
}

static int retype_somewhere(uint32_t type, uint32_t size_bits, uint32_t bits, uint32_t slot)
{
    for (uint32_t i = 0; i < untyped_count; i++) {
        struct untyped_pool *pool = &untypeds[i];
        uint64_t offset;
        if (pool->device || !untyped_fits(pool, bits, &offset))
            continue;
        int error = opal_untyped_retype(pool->cptr, type, size_bits, OPAL_CAP_INIT_CNODE, slot, 1);
        if (error == OPAL_ERR_NOT_ENOUGH_MEMORY) {
            pool->used = 1ull << pool->size_bits;
            continue;
        }
        if (error == OPAL_OK)
            pool->used = offset + (1ull << bits);
        return error;
    }
    return OPAL_ERR_NOT_ENOUGH_MEMORY;
}

int opal_alloc_object(uint32_t type, uint32_t size_bits, uint32_t *cptr)
{
    uint32_t bits = opal_object_bits(type, size_bits);
    if (bits == 0 || bits >= 32)
        return OPAL_ERR_INVALID_ARGUMENT;
    uint32_t slot = opal_alloc_slot();
    if (slot == 0)
        return OPAL_ERR_NOT_ENOUGH_MEMORY;
    int error = retype_somewhere(type, size_bits, bits, slot);
    if (error != OPAL_OK) {
        slot_mark(slot, true);
        return error;
    }
    *cptr = slot;
    return OPAL_OK;
}

/* Retype the pool's next 2^bits bytes into a new slot. */
static int retype_next(struct untyped_pool *pool, uint32_t type, uint32_t bits, uint32_t *cptr)
{
    uint32_t slot = opal_alloc_slot();
    if (slot == 0)
        return OPAL_ERR_NOT_ENOUGH_MEMORY;
    int error = opal_untyped_retype(pool->cptr, type, bits, OPAL_CAP_INIT_CNODE, slot, 1);
    if (error != OPAL_OK) {
        slot_mark(slot, true);
        return error;
    }
    pool->used += 1ull << bits;
    *cptr = slot;
    return OPAL_OK;
}

int opal_alloc_device_frame(uint32_t physical, uint32_t *cptr)
{
    for (uint32_t i = 0; i < untyped_count; i++) {
        struct untyped_pool *pool = &untypeds[i];
        uint64_t offset = (uint64_t)physical - pool->address;
        if (!pool->device || physical < pool->address || offset >= (1ull << pool->size_bits))
            continue;
        if (offset < pool->used || physical % (1u << OPAL_FRAME_SMALL_BITS))
            return OPAL_ERR_ALIGNMENT; /* already handed out, or not a frame boundary */
        /* Step over what lies before it with the largest aligned untypeds. */
        while (pool->used < offset) {
            uint32_t bits = OPAL_FRAME_SMALL_BITS, filler;
            while ((pool->used & ((2ull << bits) - 1)) == 0 && pool->used + (2ull << bits) <= offset)
                bits++;
            int error = retype_next(pool, OPAL_OBJECT_UNTYPED, bits, &filler);
            if (error != OPAL_OK)
                return error;
        }
        return retype_next(pool, OPAL_OBJECT_FRAME, OPAL_FRAME_SMALL_BITS, cptr);
    }
    return OPAL_ERR_NOT_FOUND;
}
