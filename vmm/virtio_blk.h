/* The guest's virtio-blk device, backed by the disk's driver task. */
#ifndef VMM_VIRTIO_BLK_H
#define VMM_VIRTIO_BLK_H

#include "blk_link.h"
#include "vmm/virtio.h"

/* A request the driver has: where its status byte goes, the bytes a read
 * fills (for the used ring's length), and whether the guest has reset the
 * device since (its completion is then dropped). */
struct blk_pending {
    bool in_flight, discard;
    uint32_t status_address;
    uint32_t written;
};

struct virtio_blk {
    struct virtio_device device;   /* first: the transport's view */
    struct blk_pending pending[VIRTQ_SIZE_MAX];   /* by chain head */
    uint32_t in_flight;
    struct blk_link *link;         /* shared with the driver (VMM_BLK_LINK_ADDRESS) */
};

/* The device at its slot (only for a VM with a disk), over `link`. */
void virtio_blk_init(struct virtio_blk *blk, struct vm *vm, struct blk_link *link);
/* The driver signalled: completions are waiting. */
void virtio_blk_completed(struct virtio_blk *blk);

#endif
