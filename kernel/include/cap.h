/* Capabilities and slots. A slot (struct slot) holds one capability and its
 * place in the derivation tree; CNodes are arrays of slots. */
#ifndef KERNEL_CAP_H
#define KERNEL_CAP_H

#include <stdbool.h>
#include <stdint.h>
#include "opal/object.h"
#include "addr.h"

/* A capability: the object it names, what it may do with it, and the
 * per-type words (badge, guard, untyped watermark, ...). The per-type words
 * mean something else for each type: read and write them only through the
 * accessors below, named by what they mean, never raw outside this file. */
struct cap {
    uint8_t type;        /* enum opal_object_type */
    uint8_t rights;      /* OPAL_RIGHT_* */
    uint8_t size_bits;   /* untyped: log2 bytes; cnode: log2 slots (radix) */
    uint8_t guard_bits;  /* cnode: guard length; untyped: 1 if device memory;
                            frame/page table: mapped, and the level */
    uint32_t object;     /* kernel address of the object (untyped: region base) */
    uint32_t word0;      /* endpoint/notification: badge; cnode: guard; untyped: watermark;
                            frame/page table: the mapped address; delete.c's mark: next */
    uint32_t word1;      /* untyped: offset up to which it is known zero; frame/page table: VMID */
};

/* A slot: a cap plus derivation-tree links. A cap's children were derived
 * from it (copies, mints, retyped objects); revoke deletes them all. */
struct slot {
    struct cap cap;
    struct slot *parent;
    struct slot *first_child;
    struct slot *next_sibling;
    struct slot *prev_sibling;
};

_Static_assert(sizeof(struct slot) == (1u << OPAL_SLOT_BITS), "slot size is ABI (OPAL_SLOT_BITS)");

static inline bool cap_is_null(const struct cap *cap)
{
    return cap->type == OPAL_OBJECT_NULL;
}

/* The physical address of the memory a cap names (a frame, a page table,
 * an untyped region): the kernel maps RAM 1:1, so it is the object's. */
static inline paddr_t cap_physical(const struct cap *cap)
{
    return pa_make(cap->object);
}

/* Endpoint and notification caps: the badge a message or signal through
 * the cap carries (0: unbadged). Mint sets it on either type. */
static inline uint32_t cap_badge(const struct cap *cap)
{
    return cap->word0;
}

static inline void cap_set_badge(struct cap *cap, uint32_t badge)
{
    cap->word0 = badge;
}

/* CNode caps: the guard, `guard_bits` long, that a CPtr must match before
 * the CNode's radix bits select a slot (docs/api.md, capability addresses). */
static inline uint32_t cap_cnode_guard(const struct cap *cap)
{
    return cap->word0;
}

static inline uint32_t cap_cnode_guard_bits(const struct cap *cap)
{
    return cap->guard_bits;
}

static inline void cap_cnode_set_guard(struct cap *cap, uint32_t guard_bits, uint32_t guard)
{
    cap->guard_bits = (uint8_t)guard_bits;
    cap->word0 = guard;
}

/* Untyped caps: the watermark (offset past the last carved object), the
 * offset up to which the region is known to be zero (a preempted Retype
 * goes on zeroing from there), and whether it is device memory (never
 * zeroed; only frames and untypeds are carved from it). */
static inline uint32_t cap_untyped_watermark(const struct cap *cap)
{
    return cap->word0;
}

static inline void cap_untyped_set_watermark(struct cap *cap, uint32_t watermark)
{
    cap->word0 = watermark;
}

static inline uint32_t cap_untyped_zeroed_to(const struct cap *cap)
{
    return cap->word1;
}

static inline void cap_untyped_set_zeroed_to(struct cap *cap, uint32_t offset)
{
    cap->word1 = offset;
}

static inline bool cap_untyped_is_device(const struct cap *cap)
{
    return cap->guard_bits != 0;
}

static inline void cap_untyped_set_device(struct cap *cap, bool device)
{
    cap->guard_bits = device;
}

/* Frame and page-table caps: each maps at most once and records where: the
 * VMID of the VSpace, the address (a page table: the start of the region it
 * covers) and the translation level of the entry it made (the arch's
 * numbering). An unmapped cap records nothing: all zero. */
#define CAP_MAPPED              1u   /* in guard_bits */
#define CAP_MAPPING_LEVEL_SHIFT 1    /* the level, in guard_bits above CAP_MAPPED */

static inline bool cap_is_mapped(const struct cap *cap)
{
    return cap->guard_bits & CAP_MAPPED;
}

static inline unsigned cap_mapping_level(const struct cap *cap)
{
    return cap->guard_bits >> CAP_MAPPING_LEVEL_SHIFT;
}

static inline uaddr_t cap_mapping_address(const struct cap *cap)
{
    return ua_make(cap->word0);
}

static inline uint32_t cap_mapping_vmid(const struct cap *cap)
{
    return cap->word1;
}

static inline void cap_set_mapping(struct cap *cap, uint32_t vmid, uaddr_t address, unsigned level)
{
    cap->guard_bits = (uint8_t)(CAP_MAPPED | (level << CAP_MAPPING_LEVEL_SHIFT));
    cap->word0 = ua_value(address);
    cap->word1 = vmid;
}

static inline void cap_clear_mapping(struct cap *cap)
{
    cap->guard_bits = 0;
    cap->word0 = cap->word1 = 0;
}

/* kernel/delete.c's work list of CNodes to empty: a slot on it holds a
 * mark of type `mark_type`, not a cap, naming the CNode (its object and
 * size) and the next entry. */
static inline void cap_set_reap_mark(struct cap *mark, uint8_t mark_type,
                                     const struct cap *cnode, struct slot *next)
{
    *mark = (struct cap){ .type = mark_type, .size_bits = cnode->size_bits,
                          .object = cnode->object, .word0 = (uint32_t)(uintptr_t)next };
}

static inline struct slot *cap_reap_next(const struct cap *mark)
{
    return (struct slot *)(uintptr_t)mark->word0;
}

/* The derivation tree (kernel/cdt.c). All of these are O(1) except revoke.
 * A NULL parent means the sentinel, the parent of the boot caps. */
extern struct slot cdt_sentinel;
void cdt_insert_child(struct slot *parent, struct slot *child, const struct cap *cap);
void cdt_move(struct slot *from, struct slot *to);
/* Unlink an empty-to-be slot; its children are re-parented to its parent,
 * so a copy's children survive the deletion of the copy. */
void cdt_remove(struct slot *slot);
bool cdt_has_children(const struct slot *slot);
/* The last cap to its object: no other slot names the same object. */
bool cdt_is_final(const struct slot *slot);

#endif
