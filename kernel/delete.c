/* Deleting and revoking capabilities. Deleting the last cap to an object
 * destroys the object. A destroyed CNode's slots are emptied through a work
 * list rather than by recursion, so nesting cannot exhaust the kernel stack:
 * the slot that held the CNode's last cap keeps the list link until the
 * outermost deletion has emptied every listed CNode. */
#include <stddef.h>
#include "opal/error.h"
#include "arch.h"
#include "core.h"
#include "kernel.h"
#include "objects.h"

#define REAP_MARK 0xffu   /* a slot holding a work-list entry, not a cap */

static struct slot *reap_list;
static bool reaping;      /* only the outermost cap_delete empties the list */

static bool deletable(const struct slot *slot)
{
    return !cap_is_null(&slot->cap) && slot->cap.type != REAP_MARK;
}

static void delete_one(struct slot *slot)
{
    struct cap cap = slot->cap;
    bool final = cdt_is_final(slot);
    if (cap.type == OPAL_OBJECT_FRAME || cap.type == OPAL_OBJECT_PAGE_TABLE)
        arch_mapping_deleted(&cap);
    if (cap.type == OPAL_OBJECT_VSPACE)
        core_stall_vspace_slot(slot);
    cdt_remove(slot);
    if (!final)
        return;
    if (cap.type == OPAL_OBJECT_CNODE) {
        cap_set_reap_mark(&slot->cap, REAP_MARK, &cap, reap_list);
        reap_list = slot;
        return;
    }
    object_finalise(&cap);
}

static void reap_all(void)
{
    while (reap_list) {
        struct slot *entry = reap_list;
        struct slot *slots = cnode_slots(&entry->cap);
        uint32_t count = 1u << entry->cap.size_bits;
        reap_list = cap_reap_next(&entry->cap);
        entry->cap = (struct cap){ 0 };
        for (uint32_t i = 0; i < count; i++) {
            if (deletable(&slots[i]))
                delete_one(&slots[i]);
        }
    }
}

void cap_delete(struct slot *slot)
{
    if (!deletable(slot))
        return;
    delete_one(slot);
    if (!reaping) {
        reaping = true;
        reap_all();
        reaping = false;
    }
}

/* Children are deleted deepest-first so each deletion is a leaf and the
 * tree is whole after each: a preemption point between any two. */
int cap_revoke(struct slot *slot)
{
    while (slot->first_child) {
        struct slot *leaf = slot->first_child;
        while (leaf->first_child)
            leaf = leaf->first_child;
        cap_delete(leaf);
        if (slot->first_child && kernel_should_preempt())
            return KERNEL_PREEMPTED;
    }
    return OPAL_OK;
}
