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

/* Set the badge (endpoint, notification) or guard (CNode) of `cap`. */
static int set_badge_or_guard(struct cap *cap, uint32_t word)
{
    if (has_badge(cap)) {
        if (cap_badge(cap) != 0)
            return OPAL_ERR_ILLEGAL_OPERATION; /* badged caps stay as they are */
        cap_set_badge(cap, word);
        return OPAL_OK;
    }
    if (cap->type == OPAL_OBJECT_CNODE) {
        uint32_t guard_bits = MINT_GUARD_BITS(word), guard = MINT_GUARD(word);
        if (guard_bits + cap->size_bits > 32 || (guard_bits < 24 && guard >> guard_bits))
            return OPAL_ERR_RANGE;
        cap_cnode_set_guard(cap, guard_bits, guard);
        return OPAL_OK;
    }
    return OPAL_OK; /* other caps have no badge; Mint is then a Copy */
}

static int lookup_source(struct invocation *invocation, uint32_t cptr, struct slot **source)
{
    return cspace_lookup_cap(invocation->caller, cptr, source);
}

static int copy_or_mint(struct invocation *invocation, struct slot *destination, bool mint)
{
    struct slot *source;
    int error = lookup_source(invocation, invocation->arguments[1], &source);
    if (error != OPAL_OK)
        return error;
    if (!cap_copyable(&source->cap))
        return OPAL_ERR_ILLEGAL_OPERATION;
    if (invocation->arguments[2] & ~OPAL_RIGHTS_ALL)
        return OPAL_ERR_INVALID_ARGUMENT;
    struct cap cap = derive(&source->cap, invocation->arguments[2]);
    if (mint && (error = set_badge_or_guard(&cap, invocation->arguments[3])) != OPAL_OK)
        return error;
    cdt_insert_child(source, destination, &cap);
    return OPAL_OK;
}

static int move_or_mutate(struct invocation *invocation, struct slot *destination, bool mutate)
{
    struct slot *source;
    int error = lookup_source(invocation, invocation->arguments[1], &source);
    if (error != OPAL_OK)
        return error;
    if (source == destination)
        return OPAL_ERR_DELETE_FIRST;
    struct cap cap = source->cap;
    if (mutate && (error = set_badge_or_guard(&cap, invocation->arguments[2])) != OPAL_OK)
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
        return OPAL_ERR_ILLEGAL_OPERATION;
    if (invocation->length < minimum_length[label - OPAL_CNODE_COPY])
        return OPAL_ERR_TRUNCATED;
    uint32_t index = invocation->arguments[0];
    if (index >= (1u << cnode->size_bits))
        return OPAL_ERR_RANGE;
    struct slot *slot = &cnode_slots(cnode)[index];

    if (label == OPAL_CNODE_DELETE) {
        cap_delete(slot);
        return OPAL_OK;
    }
    if (label == OPAL_CNODE_REVOKE)
        return cap_revoke(slot);
    if (!cap_is_null(&slot->cap))
        return OPAL_ERR_DELETE_FIRST;
    if (label == OPAL_CNODE_COPY || label == OPAL_CNODE_MINT)
        return copy_or_mint(invocation, slot, label == OPAL_CNODE_MINT);
    return move_or_mutate(invocation, slot, label == OPAL_CNODE_MUTATE);
}
