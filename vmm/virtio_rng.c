/* The guest's virtio entropy device (virtio 1.x, 5.4): each request chain
 * gets as many bytes as the link holds, up to its buffers' size (a short
 * answer is allowed); with the link empty, chains wait in the guest's ring
 * until the driver signals. Every take asks the driver to fill up. */
#include "runtime/mem.h"
#include "vmm/virtio_rng.h"
#include "vmm/vmm.h"


static struct virtio_rng *rng_of(struct virtio_device *device)
{
    return (struct virtio_rng *)device;
}

/* Up to `length` bytes from the link into guest memory at `to`. */
static uint32_t take_bytes(struct rng_link *link, uint8_t *to, uint32_t length)
{
    uint32_t head = link->head, tail = link->tail;
    uint32_t waiting = head - tail <= RNG_LINK_BYTES ? head - tail : 0;
    uint32_t count = length < waiting ? length : waiting;
    rng_link_barrier();   /* the bytes after the index that published them */
    for (uint32_t i = 0; i < count; i++)
        to[i] = link->bytes[(tail + i) % RNG_LINK_BYTES];
    rng_link_barrier();   /* read before the driver may overwrite them */
    link->tail = tail + count;
    return count;
}

static bool link_empty(const struct rng_link *link)
{
    return link->head == link->tail;
}

/* Answers waiting chains while the link has bytes. */
static void serve(struct virtio_rng *rng)
{
    struct virtq_chain chain;
    bool took = false;
    while (!link_empty(rng->link) && virtio_take(&rng->device, 0, &chain)) {
        uint32_t written = 0;
        for (uint32_t i = 0; i < chain.count; i++)
            if (chain.buffers[i].writable)
                written += take_bytes(rng->link, (uint8_t *)chain.buffers[i].address,
                                      chain.buffers[i].length);
        virtio_give(&rng->device, 0, chain.head, written);
        took = true;
    }
    if (took || link_empty(rng->link))
        opal_signal(VMM_CAP_RNG_DRIVER);
}

static void notify(struct virtio_device *device, uint32_t q)
{
    (void)q;
    serve(rng_of(device));
}

static const struct virtio_type rng_type = {
    .name = "virtio-rng",
    .device_id = VIRTIO_ID_RNG,
    .features = 0,
    .queue_count = 1,
    .notify = notify,
};

void virtio_rng_init(struct virtio_rng *rng, struct vm *vm, struct rng_link *link)
{
    rng->link = link;
    virtio_init(&rng->device, &rng_type, vm, GUEST_VIRTIO_RNG);
}

void virtio_rng_filled(struct virtio_rng *rng)
{
    if (rng->device.type)
        serve(rng);
}
