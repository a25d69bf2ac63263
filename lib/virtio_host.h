/* A native driver's side of a virtio-mmio transport (version 2, virtio
 * 1.x) on the host: probing for a device type, reset, feature negotiation,
 * a split virtqueue in the driver's DMA memory, notify and the interrupt's
 * acknowledgement. Shared by apps/blk and apps/rng; every refusal is one
 * line, "<driver>: ...: not serving", and leaves the device FAILED. */
#ifndef LIB_VIRTIO_HOST_H
#define LIB_VIRTIO_HOST_H

#include <stdbool.h>
#include <stdint.h>
#include "core/virtio_mmio.h"
#include "task_boot.h"

struct virtio_host {
    volatile uint32_t *registers;   /* the transport, mapped */
    uint32_t transport;             /* its physical address, for lines */
    const char *driver;             /* the lines' prefix: "blk" */
};

/* A feature the driver cannot work without, and its name for the line. */
struct virtio_host_feature {
    uint64_t bit;
    const char *name;
};

/* The transport whose physical address is the task's argument 0, inside
 * one of its devices; false (with the line) if it is not there. */
bool virtio_host_map(struct virtio_host *host, const struct task_boot_info *info,
                     const char *driver);
/* Magic, version 2 and device ID `id` ("a block device": `what`); false
 * after the line that says why not. */
bool virtio_host_probe(struct virtio_host *host, uint32_t id, const char *what);
/* Reset (whatever ran before is forgotten), then ACKNOWLEDGE and DRIVER. */
void virtio_host_reset(struct virtio_host *host);
/* VIRTIO_F_VERSION_1 and each of `required` (in order: the first missing
 * one is named), plus what of `wanted` the device offers; FEATURES_OK
 * set and checked. *accepted: what the driver took. */
bool virtio_host_negotiate(struct virtio_host *host, const struct virtio_host_feature *required,
                           uint32_t required_count, uint64_t wanted, uint64_t *accepted);
/* Queue q with `size` entries at the three parts' physical addresses,
 * made ready; false (with the line) if it is in use or too small. */
bool virtio_host_queue(struct virtio_host *host, uint32_t q, uint32_t size, uint32_t descriptors,
                       uint32_t driver_area, uint32_t device_area);
/* DRIVER_OK: the device may use its queues. */
void virtio_host_ready(struct virtio_host *host);
/* The device marked FAILED and the line "<driver>: the device at ...:
 * <why>: not serving"; false. */
bool virtio_host_refuse(struct virtio_host *host, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Tells the device that queue q has new available entries (after the DMA
 * memory's writes). */
void virtio_host_notify(struct virtio_host *host, uint32_t q);
/* Acknowledges what InterruptStatus says (before the IRQ handler's ack). */
void virtio_host_interrupt(struct virtio_host *host);
/* Register `offset` (a byte offset, enum virtio_mmio_register). */
static inline volatile uint32_t *virtio_host_register(const struct virtio_host *host,
                                                      uint32_t offset)
{
    return &host->registers[offset / 4];
}
/* Orders the DMA memory's writes before a register write the device acts on. */
static inline void virtio_host_barrier(void)
{
    __asm__ volatile("dsb sy" ::: "memory");
}

#endif
