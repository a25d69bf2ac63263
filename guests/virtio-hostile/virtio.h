/* The virtio-mmio driver of the virtio-hostile guests: it sets a device up
 * the way Linux's virtio_mmio does (version 2, VERSION_1, split queues in
 * guest RAM), and leaves the rings open so a guest can break the rules. */
#ifndef VIRTIO_HOSTILE_VIRTIO_H
#define VIRTIO_HOSTILE_VIRTIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "guest/baremetal.h"

/* The transport's registers (virtio 1.x, 4.2.2). */
#define VIRTIO_MAGIC_VALUE      0x000u
#define VIRTIO_VERSION          0x004u
#define VIRTIO_DEVICE_ID        0x008u
#define VIRTIO_DEVICE_FEATURES  0x010u
#define VIRTIO_DEVICE_FEATURES_SEL 0x014u
#define VIRTIO_DRIVER_FEATURES  0x020u
#define VIRTIO_DRIVER_FEATURES_SEL 0x024u
#define VIRTIO_QUEUE_SEL        0x030u
#define VIRTIO_QUEUE_NUM_MAX    0x034u
#define VIRTIO_QUEUE_NUM        0x038u
#define VIRTIO_QUEUE_READY      0x044u
#define VIRTIO_QUEUE_NOTIFY     0x050u
#define VIRTIO_INTERRUPT_STATUS 0x060u
#define VIRTIO_INTERRUPT_ACK    0x064u
#define VIRTIO_STATUS           0x070u
#define VIRTIO_QUEUE_DESC_LOW   0x080u
#define VIRTIO_QUEUE_DESC_HIGH  0x084u
#define VIRTIO_QUEUE_DRIVER_LOW 0x090u
#define VIRTIO_QUEUE_DRIVER_HIGH 0x094u
#define VIRTIO_QUEUE_DEVICE_LOW 0x0a0u
#define VIRTIO_QUEUE_DEVICE_HIGH 0x0a4u
#define VIRTIO_CONFIG           0x100u

#define STATUS_ACKNOWLEDGE 1u
#define STATUS_DRIVER      2u
#define STATUS_DRIVER_OK   4u
#define STATUS_FEATURES_OK 8u
#define STATUS_NEEDS_RESET 64u
#define INTERRUPT_USED     1u
#define INTERRUPT_CONFIG   2u

#define DESC_F_NEXT     1u
#define DESC_F_WRITE    2u
#define DESC_F_INDIRECT 4u

#define QUEUE_SIZE_MAX 256u     /* the VMM's QueueNumMax (vmm/virtq.h) */
#define QUEUES_MAX 2u

struct desc {
    uint64_t address;
    uint32_t length;
    uint16_t flags, next;
};

struct avail {
    uint16_t flags, index;
    uint16_t ring[QUEUE_SIZE_MAX];
};

struct used {
    uint16_t flags, index;
    struct { uint32_t id, length; } ring[QUEUE_SIZE_MAX];
};

/* One queue's three areas, each on a page of its own (the device sees
 * them only through the addresses written to it). */
struct ring_pages {
    /* Twice the largest table: what a head or next past the table names is
     * still the guest's own page. */
    struct desc desc[QUEUE_SIZE_MAX * 2];
    struct avail avail;
    uint8_t pad_avail[4096 - sizeof(struct avail)];
    struct used used;
    uint8_t pad_used[4096 - sizeof(struct used)];
} __attribute__((aligned(4096)));

struct vqueue {
    uint32_t size;
    volatile struct desc *desc;
    volatile struct avail *avail;
    volatile struct used *used;
    uint16_t next_avail;       /* our avail->index */
};

struct vdev {
    const char *name;          /* "console", "blk": in the guest's lines */
    uint32_t base, irq, device_id, queue_count;
    struct ring_pages *pages;  /* queue_count of them */
    struct vqueue queues[QUEUES_MAX];
};

/* The device in virtio-mmio slot `slot` (lib/vmm_boot.h). */
void vdev_init(struct vdev *d, const char *name, uint32_t slot, uint32_t device_id,
               uint32_t queue_count, struct ring_pages *pages);

uint32_t vdev_read(const struct vdev *d, uint32_t offset);
void vdev_write(const struct vdev *d, uint32_t offset, uint32_t value);

/* Whether a transport answers at the device's address with the virtio
 * magic (a VM without the device gets a data abort, which start.S skips). */
bool vdev_present(const struct vdev *d);
/* Linux's sequence: probe (magic, version 2, device ID), reset,
 * ACKNOWLEDGE, DRIVER, VERSION_1 negotiated, FEATURES_OK read back, every
 * queue `size` entries in its pages, DRIVER_OK. NULL, or what went wrong. */
const char *vdev_setup(struct vdev *d, uint32_t size);
/* The same in three steps, for a guest that places a queue of its own
 * between them: up to FEATURES_OK, one queue, DRIVER_OK. */
const char *vdev_begin(struct vdev *d);
const char *vdev_queue_setup(struct vdev *d, uint32_t q, uint32_t size);
const char *vdev_finish(struct vdev *d);
/* Status = 0, then Status read until it is 0 again; NULL or what went wrong. */
const char *vdev_reset(struct vdev *d);
/* The queue's three addresses and size, as the driver writes them before
 * QueueReady, and QueueReady itself. */
void vdev_queue_place(const struct vdev *d, uint32_t q, uint32_t size, uint64_t desc,
                      uint64_t avail, uint64_t used);

/* Head `head` into queue q's avail ring, its index published (no notify). */
void vq_post(struct vdev *d, uint32_t q, uint16_t head);
void vq_notify(const struct vdev *d, uint32_t q);
/* Waits until the device has used every chain posted on q; false on timeout. */
bool vq_wait_used(const struct vdev *d, uint32_t q, uint32_t milliseconds);
/* How many chains queue q's used ring has had back. */
uint16_t vq_used_index(const struct vdev *d, uint32_t q);

/* The GIC: the device's interrupt enabled to this CPU; the guest polls
 * GICC_IAR with IRQs masked. */
void gic_enable(uint32_t irq);
/* Acknowledges every InterruptStatus bit and ends every interrupt the CPU
 * interface has for us: a clean start for the next check. */
void vdev_quiet(const struct vdev *d);
/* Whether the CPU interface gives the device's interrupt within the time
 * (acknowledged and ended; others ended and skipped). */
bool vdev_irq_arrives(const struct vdev *d, uint32_t milliseconds);

/* Data aborts taken (start.S), and the report of any other exception. */
extern volatile uint32_t guest_data_aborts;
extern const char guest_name[];
void guest_exception(uint32_t vector, uint32_t lr);

uint64_t deadline_after(uint32_t milliseconds);
void delay_ms(uint32_t milliseconds);

void fill(void *to, uint8_t byte, uint32_t count);
void copy(void *to, const void *from, uint32_t count);
uint32_t text_length(const char *text);

#endif
