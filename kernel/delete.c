/* Deleting and revoking capabilities. Deleting the last cap to an object
 * destroys the object. A destroyed CNode's slots are emptied through a work
 * list rather than by recursion, so nesting cannot exhaust the kernel stack. */
#include <stddef.h>
#include "objects.h"

/* CNodes whose slots still need emptying. The link lives in the CNode's own
 * slot 0, which is emptied first. */
#define REAP_MARK 0xffu
static struct slot *reap_list;
static bool reaping;    /* only the outermost cap_delete empties the list */

static void delete_one(struct slot *slot);

static void reap_push(const struct cap *cnode)
{
    struct slot *first = cnode_slots(cnode);
    if (!cap_is_null(&first->cap) && first->cap.type != REAP_MARK)
        delete_one(first);
    first->cap = (struct cap){ .type = REAP_MARK, .size_bits = cnode->size_bits,
                               .object = (uint32_t)(uintptr_t)reap_list };
    reap_list = first;
}

static void reap_all(void)
{
    while (reap_list) {
        struct slot *slots = reap_list;
        uint32_t count = 1u << slots->cap.size_bits;
        reap_list = (struct slot *)(uintptr_t)slots->cap.object;
        slots->cap = (struct cap){ 0 };
        for (uint32_t i = 1; i < count; i++) {
            if (!cap_is_null(&slots[i].cap))
                delete_one(&slots[i]);
        }
    }
}

static void delete_one(struct slot *slot)
{
    struct cap cap = slot->cap;
    bool final = cdt_is_final(slot);
    if (cap.type == OPAL_OBJECT_FRAME || cap.type == OPAL_OBJECT_PAGE_TABLE)
        arch_mapping_deleted(&cap);
    cdt_remove(slot);
    if (!final)
        return;
    if (cap.type == OPAL_OBJECT_CNODE)
        reap_push(&cap);
    else
        object_finalise(&cap);
}

void cap_delete(struct slot *slot)
{
    if (cap_is_null(&slot->cap) || slot->cap.type == REAP_MARK)
        return;
    delete_one(slot);
    if (!reaping) {
        reaping = true;
        reap_all();
        reaping = false;
    }
}

/* Children are deleted deepest-first so each deletion is a leaf. */
void cap_revoke(struct slot *slot)
{
    while (slot->first_child) {
        struct slot *leaf = slot->first_child;
        while (leaf->first_child)
            leaf = leaf->first_child;
        cap_delete(leaf);
    }
}
