/* What init hands a component while building it, the same for VMs and
 * tasks: its guarded CNode, interrupt handlers, copies of frames made
 * elsewhere, frames filled with data, device pages. */
#include "init.h"
#include "process.h"
#include "runtime/mem.h"

/* Where init maps a frame to fill it: one place per frame size, since a
 * page table made for a small frame would be in the way of a large one. */
#define SCRATCH_LARGE 0x30000000u
#define SCRATCH_SMALL 0x30200000u

int make_guarded_cnode(uint32_t bits, uint32_t *cnode, uint32_t *guarded)
{
    int error = opal_alloc_object(OPAL_OBJECT_CNODE, bits, cnode);
    if (error)
        return error;
    if ((*guarded = opal_alloc_slot()) == 0)
        return OPAL_ERR_NOT_ENOUGH_MEMORY;
    return opal_cnode_mint(OPAL_CAP_INIT_CNODE, *guarded, *cnode, OPAL_RIGHTS_ALL,
                           OPAL_CNODE_GUARD(32 - bits, 0));
}

int give_irq(uint32_t irq, uint32_t notification, uint32_t badge, uint32_t cnode, uint32_t slot)
{
    uint32_t handler = opal_alloc_slot(), badged = opal_alloc_slot();
    int error;
    if (handler == 0 || badged == 0)
        return OPAL_ERR_NOT_ENOUGH_MEMORY;
    if ((error = opal_irq_control_get(OPAL_CAP_IRQ_CONTROL, irq, OPAL_CAP_INIT_CNODE, handler)) ||
        (error = opal_cnode_mint(OPAL_CAP_INIT_CNODE, badged, notification, OPAL_RIGHT_WRITE,
                                 badge)) ||
        (error = opal_irq_handler_set_notification(handler, badged)) ||
        (error = opal_cnode_move(cnode, slot, handler)))
        return error;
    return opal_free_slot(handler);
}

int map_copy(uint32_t frame, uint32_t vspace, uint32_t address, uint32_t rights)
{
    uint32_t copy = opal_alloc_slot();
    int error;
    if (copy == 0)
        return OPAL_ERR_NOT_ENOUGH_MEMORY;
    if ((error = opal_cnode_copy(OPAL_CAP_INIT_CNODE, copy, frame, OPAL_RIGHTS_ALL)))
        return error;
    return process_map_frame(copy, vspace, address, rights);
}

int map_filled_frame(uint32_t bits, const void *data, uint32_t size, uint32_t vspace,
                     uint32_t address, uint32_t rights)
{
    uint32_t frame;
    uint8_t *scratch = (uint8_t *)(bits == OPAL_FRAME_SMALL_BITS ? SCRATCH_SMALL : SCRATCH_LARGE);
    int error;
    if (size > 1u << bits)
        return OPAL_ERR_RANGE;
    if ((error = opal_alloc_object(OPAL_OBJECT_FRAME, bits, &frame)) ||
        (error = process_map_frame(frame, OPAL_CAP_INIT_VSPACE, (uint32_t)scratch,
                                   OPAL_MAP_READ | OPAL_MAP_WRITE)))
        return error;
    /* The rest of the frame is zero already: the kernel zeroes at retype. */
    memcpy(scratch, data, size);
    if ((error = opal_frame_unmap(frame)))
        return error;
    return process_map_frame(frame, vspace, address, rights);
}

int map_device_page(struct physical page, uint32_t vspace, struct vspace_address address)
{
    uint32_t frame;
    int error = opal_alloc_device_frame(page.value, &frame);
    return error ? error : process_map_frame_with(frame, vspace, address.value,
                                                  OPAL_MAP_READ | OPAL_MAP_WRITE, OPAL_MAP_DEVICE);
}
