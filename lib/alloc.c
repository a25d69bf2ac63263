/* Allocators for a root task: empty slots of the root CNode, and objects
 * retyped from the boot info's RAM untypeds (or an arena's) with a
 * conservative per-untyped watermark (the kernel's own may only be lower; a
 * refused retype marks the untyped full and the next one is tried). */
#include <stdbool.h>
#include <stddef.h>
#include "opal.h"

#define ROOT_SLOTS (1u << OPAL_ROOT_CNODE_BITS)
#define WORD_BITS 32u

#define untyped_pool opal_untyped_pool

static struct untyped_pool untypeds[OPAL_BOOTINFO_MAX_UNTYPED];
static uint32_t untyped_count;
static uint32_t free_slots[ROOT_SLOTS / WORD_BITS]; /* bit set: slot is free */
static uint8_t slot_owner[ROOT_SLOTS];               /* the arena a used slot is for */
static uint32_t slots_first, slots_end;
static struct opal_arena *current_arena;             /* NULL: the boot untypeds */

/* Device frames handed out so far: each is carved once, callers get copies. */
#define MAX_DEVICE_FRAMES 32
static struct device_frame {
    uint32_t physical, cptr;
} device_frames[MAX_DEVICE_FRAMES];
static uint32_t device_frame_count;

static bool slot_is_free(uint32_t slot)
{
    return (free_slots[slot / WORD_BITS] >> (slot % WORD_BITS)) & 1;
}

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
    device_frame_count = 0;
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
        slot_owner[slot] = current_arena != NULL ? (uint8_t)current_arena->owner : 0;
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
    struct untyped_pool *pools = current_arena != NULL ? current_arena->untypeds : untypeds;
    uint32_t count = current_arena != NULL ? current_arena->count : untyped_count;
    for (uint32_t i = 0; i < count; i++) {
        struct untyped_pool *pool = &pools[i];
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
    if (type == OPAL_OBJECT_NULL || type >= OPAL_OBJECT_TYPE_COUNT)
        return OPAL_ERR_INVALID_ARGUMENT;
    uint32_t bits = opal_object_size_bits(type, size_bits);
    if (bits == 0)
        return OPAL_ERR_RANGE; /* what Retype would answer, without asking it */
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

/* The first cap to the device frame at `physical`, carved from its device
 * untyped (kept by the allocator; callers get copies). */
static int take_device_frame(uint32_t physical, uint32_t *cptr)
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

int opal_alloc_device_frame(uint32_t physical, uint32_t *cptr)
{
    uint32_t original = 0;
    for (uint32_t i = 0; i < device_frame_count; i++)
        if (device_frames[i].physical == physical)
            original = device_frames[i].cptr;
    if (original == 0) {
        if (device_frame_count == MAX_DEVICE_FRAMES)
            return OPAL_ERR_NOT_ENOUGH_MEMORY;
        struct opal_arena *entered = current_arena;
        current_arena = NULL; /* the original is the allocator's, whoever asks */
        int error = take_device_frame(physical, &original);
        current_arena = entered;
        if (error != OPAL_OK)
            return error;
        device_frames[device_frame_count++] = (struct device_frame){ physical, original };
    }
    uint32_t slot = opal_alloc_slot();
    if (slot == 0)
        return OPAL_ERR_NOT_ENOUGH_MEMORY;
    int error = opal_cnode_copy(OPAL_CAP_INIT_CNODE, slot, original, OPAL_RIGHTS_ALL);
    if (error != OPAL_OK) {
        slot_mark(slot, true);
        return error;
    }
    *cptr = slot;
    return OPAL_OK;
}

/* --- Arenas ------------------------------------------------------------- */

int opal_arena_carve(struct opal_arena *arena, uint64_t bytes)
{
    struct opal_arena *entered = current_arena;
    int error = OPAL_OK;
    current_arena = NULL; /* the untyped caps are init's own, not the arena's */
    arena->count = 0;
    uint64_t carved = 0;
    while (carved < bytes && error == OPAL_OK) {
        if (arena->count == OPAL_ARENA_MAX_UNTYPEDS) {
            error = OPAL_ERR_NOT_ENOUGH_MEMORY;
            break;
        }
        /* The largest power of two not above what is left, at least a 2 MiB
         * frame, and halved until one fits somewhere. */
        uint32_t bits = 63 - (uint32_t)__builtin_clzll(bytes - carved);
        if (bits < OPAL_FRAME_LARGE_BITS)
            bits = OPAL_FRAME_LARGE_BITS;
        if (bits > OPAL_UNTYPED_MAX_BITS)
            bits = OPAL_UNTYPED_MAX_BITS;
        uint32_t cptr;
        while ((error = opal_alloc_object(OPAL_OBJECT_UNTYPED, bits, &cptr)) ==
                   OPAL_ERR_NOT_ENOUGH_MEMORY && bits > OPAL_FRAME_LARGE_BITS)
            bits--;
        if (error == OPAL_OK) {
            arena->untypeds[arena->count++] = (struct untyped_pool){ .cptr = cptr,
                                                                      .size_bits = bits };
            carved += 1ull << bits;
        }
    }
    current_arena = entered;
    return error;
}

void opal_arena_enter(struct opal_arena *arena)
{
    current_arena = arena;
}

int opal_arena_clear(struct opal_arena *arena)
{
    int error = OPAL_OK;
    for (uint32_t slot = slots_first; slot < slots_end; slot++) {
        if (slot_owner[slot] != arena->owner || slot_is_free(slot))
            continue;
        int deleted = opal_cnode_delete(OPAL_CAP_INIT_CNODE, slot);
        if (deleted != OPAL_OK && error == OPAL_OK)
            error = deleted;
        slot_mark(slot, true);
        slot_owner[slot] = 0;
    }
    for (uint32_t i = 0; i < arena->count; i++) {
        int revoked = opal_cnode_revoke(OPAL_CAP_INIT_CNODE, arena->untypeds[i].cptr);
        if (revoked != OPAL_OK && error == OPAL_OK)
            error = revoked;
        arena->untypeds[i].used = 0;
    }
    return error;
}

uint64_t opal_alloc_free_bytes(const struct opal_arena *arena)
{
    const struct untyped_pool *pools = arena != NULL ? arena->untypeds : untypeds;
    uint32_t count = arena != NULL ? arena->count : untyped_count;
    uint64_t free = 0;
    for (uint32_t i = 0; i < count; i++) {
        uint64_t size = 1ull << pools[i].size_bits;
        if (!pools[i].device && pools[i].used < size)
            free += size - pools[i].used;
    }
    return free;
}

uint64_t opal_arena_bytes(const struct opal_arena *arena)
{
    uint64_t bytes = 0;
    for (uint32_t i = 0; i < arena->count; i++)
        bytes += 1ull << arena->untypeds[i].size_bits;
    return bytes;
}

uint32_t opal_alloc_slots_used(void)
{
    uint32_t used = 0;
    for (uint32_t slot = slots_first; slot < slots_end; slot++)
        used += !slot_is_free(slot);
    return used;
}
