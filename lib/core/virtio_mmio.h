/* virtio 1.x over virtio-mmio (register layout version 2): the one
 * definition of the transport's registers, status and interrupt bits, the
 * feature bits and device IDs this tree uses, and the split virtqueue's
 * descriptor, for the VMM's devices (vmm/virtio*.c) and the host drivers
 * (lib/virtio_host.c, apps/blk, apps/rng). */
#ifndef LIB_CORE_VIRTIO_MMIO_H
#define LIB_CORE_VIRTIO_MMIO_H

#include <stdint.h>

#define VIRTIO_MMIO_MAGIC 0x74726976u    /* "virt" */
#define VIRTIO_MMIO_SIZE  0x200u         /* one transport's registers and config space */

/* Register byte offsets (4.2.2). */
enum virtio_mmio_register {
    VIRTIO_MMIO_MAGIC_VALUE = 0x000, VIRTIO_MMIO_VERSION = 0x004,
    VIRTIO_MMIO_DEVICE_ID = 0x008, VIRTIO_MMIO_VENDOR_ID = 0x00c,
    VIRTIO_MMIO_DEVICE_FEATURES = 0x010, VIRTIO_MMIO_DEVICE_FEATURES_SEL = 0x014,
    VIRTIO_MMIO_DRIVER_FEATURES = 0x020, VIRTIO_MMIO_DRIVER_FEATURES_SEL = 0x024,
    VIRTIO_MMIO_QUEUE_SEL = 0x030, VIRTIO_MMIO_QUEUE_NUM_MAX = 0x034,
    VIRTIO_MMIO_QUEUE_NUM = 0x038, VIRTIO_MMIO_QUEUE_READY = 0x044,
    VIRTIO_MMIO_QUEUE_NOTIFY = 0x050,
    VIRTIO_MMIO_INTERRUPT_STATUS = 0x060, VIRTIO_MMIO_INTERRUPT_ACK = 0x064,
    VIRTIO_MMIO_STATUS = 0x070,
    VIRTIO_MMIO_QUEUE_DESC_LOW = 0x080, VIRTIO_MMIO_QUEUE_DESC_HIGH = 0x084,
    VIRTIO_MMIO_QUEUE_DRIVER_LOW = 0x090, VIRTIO_MMIO_QUEUE_DRIVER_HIGH = 0x094,
    VIRTIO_MMIO_QUEUE_DEVICE_LOW = 0x0a0, VIRTIO_MMIO_QUEUE_DEVICE_HIGH = 0x0a4,
    VIRTIO_MMIO_CONFIG_GENERATION = 0x0fc, VIRTIO_MMIO_CONFIG = 0x100,
};

/* Device status bits (2.1). */
#define VIRTIO_STATUS_ACKNOWLEDGE  1u
#define VIRTIO_STATUS_DRIVER       2u
#define VIRTIO_STATUS_DRIVER_OK    4u
#define VIRTIO_STATUS_FEATURES_OK  8u
#define VIRTIO_STATUS_NEEDS_RESET  64u
#define VIRTIO_STATUS_FAILED       128u

/* InterruptStatus and InterruptACK bits (4.2.2). */
#define VIRTIO_INTERRUPT_USED   1u     /* used buffers */
#define VIRTIO_INTERRUPT_CONFIG 2u     /* configuration change */

/* Device IDs (5). */
#define VIRTIO_ID_BLOCK   2u
#define VIRTIO_ID_CONSOLE 3u
#define VIRTIO_ID_RNG     4u

/* Feature bits, numbered over both 32-bit words (6). */
#define VIRTIO_F_INDIRECT_DESC  (1ull << 28)
#define VIRTIO_F_VERSION_1      (1ull << 32)
#define VIRTIO_BLK_F_SIZE_MAX   (1ull << 1)
#define VIRTIO_BLK_F_SEG_MAX    (1ull << 2)
#define VIRTIO_BLK_F_FLUSH      (1ull << 9)

/* A split virtqueue's descriptor (2.7.5). */
struct virtq_desc {
    uint64_t address;
    uint32_t length;
    uint16_t flags, next;
};
#define VIRTQ_DESC_F_NEXT     1u
#define VIRTQ_DESC_F_WRITE    2u   /* the device writes the buffer */
#define VIRTQ_DESC_F_INDIRECT 4u
/* Its available and used rings for a queue of n entries (2.7.6, 2.7.8):
 * member types for a driver's DMA memory layout (the used ring's member
 * aligned to 4). */
#define VIRTQ_AVAIL(n) struct { uint16_t flags, index, ring[n], used_event; }
#define VIRTQ_AVAIL_F_NO_INTERRUPT 1u   /* avail flags: the driver asks for no interrupts */
#define VIRTQ_USED(n)                                                   \
    struct {                                                            \
        uint16_t flags, index;                                          \
        struct { uint32_t id, length; } ring[n];                        \
        uint16_t avail_event;                                           \
    }

#endif
