/* CNode invocations: copy, mint, move, mutate, delete and revoke caps. The
 * invoked CNode holds the destination; sources are CPtrs in the caller's CSpace. */
#include "opal/error.h"
#include "objects.h"

#define MINT_GUARD_BITS(word) ((word) >> 24)
#define MINT_GUARD(word)      ((word) & 0xffffffu)

bool cap_copyable(const struct cap *cap)
{
    switch (cap->type) {
    case OPAL_OBJECT_UNTYPED:
    case OPAL_OBJECT_IRQ_CONTROL:
    case OPAL_OBJECT_SCHED_CONTROL:
    case OPAL_OBJECT_REPLY:
        return false;
    default:
        return true;
    }
}

static bool has_badge(const struct cap *cap)
{
    return cap->type == OPAL_OBJECT_ENDPOINT || cap->type == OPAL_OBJECT_NOTIFICATION;
}

/* A derived cap carries no mapping: the copy of a mapped frame is unmapped. */
static struct cap derive(const struct cap *source, uint32_t rights_mask)
{
    struct cap cap = *source;
    cap.rights &= (uint8_t)rights_mask;
    if (cap.type == OPAL_OBJECT_FRAME || cap.type == OPAL_OBJECT_PAGE_TABLE) {
        cap_clear_mapping(&cap);
    }
    return cap;
}

/* Set the badge (endpoint, notification) or guard (CNode) of `cap` from
 * argument `argument`. */
static int set_badge_or_guard(struct invocation *invocation, struct cap *cap, uint32_t argument)
{
    uint32_t word = invocation->arguments[argument];
    if (has_badge(cap)) {
        if (cap_badge(cap) != 0) /* badged caps stay as they are: the source is at fault */
            return invocation_refuse(invocation, OPAL_ERR_ILLEGAL_OPERATION, 1);
        cap_set_badge(cap, word);
        return OPAL_OK;
    }
    if (cap->type == OPAL_OBJECT_CNODE) {
        uint32_t guard_bits = MINT_GUARD_BITS(word), guard = MINT_GUARD(word);
        /* The bounds are those of the field that failed: guard_bits, else the guard. */
        if (guard_bits + cap->size_bits > 32)
            return invocation_out_of_range(invocation, argument, 0, 32u - cap->size_bits);
        if (guard_bits < 24 && guard >> guard_bits)
            return invocation_out_of_range(invocation, argument, 0, (1u << guard_bits) - 1);
        cap_cnode_set_guard(cap, guard_bits, guard);
        return OPAL_OK;
    }
    return OPAL_OK; /* other caps have no badge; Mint is then a Copy */
}

/* The source cap: argument 1 of every method that has one. */
static int lookup_source(struct invocation *invocation, struct slot **source)
{
    return invocation_lookup(invocation, 1, OPAL_OBJECT_NULL, source);
}

static int copy_or_mint(struct invocation *invocation, struct slot *destination, bool mint)
{
    struct slot *source;
    int error = lookup_source(invocation, &source);
    if (error != OPAL_OK)
        return error;
    if (!cap_copyable(&source->cap))
        return invocation_refuse(invocation, OPAL_ERR_ILLEGAL_OPERATION, 1);
    if (invocation->arguments[2] & ~OPAL_RIGHTS_ALL)
        return invocation_refuse(invocation, OPAL_ERR_INVALID_ARGUMENT, 2);
    struct cap cap = derive(&source->cap, invocation->arguments[2]);
    if (mint && (error = set_badge_or_guard(invocation, &cap, 3)) != OPAL_OK)
        return error;
    cdt_insert_child(source, destination, &cap);
    return OPAL_OK;
}

static int move_or_mutate(struct invocation *invocation, struct slot *destination, bool mutate)
{
    struct slot *source;
    int error = lookup_source(invocation, &source);
    if (error != OPAL_OK)
        return error;
    if (source == destination)
        return invocation_refuse(invocation, OPAL_ERR_DELETE_FIRST, 0);
    struct cap cap = source->cap;
    if (mutate && (error = set_badge_or_guard(invocation, &cap, 2)) != OPAL_OK)
        return error;
    cdt_move(source, destination);
    destination->cap = cap;
    return OPAL_OK;
}

static const uint32_t minimum_length[] = {
    [OPAL_CNODE_COPY - OPAL_CNODE_COPY] = 3,   [OPAL_CNODE_MINT - OPAL_CNODE_COPY] = 4,
    [OPAL_CNODE_MOVE - OPAL_CNODE_COPY] = 2,   [OPAL_CNODE_MUTATE - OPAL_CNODE_COPY] = 3,
    [OPAL_CNODE_DELETE - OPAL_CNODE_COPY] = 1, [OPAL_CNODE_REVOKE - OPAL_CNODE_COPY] = 1,
};

int cnode_invoke(struct invocation *invocation)
{
    const struct cap *cnode = &invocation->slot->cap;
    uint32_t label = invocation->label;

    if (label < OPAL_CNODE_COPY || label > OPAL_CNODE_REVOKE)
        return invocation_no_method(invocation);
    if (invocation->length < minimum_length[label - OPAL_CNODE_COPY])
        return invocation_truncated(invocation);
    uint32_t index = invocation->arguments[0];
    if (index >= (1u << cnode->size_bits))
        return invocation_out_of_range(invocation, 0, 0, (1u << cnode->size_bits) - 1);
    struct slot *slot = &cnode_slots(cnode)[index];

    if (label == OPAL_CNODE_DELETE) {
        cap_delete(slot);
        return OPAL_OK;
    }
    if (label == OPAL_CNODE_REVOKE)
        return cap_revoke(slot);
    if (!cap_is_null(&slot->cap))
        return invocation_refuse(invocation, OPAL_ERR_DELETE_FIRST, 0);
    if (label == OPAL_CNODE_COPY || label == OPAL_CNODE_MINT)
        return copy_or_mint(invocation, slot, label == OPAL_CNODE_MINT);
    return move_or_mutate(invocation, slot, label == OPAL_CNODE_MUTATE);
}
