/* Capability addresses: a CPtr is resolved through a guarded tree of CNodes,
 * most significant bits first, using all 32 bits of it. */
#include "opal/error.h"
#include "objects.h"

#define CPTR_BITS 32u

static uint32_t bits_at(uint32_t cptr, uint32_t bits_left, uint32_t count)
{
    /* The `count` bits below the top `CPTR_BITS - bits_left` consumed ones. */
    uint64_t shifted = (uint64_t)cptr >> (bits_left - count);
    return (uint32_t)(shifted & ((1ull << count) - 1));
}

int cspace_lookup_slot(const struct cap *root, uint32_t cptr, struct slot **slot)
{
    const struct cap *node = root;

    if (cspace_one_level(root, cptr, slot))
        return *slot ? OPAL_OK : OPAL_ERR_FAILED_LOOKUP;
    uint32_t bits_left = CPTR_BITS;

    for (;;) {
        if (node->type != OPAL_OBJECT_CNODE)
            return OPAL_ERR_FAILED_LOOKUP;
        uint32_t guard_bits = cap_cnode_guard_bits(node);
        uint32_t level_bits = guard_bits + node->size_bits;
        if (level_bits > bits_left)
            return OPAL_ERR_FAILED_LOOKUP;
        if (bits_at(cptr, bits_left, guard_bits) != cap_cnode_guard(node))
            return OPAL_ERR_FAILED_LOOKUP;
        uint32_t index = bits_at(cptr, bits_left - guard_bits, node->size_bits);
        struct slot *found = &cnode_slots(node)[index];
        bits_left -= level_bits;
        if (bits_left == 0 || found->cap.type != OPAL_OBJECT_CNODE) {
            *slot = found;
            return OPAL_OK;
        }
        node = &found->cap;
    }
}

int cspace_lookup_cap(struct thread *thread, uint32_t cptr, struct slot **slot)
{
    int error = cspace_lookup_slot(&thread->cspace_root.cap, cptr, slot);
    if (error != OPAL_OK)
        return error;
    return cap_is_null(&(*slot)->cap) ? OPAL_ERR_INVALID_CAPABILITY : OPAL_OK;
}

int cspace_lookup_typed(struct thread *thread, uint32_t cptr, uint32_t type, struct slot **slot)
{
    int error = cspace_lookup_cap(thread, cptr, slot);
    if (error != OPAL_OK)
        return error;
    return (*slot)->cap.type == type ? OPAL_OK : OPAL_ERR_INVALID_CAPABILITY;
}
