/* Untyped memory: Retype carves new objects out of it after its watermark.
 * The untyped cap keeps the watermark, how far past it memory is known to
 * be zero and whether it is device memory (kernel/include/cap.h).
 * Zeroing happens before carving, a chunk at a time with a preemption point
 * between chunks, so a large retype never holds interrupts off for long: a
 * preempted Retype is restarted and goes on where the zeroing stopped. */
#include "opal/error.h"
#include "arch.h"
#include "core.h"
#include "kernel.h"
#include "objects.h"


static bool type_allowed_from_device(uint32_t type)
{
    return type == OPAL_OBJECT_FRAME || type == OPAL_OBJECT_UNTYPED;
}

/* The destination CNode cap (argument 2) and the range of empty slots in it
 * (index argument 3, count argument 4). */
static int check_destination(struct invocation *invocation, uint32_t count, struct slot **slots)
{
    struct slot *cnode_slot;
    uint32_t index = invocation->arguments[3];
    int error = cspace_lookup_slot(&invocation->caller->cspace_root.cap, invocation->arguments[2],
                                   &cnode_slot);
    if (error != OPAL_OK)
        return invocation_refuse(invocation, error, 2);
    const struct cap *cnode = &cnode_slot->cap;
    if (cnode->type != OPAL_OBJECT_CNODE)
        return invocation_refuse(invocation, OPAL_ERR_INVALID_CAPABILITY, 2);
    uint32_t slot_count = 1u << cnode->size_bits;
    if (index >= slot_count)
        return invocation_out_of_range(invocation, 3, 0, slot_count - 1);
    if (count > slot_count - index)
        return invocation_out_of_range(invocation, 4, 1, slot_count - index);
    *slots = &cnode_slots(cnode)[index];
    for (uint32_t i = 0; i < count; i++) {
        if (!cap_is_null(&(*slots)[i].cap))
            return invocation_refuse(invocation, OPAL_ERR_DELETE_FIRST, 3);
    }
    return OPAL_OK;
}

/* The size_bits a type takes when opal_object_size_bits refused it: the
 * bounds a RANGE names (a frame takes 12 or 21, inside these bounds). */
static int size_out_of_range(struct invocation *invocation, uint32_t type)
{
    switch (type) {
    case OPAL_OBJECT_UNTYPED:
        return invocation_out_of_range(invocation, 1, OPAL_UNTYPED_MIN_BITS, OPAL_UNTYPED_MAX_BITS);
    case OPAL_OBJECT_CNODE:
        return invocation_out_of_range(invocation, 1, OPAL_CNODE_MIN_BITS, OPAL_CNODE_MAX_BITS);
    default:
        return invocation_out_of_range(invocation, 1, OPAL_FRAME_SMALL_BITS, OPAL_FRAME_LARGE_BITS);
    }
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
        uint64_t *words = arch_phys_to_virt(pa_add(cap_physical(untyped), zeroed));
        uint64_t chunk = end - zeroed < UNTYPED_ZERO_CHUNK ? end - zeroed : UNTYPED_ZERO_CHUNK;
        for (uint32_t i = 0; i < chunk / sizeof(uint64_t); i += 2) { /* 16-byte multiples */
            words[i] = 0;
            words[i + 1] = 0;
        }
        zeroed += (uint32_t)chunk;
        cap_untyped_set_zeroed_to(untyped, zeroed);
        if (zeroed < end && kernel_should_preempt())
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
        return invocation_no_method(invocation);
    if (invocation->length < 5)
        return invocation_truncated(invocation);
    uint32_t type = arguments[0], size_bits = arguments[1], count = arguments[4];
    if (type == OPAL_OBJECT_NULL || type >= OPAL_OBJECT_TYPE_COUNT)
        return invocation_refuse(invocation, OPAL_ERR_INVALID_ARGUMENT, 0);
    uint32_t object_bits = opal_object_size_bits(type, size_bits);
    if (object_bits == 0)
        return size_out_of_range(invocation, type);
    if (count == 0 || count > OPAL_RETYPE_MAX_COUNT)
        return invocation_out_of_range(invocation, 4, 1, OPAL_RETYPE_MAX_COUNT);
    bool device = cap_untyped_is_device(untyped);
    if (device && !type_allowed_from_device(type))
        return invocation_refuse(invocation, OPAL_ERR_ILLEGAL_OPERATION, 0); /* the type */
    struct slot *destination;
    int error = check_destination(invocation, count, &destination);
    if (error != OPAL_OK)
        return error;
    if (type == OPAL_OBJECT_VSPACE && arch_vmids_available() < count)
        return invocation_refuse(invocation, OPAL_ERR_NOT_ENOUGH_MEMORY, 4);

    /* Everything carved is gone: carving starts again at 0, zeroing again.
     * Decided here, written only once the retype is sure to go ahead. */
    bool restart = !cdt_has_children(untyped_slot) && cap_untyped_watermark(untyped) != 0;
    uint64_t watermark = restart ? 0 : cap_untyped_watermark(untyped);
    uint64_t object_size = 1ull << object_bits;
    uint64_t start = (watermark + object_size - 1) & ~(object_size - 1);
    uint64_t end = start + count * object_size;
    if (end > (1ull << untyped->size_bits))
        return invocation_refuse(invocation, OPAL_ERR_NOT_ENOUGH_MEMORY,
                                 OPAL_ERROR_ARGUMENT_INVOKED); /* the untyped is full */
    if (restart) {
        cap_untyped_set_watermark(untyped, 0);
        cap_untyped_set_zeroed_to(untyped, 0);
    }
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
