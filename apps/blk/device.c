/* The host's virtio-blk disk behind a virtio-mmio transport, version 2
 * (virtio 1.x): probing, feature negotiation, one split virtqueue in the
 * driver's DMA memory, and moving requests through it. Each request is one
 * descriptor pointing at its slot's indirect table. */
#include <stdarg.h>
#include "blk.h"
#include "core/format.h"

/* Transport registers (byte offsets / 4). */
enum {
    MAGIC = 0x000 / 4, VERSION = 0x004 / 4, DEVICE_ID = 0x008 / 4,
    DEVICE_FEATURES = 0x010 / 4, DEVICE_FEATURES_SEL = 0x014 / 4,
    DRIVER_FEATURES = 0x020 / 4, DRIVER_FEATURES_SEL = 0x024 / 4,
    QUEUE_SEL = 0x030 / 4, QUEUE_NUM_MAX = 0x034 / 4, QUEUE_NUM = 0x038 / 4,
    QUEUE_READY = 0x044 / 4, QUEUE_NOTIFY = 0x050 / 4,
    INTERRUPT_STATUS = 0x060 / 4, INTERRUPT_ACK = 0x064 / 4, STATUS = 0x070 / 4,
    QUEUE_DESC_LOW = 0x080 / 4, QUEUE_DESC_HIGH = 0x084 / 4,
    QUEUE_DRIVER_LOW = 0x090 / 4, QUEUE_DRIVER_HIGH = 0x094 / 4,
    QUEUE_DEVICE_LOW = 0x0a0 / 4, QUEUE_DEVICE_HIGH = 0x0a4 / 4,
    CONFIG_GENERATION = 0x0fc / 4,
    CONFIG_CAPACITY_LOW = 0x100 / 4, CONFIG_CAPACITY_HIGH = 0x104 / 4,
    CONFIG_SEG_MAX = 0x10c / 4,
};
#define VIRTIO_MAGIC 0x74726976u     /* "virt" */
#define VIRTIO_ID_BLOCK 2u
#define STATUS_ACKNOWLEDGE 1u
#define STATUS_DRIVER      2u
#define STATUS_DRIVER_OK   4u
#define STATUS_FEATURES_OK 8u
#define STATUS_FAILED      128u
/* Feature bits: word 0 ... */
#define VIRTIO_BLK_F_SEG_MAX    (1u << 2)
#define VIRTIO_BLK_F_FLUSH      (1u << 9)
#define VIRTIO_F_INDIRECT_DESC  (1u << 28)
/* ... and word 1. */
#define VIRTIO_F_VERSION_1      (1u << (32 - 32))

/* Orders the DMA memory's writes before a register write the device acts on. */
static inline void device_barrier(void)
{
    __asm__ volatile("dsb sy" ::: "memory");
}

uint32_t device_physical(const struct device *device, const void *pointer)
{
    return device->dma_physical + (uint32_t)((const uint8_t *)pointer - (const uint8_t *)device->dma);
}

/* The device marked failed and a line saying why; false. */
static bool __attribute__((format(printf, 2, 3))) refuse(struct device *device,
                                                          const char *fmt, ...)
{
    char why[120];
    va_list args;
    va_start(args, fmt);
    format_string_v(why, sizeof why, fmt, args);
    va_end(args);
    device->registers[STATUS] = STATUS_FAILED;
    printf("blk: the device at 0x%08x: %s: not serving\n", (unsigned)device->transport, why);
    return false;
}

/* Magic, version 2, a block device; false after the line saying why not. */
static bool probe(struct device *device)
{
    volatile uint32_t *r = device->registers;
    uint32_t magic = r[MAGIC], version = r[VERSION], id = r[DEVICE_ID];
    if (magic != VIRTIO_MAGIC)
        printf("blk: no virtio-mmio transport at 0x%08x (magic 0x%08x): not serving\n",
               (unsigned)device->transport, (unsigned)magic);
    else if (version == 1)
        printf("blk: the transport at 0x%08x is virtio-mmio version 1 (legacy); this driver "
               "needs version 2 (QEMU: -global virtio-mmio.force-legacy=false): not serving\n",
               (unsigned)device->transport);
    else if (version != 2)
        printf("blk: the transport at 0x%08x is virtio-mmio version %u; this driver needs "
               "version 2: not serving\n", (unsigned)device->transport, (unsigned)version);
    else if (id == 0)
        printf("blk: no device behind the transport at 0x%08x (device ID 0): not serving\n",
               (unsigned)device->transport);
    else if (id != VIRTIO_ID_BLOCK)
        printf("blk: the device at 0x%08x is virtio device %u, not a block device (%u): "
               "not serving\n", (unsigned)device->transport, (unsigned)id, VIRTIO_ID_BLOCK);
    return magic == VIRTIO_MAGIC && version == 2 && id == VIRTIO_ID_BLOCK;
}

/* VERSION_1 and INDIRECT_DESC are required; FLUSH and SEG_MAX taken if
 * offered. Without FLUSH the device has no volatile write cache (virtio
 * 1.x: a driver may deduce write-through from its absence), so a flush
 * has nothing to do and completes at once. */
