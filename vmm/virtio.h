/* The virtio-mmio transport (virtio 1.x, register layout version 2), one
 * implementation for every device the VMM offers: a device type gives its
 * ID, features, queues, config space and what a notify does. A guest that
 * breaks the rules gets the device marked DEVICE_NEEDS_RESET (one line
 * each time, until it resets the device); the VMM and the VM go on. */
#ifndef VMM_VIRTIO_H
#define VMM_VIRTIO_H

#include <stdbool.h>
#include <stdint.h>
#include "core/virtio_mmio.h"
#include "vmm/virtq.h"

#define VIRTIO_QUEUES_MAX 2

struct virtio_device;

struct virtio_type {
    const char *name;           /* for the VMM's lines: "virtio-blk" */
    uint32_t device_id;
    uint64_t features;          /* offered; VIRTIO_F_VERSION_1 always */
    uint32_t queue_count;       /* <= VIRTIO_QUEUES_MAX */
    /* The config space's bytes [offset, offset + size), little-endian in
     * *value; absent: the space is empty (reads 0). */
    void (*config_read)(struct virtio_device *device, uint32_t offset, uint32_t size,
                        uint32_t *value);
    /* The driver notified queue q (ready, checked). */
    void (*notify)(struct virtio_device *device, uint32_t q);
    /* The driver reset the device (wrote 0 to Status). */
    void (*reset)(struct virtio_device *device);
    /* Still finishing work from before a reset (absent: never): Status
     * reads non-zero meanwhile, and the driver waits (4.2.3.1). It may
     * collect that work's ends itself: a guest polling Status makes an exit
     * each time, which the signal saying they came would wait behind. */
    bool (*busy)(struct virtio_device *device);
};

struct virtio_device {
    const struct virtio_type *type;
    struct vm *vm;
    uint32_t slot;              /* enum guest_virtio_slot: its address and interrupt */
    uint32_t status;
    uint32_t interrupt_status;  /* bit 0: used buffers; bit 1: configuration change */
    uint32_t device_features_sel, driver_features_sel, queue_sel;
    uint64_t driver_features;
    struct virtq queues[VIRTIO_QUEUES_MAX];
};

/* The device in its reset state, at `slot`. */
void virtio_init(struct virtio_device *device, const struct virtio_type *type, struct vm *vm,
                 uint32_t slot);
/* The device at guest-physical `address`, or NULL. */
struct virtio_device *virtio_at(struct vm *vm, uint32_t address);
/* A guest access to its registers; false if the access is not one it takes. */
bool virtio_mmio_read(struct virtio_device *device, uint32_t offset, uint32_t size,
                      uint32_t *value);
bool virtio_mmio_write(struct virtio_device *device, uint32_t offset, uint32_t size,
                       uint32_t value);
/* Whether the driver has it running (DRIVER_OK, not broken). */
bool virtio_running(const struct virtio_device *device);
/* Queue q's next chain, or false: empty, not running, or malformed (the
 * device then needs a reset). */
bool virtio_take(struct virtio_device *device, uint32_t q, struct virtq_chain *chain);
/* Chain `head` of queue q used, `written` bytes written; interrupts the
 * guest. */
void virtio_give(struct virtio_device *device, uint32_t q, uint16_t head, uint32_t written);
/* The guest broke the rules (`why`): DEVICE_NEEDS_RESET and a line. */
void virtio_fail(struct virtio_device *device, const char *why);

#endif
