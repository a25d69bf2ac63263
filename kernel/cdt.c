/* The capability derivation tree: each slot knows its parent, its first
 * child and its siblings. Caps to one object stay contiguous among their
 * siblings, so "is this the last cap to the object?" is a look at the
 * neighbours, not a search. */
#include <stddef.h>
#include "cap.h"

/* The parent of every cap the kernel makes at boot, so every cap has a
 * parent: deleting a boot cap hands its children to the sentinel, keeping
 * copies of one object adjacent (and so "is this the last cap?" right). */
struct slot cdt_sentinel;

static bool same_object(const struct cap *a, const struct cap *b)
{
    return a->type == b->type && a->object == b->object && a->size_bits == b->size_bits;
}

static void link_after(struct slot *parent, struct slot *previous, struct slot *slot)
{
    slot->parent = parent;
    slot->prev_sibling = previous;
    slot->next_sibling = previous ? previous->next_sibling : parent ? parent->first_child : NULL;
    if (slot->next_sibling)
        slot->next_sibling->prev_sibling = slot;
    if (previous)
        previous->next_sibling = slot;
    else if (parent)
        parent->first_child = slot;
}

static void unlink(struct slot *slot)
{
    if (slot->prev_sibling)
        slot->prev_sibling->next_sibling = slot->next_sibling;
    else if (slot->parent)
        slot->parent->first_child = slot->next_sibling;
    if (slot->next_sibling)
        slot->next_sibling->prev_sibling = slot->prev_sibling;
    slot->parent = slot->next_sibling = slot->prev_sibling = NULL;
}

/* A new cap goes in as the parent's first child. That keeps same-object
 * caps adjacent without a search: a copy is the child of the cap it copies,
 * and an untyped (which cannot be copied) gives each child a new object, so
 * same-object siblings arise only from cdt_remove, which keeps them in one
 * run. */
void cdt_insert_child(struct slot *parent, struct slot *child, const struct cap *cap)
{
    if (parent == NULL)
        parent = &cdt_sentinel;
    child->cap = *cap;
    child->first_child = NULL;
    link_after(parent, NULL, child);
}

void cdt_move(struct slot *from, struct slot *to)
{
    to->cap = from->cap;
    to->parent = from->parent;
    to->prev_sibling = from->prev_sibling;
    to->next_sibling = from->next_sibling;
    to->first_child = from->first_child;
    if (to->prev_sibling)
        to->prev_sibling->next_sibling = to;
    else if (to->parent)
        to->parent->first_child = to;
    if (to->next_sibling)
        to->next_sibling->prev_sibling = to;
    for (struct slot *child = to->first_child; child; child = child->next_sibling)
        child->parent = to;
    *from = (struct slot){ 0 };
}

/* The children take the slot's place among its siblings, in order. */
void cdt_remove(struct slot *slot)
{
    struct slot *previous = slot, *child = slot->first_child;
    while (child) {
        struct slot *next = child->next_sibling;
        child->parent = slot->parent;
        child->prev_sibling = previous;
        child->next_sibling = previous->next_sibling;
        if (child->next_sibling)
            child->next_sibling->prev_sibling = child;
        previous->next_sibling = child;
        previous = child;
        child = next;
    }
    slot->first_child = NULL;
    unlink(slot);
    slot->cap = (struct cap){ 0 };
}

bool cdt_has_children(const struct slot *slot)
{
    return slot->first_child != NULL;
}

bool cdt_is_final(const struct slot *slot)
{
    const struct cap *cap = &slot->cap;
    if (slot->parent && slot->parent != &cdt_sentinel && same_object(&slot->parent->cap, cap))
        return false;
    for (const struct slot *child = slot->first_child; child; child = child->next_sibling) {
        if (same_object(&child->cap, cap))
            return false;
        if (cap->type != OPAL_OBJECT_UNTYPED)
            break; /* all children of a non-untyped cap are copies */
    }
    return !(slot->prev_sibling && same_object(&slot->prev_sibling->cap, cap)) &&
           !(slot->next_sibling && same_object(&slot->next_sibling->cap, cap));
}
