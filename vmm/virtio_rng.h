/* The guest's virtio entropy device (/dev/hwrng), fed by the entropy
 * driver task over the rng link. */
#ifndef VMM_VIRTIO_RNG_H
#define VMM_VIRTIO_RNG_H

#include "rng_link.h"
#include "vmm/virtio.h"

struct virtio_rng {
    struct virtio_device device;   /* first: the transport's view */
    struct rng_link *link;         /* shared with the driver (VMM_RNG_LINK_ADDRESS) */
};

/* The device at its slot (only for a VM with an entropy driver), over `link`. */
void virtio_rng_init(struct virtio_rng *rng, struct vm *vm, struct rng_link *link);
/* The driver signalled: more bytes are in the link. */
void virtio_rng_filled(struct virtio_rng *rng);

#endif
