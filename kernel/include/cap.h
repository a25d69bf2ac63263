/* Capabilities and slots. A slot (struct slot) holds one capability and its
 * place in the derivation tree; CNodes are arrays of slots. */
#ifndef KERNEL_CAP_H
#define KERNEL_CAP_H

#include <stdbool.h>
#include <stdint.h>
#include "opal/object.h"

/* A capability: the object it names, what it may do with it, and the
 * per-type words (badge, guard, untyped watermark, ...). */
struct cap {
    uint8_t type;        /* enum opal_object_type */
    uint8_t rights;      /* OPAL_RIGHT_* */
    uint8_t size_bits;   /* untyped: log2 bytes; cnode: log2 slots (radix) */
    uint8_t guard_bits;  /* cnode: guard length; untyped: 1 if device memory;
                            frame/page table: mapped, and the level (arch) */
    uint32_t object;     /* kernel address of the object (untyped: region base) */
    uint32_t word0;      /* endpoint/notification: badge; cnode: guard; untyped: watermark;
                            frame/page table: the mapped address */
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