static bool negotiate(struct device *device)
{
    volatile uint32_t *r = device->registers;
    r[DEVICE_FEATURES_SEL] = 0;
    uint32_t low = r[DEVICE_FEATURES];
    r[DEVICE_FEATURES_SEL] = 1;
    uint32_t high = r[DEVICE_FEATURES];
    if (!(high & VIRTIO_F_VERSION_1))
        return refuse(device, "it does not offer VIRTIO_F_VERSION_1 (features 0x%08x:...)",
                      (unsigned)high);
    if (!(low & VIRTIO_F_INDIRECT_DESC))
        return refuse(device, "it does not offer VIRTIO_F_RING_INDIRECT_DESC (features "
                      "...:0x%08x)", (unsigned)low);
    uint32_t wanted = low & (VIRTIO_F_INDIRECT_DESC | VIRTIO_BLK_F_FLUSH | VIRTIO_BLK_F_SEG_MAX);
    r[DRIVER_FEATURES_SEL] = 0;
    r[DRIVER_FEATURES] = wanted;
    r[DRIVER_FEATURES_SEL] = 1;
    r[DRIVER_FEATURES] = VIRTIO_F_VERSION_1;
    r[STATUS] = STATUS_ACKNOWLEDGE | STATUS_DRIVER | STATUS_FEATURES_OK;
    if (!(r[STATUS] & STATUS_FEATURES_OK))
        return refuse(device, "it did not accept the features 0x%08x", (unsigned)wanted);
    device->flush = (wanted & VIRTIO_BLK_F_FLUSH) != 0;
    device->max_pieces = TABLE_MAX - 2;
    if (wanted & VIRTIO_BLK_F_SEG_MAX && r[CONFIG_SEG_MAX] != 0 &&
        r[CONFIG_SEG_MAX] < device->max_pieces)
        device->max_pieces = r[CONFIG_SEG_MAX];
    return true;
}

/* Queue 0 with SLOTS entries, in the DMA memory (zeroed by init). */
static bool setup_queue(struct device *device)
{
    volatile uint32_t *r = device->registers;
    struct dma *dma = device->dma;
    r[QUEUE_SEL] = 0;
    if (r[QUEUE_READY] != 0)
        return refuse(device, "its queue 0 is already in use (ready %u)",
                      (unsigned)r[QUEUE_READY]);
    if (r[QUEUE_NUM_MAX] < SLOTS)
        return refuse(device, "its queue 0 has %u entries, fewer than the driver's %u",
                      (unsigned)r[QUEUE_NUM_MAX], SLOTS);
    r[QUEUE_NUM] = SLOTS;
    r[QUEUE_DESC_LOW] = device_physical(device, dma->descriptors);
    r[QUEUE_DESC_HIGH] = 0;
    r[QUEUE_DRIVER_LOW] = device_physical(device, &dma->avail);
    r[QUEUE_DRIVER_HIGH] = 0;
    r[QUEUE_DEVICE_LOW] = device_physical(device, &dma->used);
    r[QUEUE_DEVICE_HIGH] = 0;
    device_barrier();
    r[QUEUE_READY] = 1;
    return true;
}

/* The capacity, read until the configuration generation is steady. */
static uint64_t read_capacity(volatile uint32_t *r)
{
    uint32_t generation, low, high;
    do {
        generation = r[CONFIG_GENERATION];
        low = r[CONFIG_CAPACITY_LOW];
        high = r[CONFIG_CAPACITY_HIGH];
    } while (generation != r[CONFIG_GENERATION]);
    return (uint64_t)high << 32 | low;
}

bool device_start(struct device *device, volatile uint32_t *registers, uint32_t transport,
                  const struct task_disk *disk)
{
    volatile uint32_t *r = registers;
    device->registers = registers;
    device->transport = transport;
    device->dma = (struct dma *)disk->dma_address;
    device->dma_physical = disk->dma_physical;
    if (!probe(device))
        return false;
    r[STATUS] = 0;                   /* reset: whatever ran before is forgotten */
    while (r[STATUS] != 0)
        ;
    r[STATUS] = STATUS_ACKNOWLEDGE;
    r[STATUS] = STATUS_ACKNOWLEDGE | STATUS_DRIVER;
    if (!negotiate(device) || !setup_queue(device))
        return false;
    device->capacity = read_capacity(r);
    if (device->capacity < disk->sectors) {
        printf("blk: the disk at 0x%08x has %llu sectors, fewer than the description's "
               "disk-sectors %u: not serving\n", (unsigned)transport,
               (unsigned long long)device->capacity, (unsigned)disk->sectors);
        r[STATUS] = STATUS_FAILED;
        return false;
    }
    r[STATUS] = STATUS_ACKNOWLEDGE | STATUS_DRIVER | STATUS_FEATURES_OK | STATUS_DRIVER_OK;
    printf("blk: disk of %llu sectors (%llu MiB) at 0x%08x, virtio 1.x, flush: %s\n",
           (unsigned long long)device->capacity, (unsigned long long)(device->capacity >> 11),
           (unsigned)transport, device->flush ? "yes" : "no (write-through)");
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

void device_notify(struct device *device)
{
    device_barrier();
    device->registers[QUEUE_NOTIFY] = 0;
}

void device_interrupt(struct device *device)
{
    uint32_t status = device->registers[INTERRUPT_STATUS];
    device->registers[INTERRUPT_ACK] = status;
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
