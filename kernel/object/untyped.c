/* Untyped memory: Retype carves new objects out of it after its watermark.
 * The untyped cap keeps the watermark, how far past it memory is known to
 * be zero and whether it is device memory (kernel/include/cap.h).
 * Zeroing happens before carving, a chunk at a time with a preemption point
 * between chunks, so a large retype never holds interrupts off for long: a
 * preempted Retype is restarted and goes on where the zeroing stopped. */
#include "opal/error.h"
#include "arch.h"
#include "kernel.h"
#include "objects.h"


static bool type_allowed_from_device(uint32_t type)
{
    return type == OPAL_OBJECT_FRAME || type == OPAL_OBJECT_UNTYPED;
}

/* The destination CNode cap and the range of empty slots in it. */
static int check_destination(struct invocation *invocation, uint32_t cnode_cptr, uint32_t index,
                             uint32_t count, struct slot **slots)
{
    struct slot *cnode_slot;
    int error = cspace_lookup_slot(&invocation->caller->cspace_root.cap, cnode_cptr, &cnode_slot);
    if (error != OPAL_OK)
        return error;
    const struct cap *cnode = &cnode_slot->cap;
    if (cnode->type != OPAL_OBJECT_CNODE)
        return OPAL_ERR_INVALID_CAPABILITY;
    uint32_t slot_count = 1u << cnode->size_bits;
    if (index >= slot_count || count > slot_count - index)
        return OPAL_ERR_RANGE;
    *slots = &cnode_slots(cnode)[index];
    for (uint32_t i = 0; i < count; i++) {
        if (!cap_is_null(&(*slots)[i].cap))
            return OPAL_ERR_DELETE_FIRST;
    }
    return OPAL_OK;
}

static struct cap new_object_cap(uint32_t type, uint32_t size_bits, uint32_t address,
                                 bool device)
{
    struct cap cap = { .type = (uint8_t)type, .rights = OPAL_RIGHTS_ALL, .object = address };
    if (type == OPAL_OBJECT_UNTYPED || type == OPAL_OBJECT_CNODE || type == OPAL_OBJECT_FRAME)
        cap.size_bits = (uint8_t)size_bits;
    if (type == OPAL_OBJECT_UNTYPED) {
        cap_untyped_set_device(&cap, device);
        cap_untyped_set_zeroed_to(&cap, device ? 0 : 1u << size_bits); /* carved from zeroed memory */
    }
    return cap;
}

/* Zero [zeroed_to, end) of the untyped a chunk at a time; false if an
 * interrupt is waiting before it is done (the progress so far is kept in
 * the cap's zeroed_to). */
static bool zero_up_to(struct cap *untyped, uint64_t end)
{
    uint32_t zeroed;
    while ((zeroed = cap_untyped_zeroed_to(untyped)) < end) {
        uint64_t *words = arch_phys_to_virt(untyped->object + zeroed);
        uint64_t chunk = end - zeroed < UNTYPED_ZERO_CHUNK ? end - zeroed : UNTYPED_ZERO_CHUNK;
        for (uint32_t i = 0; i < chunk / sizeof(uint64_t); i += 2) { /* 16-byte multiples */
            words[i] = 0;
            words[i + 1] = 0;
        }
        zeroed += (uint32_t)chunk;
        cap_untyped_set_zeroed_to(untyped, zeroed);
        if (zeroed < end && arch_interrupt_pending())
            return false;
    }
    return true;
}

int untyped_invoke(struct invocation *invocation)
{
    struct slot *untyped_slot = invocation->slot;
    struct cap *untyped = &untyped_slot->cap;
    uint32_t *arguments = invocation->arguments;

    if (invocation->label != OPAL_UNTYPED_RETYPE)
        return OPAL_ERR_ILLEGAL_OPERATION;
    if (invocation->length < 5)
        return OPAL_ERR_TRUNCATED;
    uint32_t type = arguments[0], size_bits = arguments[1], count = arguments[4];
    if (type == OPAL_OBJECT_NULL || type >= OPAL_OBJECT_TYPE_COUNT)
        return OPAL_ERR_INVALID_ARGUMENT;
    uint32_t object_bits = opal_object_size_bits(type, size_bits);
    if (object_bits == 0 || count == 0 || count > OPAL_RETYPE_MAX_COUNT)
        return OPAL_ERR_RANGE;
    bool device = cap_untyped_is_device(untyped);
    if (device && !type_allowed_from_device(type))
        return OPAL_ERR_ILLEGAL_OPERATION;
    struct slot *destination;
    int error = check_destination(invocation, arguments[2], arguments[3], count, &destination);
    if (error != OPAL_OK)
        return error;
    if (type == OPAL_OBJECT_VSPACE && arch_vmids_available() < count)
        return OPAL_ERR_NOT_ENOUGH_MEMORY;

    if (!cdt_has_children(untyped_slot) && cap_untyped_watermark(untyped) != 0) {
        cap_untyped_set_watermark(untyped, 0); /* everything carved is gone: start again, */
        cap_untyped_set_zeroed_to(untyped, 0); /* zeroing again */
    }
    uint64_t object_size = 1ull << object_bits;
    uint64_t start = (cap_untyped_watermark(untyped) + object_size - 1) & ~(object_size - 1);
    uint64_t end = start + count * object_size;
    if (end > (1ull << untyped->size_bits))
        return OPAL_ERR_NOT_ENOUGH_MEMORY;
    if (!device && !zero_up_to(untyped, end))
        return KERNEL_PREEMPTED;

    for (uint32_t i = 0; i < count; i++) {
        struct cap cap = new_object_cap(type, size_bits,
                                        untyped->object + (uint32_t)(start + i * object_size),
                                        device);
        object_initialise(&cap);
        cdt_insert_child(untyped_slot, &destination[i], &cap);
    }
    cap_untyped_set_watermark(untyped, (uint32_t)end);
    return OPAL_OK;
}
