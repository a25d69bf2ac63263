/* The host's virtio-blk disk behind a virtio-mmio transport, version 2
 * (virtio 1.x): probing, feature negotiation, one split virtqueue in the
 * driver's DMA memory, and moving requests through it. Each request is one
 * descriptor pointing at its slot's indirect table. */
#include "blk.h"

/* virtio-blk's configuration space (5.2.4): byte offsets in the transport. */
enum {
    CONFIG_CAPACITY_LOW = VIRTIO_MMIO_CONFIG + 0x00, CONFIG_CAPACITY_HIGH = VIRTIO_MMIO_CONFIG + 0x04,
    CONFIG_SEG_MAX = VIRTIO_MMIO_CONFIG + 0x0c,
};

uint32_t device_physical(const struct device *device, const void *pointer)
{
    return device->dma_physical + (uint32_t)((const uint8_t *)pointer - (const uint8_t *)device->dma);
}

/* VERSION_1 and INDIRECT_DESC are required; FLUSH and SEG_MAX taken if
 * offered. Without FLUSH the device has no volatile write cache (virtio
 * 1.x: a driver may deduce write-through from its absence), so a flush
 * has nothing to do and completes at once. */
static bool negotiate(struct device *device)
{
    static const struct virtio_host_feature required[] = {
        { VIRTIO_F_INDIRECT_DESC, "VIRTIO_F_RING_INDIRECT_DESC" },
    };
    uint64_t accepted;
    if (!virtio_host_negotiate(&device->host, required, 1,
                               VIRTIO_BLK_F_FLUSH | VIRTIO_BLK_F_SEG_MAX, &accepted))
        return false;
    uint32_t seg_max = *virtio_host_register(&device->host, CONFIG_SEG_MAX);
    device->flush = (accepted & VIRTIO_BLK_F_FLUSH) != 0;
    device->max_pieces = TABLE_MAX - 2;
    if (accepted & VIRTIO_BLK_F_SEG_MAX && seg_max != 0 && seg_max < device->max_pieces)
        device->max_pieces = seg_max;
    return true;
}

/* The capacity, read until the configuration generation is steady. */
static uint64_t read_capacity(const struct virtio_host *host)
{
    volatile uint32_t *generation = virtio_host_register(host, VIRTIO_MMIO_CONFIG_GENERATION);
    uint32_t before, low, high;
    do {
        before = *generation;
        low = *virtio_host_register(host, CONFIG_CAPACITY_LOW);
        high = *virtio_host_register(host, CONFIG_CAPACITY_HIGH);
    } while (before != *generation);
    return (uint64_t)high << 32 | low;
}

/* Queue 0 with SLOTS entries, in the DMA memory (zeroed by init). */
static bool setup_queue(struct device *device)
{
    struct dma *dma = device->dma;
    return virtio_host_queue(&device->host, 0, SLOTS, device_physical(device, dma->descriptors),
                             device_physical(device, &dma->avail),
                             device_physical(device, &dma->used));
}

bool device_start(struct device *device, const struct virtio_host *host,
                  const struct task_disk *disk)
{
    device->host = *host;
    device->dma = (struct dma *)disk->dma_address;
    device->dma_physical = disk->dma_physical;
    if (!virtio_host_probe(&device->host, VIRTIO_ID_BLOCK, "a block device"))
        return false;
    virtio_host_reset(&device->host);
    if (!negotiate(device) || !setup_queue(device))
        return false;
    device->capacity = read_capacity(&device->host);
    if (device->capacity < disk->sectors) {
        printf("blk: the disk at 0x%08x has %llu sectors, fewer than the description's "
               "disk-sectors %u: not serving\n", (unsigned)host->transport,
               (unsigned long long)device->capacity, (unsigned)disk->sectors);
        *virtio_host_register(host, VIRTIO_MMIO_STATUS) = VIRTIO_STATUS_FAILED;
        return false;
    }
    virtio_host_ready(&device->host);
    printf("blk: disk of %llu sectors (%llu MiB) at 0x%08x, virtio 1.x, flush: %s\n",
           (unsigned long long)device->capacity, (unsigned long long)(device->capacity >> 11),
           (unsigned)host->transport, device->flush ? "yes" : "no (write-through)");
    return true;
}

void device_submit(struct device *device, uint32_t slot, uint32_t entries)
{
    struct dma *dma = device->dma;
    dma->descriptors[slot] = (struct virtq_desc){
        .address = device_physical(device, dma->tables[slot]),
        .length = entries * (uint32_t)sizeof(struct virtq_desc), .flags = VIRTQ_DESC_F_INDIRECT,
    };
    dma->avail.ring[device->avail_index % SLOTS] = (uint16_t)slot;
    blk_link_barrier();              /* the entry before the index that publishes it */
    dma->avail.index = ++device->avail_index;
}

/* Asking again must not race a completion the device makes meanwhile:
 * it writes the used ring, then reads the flag; we write the flag, then
 * read the ring. A barrier orders our two, but QEMU's one-thread TCG
 * (what -icount runs) leaves a guest's barriers out, and its I/O thread
 * completes requests while the guest runs: a register read after the
 * flag goes through QEMU's lock, which the completion holds too, and
 * orders them (without it one request in thousands waited for the guest's
 * 30 s timeout). */
void device_quiet(struct device *device, bool quiet)
{
    device->dma->avail.flags = quiet ? VIRTQ_AVAIL_F_NO_INTERRUPT : 0;
    blk_link_barrier();              /* the flag before the next look at the used ring */
    if (!quiet)
        (void)*virtio_host_register(&device->host, VIRTIO_MMIO_INTERRUPT_STATUS);
}

void device_notify(struct device *device)
{
    virtio_host_notify(&device->host, 0);
}

void device_interrupt(struct device *device)
{
    virtio_host_interrupt(&device->host);
}

int device_next_used(struct device *device)
{
    volatile uint16_t *index = &device->dma->used.index;
    if (*index == device->used_seen)
        return -1;
    blk_link_barrier();              /* the entry after the index that published it */
    uint32_t id = device->dma->used.ring[device->used_seen % SLOTS].id;
    device->used_seen++;
    return id < SLOTS ? (int)id : (int)SLOTS;   /* the caller ignores a bad id */
}
