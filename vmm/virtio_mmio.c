/* The virtio-mmio transport's registers (virtio 1.x, 4.2.2), shared by
 * every device type (virtio.h). */
#include "vmm/virtio.h"
#include "vmm/vmm.h"

#define VIRTIO_VENDOR 0x4c41504fu   /* "OPAL" */

static uint32_t irq_of(const struct virtio_device *device)
{
    return GUEST_VIRTIO_FIRST_IRQ + device->slot;
}

/* The interrupt is an edge, as QEMU's virt describes its transports: it
 * fires when InterruptStatus gains a bit while it had none. A driver reads
 * the status, acknowledges it and then looks at every queue, so what
 * arrives before its acknowledgement is seen, and what arrives after fires
 * anew. An edge needs no end-of-interrupt exit, which a level would. */
static void raise_interrupt(struct virtio_device *device, uint32_t bits)
{
    bool quiet = device->interrupt_status == 0;
    device->interrupt_status |= bits;
    if (quiet)
        vgic_dist_pulse(&device->vm->vgic, irq_of(device));
}

static void reset(struct virtio_device *device)
{
    device->status = 0;
    device->interrupt_status = 0;
    device->device_features_sel = device->driver_features_sel = device->queue_sel = 0;
    device->driver_features = 0;
    for (uint32_t q = 0; q < VIRTIO_QUEUES_MAX; q++)
        device->queues[q] = (struct virtq){ 0 };
    if (device->type->reset)
        device->type->reset(device);
}

void virtio_init(struct virtio_device *device, const struct virtio_type *type, struct vm *vm,
                 uint32_t slot)
{
    device->type = type;
    device->vm = vm;
    device->slot = slot;
    vm->virtio[slot] = device;
    vgic_dist_set_edge(&vm->vgic, irq_of(device));
    reset(device);
}

struct virtio_device *virtio_at(struct vm *vm, uint32_t address)
{
    uint32_t slot = (address - GUEST_VIRTIO_BASE) / GUEST_VIRTIO_STRIDE;
    if (address < GUEST_VIRTIO_BASE || slot >= GUEST_VIRTIO_SLOTS)
        return NULL;
    return vm->virtio[slot];
}

bool virtio_running(const struct virtio_device *device)
{
    return (device->status & (VIRTIO_STATUS_DRIVER_OK | VIRTIO_STATUS_NEEDS_RESET)) ==
           VIRTIO_STATUS_DRIVER_OK;
}

void virtio_fail(struct virtio_device *device, const char *why)
{
    if (device->status & VIRTIO_STATUS_NEEDS_RESET)
        return;
    device->status |= VIRTIO_STATUS_NEEDS_RESET;
    raise_interrupt(device, VIRTIO_INTERRUPT_CONFIG);
    vmm_log_limited(device->vm, &device->vm->virtio_lines,
                    "%s: the guest gave %s: the device needs a reset", device->type->name, why);
}

bool virtio_take(struct virtio_device *device, uint32_t q, struct virtq_chain *chain)
{
    const char *why;
    if (!virtio_running(device) || !device->queues[q].ready)
        return false;
    enum virtq_result result = virtq_take(device->vm, &device->queues[q], chain, &why);
    if (result == VIRTQ_MALFORMED)
        virtio_fail(device, why);
    return result == VIRTQ_TAKEN;
}

void virtio_give(struct virtio_device *device, uint32_t q, uint16_t head, uint32_t written)
{
    if (!device->queues[q].ready)
        return;
    virtq_give(device->vm, &device->queues[q], head, written);
    raise_interrupt(device, VIRTIO_INTERRUPT_USED);
}

static struct virtq *selected(struct virtio_device *device)
{
    return device->queue_sel < device->type->queue_count ? &device->queues[device->queue_sel]
                                                         : NULL;
}

static uint32_t read_register(struct virtio_device *device, uint32_t offset)
{
    struct virtq *q = selected(device);
    uint64_t features = device->type->features | VIRTIO_F_VERSION_1;
    switch (offset) {
    case VIRTIO_MMIO_MAGIC_VALUE: return VIRTIO_MMIO_MAGIC;
    case VIRTIO_MMIO_VERSION: return 2;
    case VIRTIO_MMIO_DEVICE_ID: return device->type->device_id;
    case VIRTIO_MMIO_VENDOR_ID: return VIRTIO_VENDOR;
    case VIRTIO_MMIO_DEVICE_FEATURES:
        return device->device_features_sel == 0 ? (uint32_t)features
             : device->device_features_sel == 1 ? (uint32_t)(features >> 32) : 0;
    case VIRTIO_MMIO_QUEUE_NUM_MAX: return q ? VIRTQ_SIZE_MAX : 0;
    case VIRTIO_MMIO_QUEUE_READY: return q ? q->ready : 0;
    case VIRTIO_MMIO_INTERRUPT_STATUS: return device->interrupt_status;
    case VIRTIO_MMIO_STATUS:
        if (device->status == 0 && device->type->busy && device->type->busy(device))
            return VIRTIO_STATUS_NEEDS_RESET;
        return device->status;
    case VIRTIO_MMIO_CONFIG_GENERATION: return 0;   /* no config field changes while read */
    default: return 0;                      /* write-only and reserved registers */
    }
}

/* Driver features: only what was offered sticks. */
static void write_driver_features(struct virtio_device *device, uint32_t value)
{
    uint64_t offered = device->type->features | VIRTIO_F_VERSION_1;
    uint32_t shift = device->driver_features_sel == 0 ? 0 : 32;
    if (device->driver_features_sel > 1 || (device->status & VIRTIO_STATUS_FEATURES_OK))
        return;
    device->driver_features &= ~(0xffffffffull << shift);
    device->driver_features |= ((uint64_t)value << shift) & offered;
}

/* Status: 0 resets; FEATURES_OK sticks only with VERSION_1 accepted (this
 * device has no legacy interface); a queue made ready is checked then. */
static void write_status(struct virtio_device *device, uint32_t value)
{
    if (value == 0) {
        reset(device);
        return;
    }
    if ((value & VIRTIO_STATUS_FEATURES_OK) && !(device->driver_features & VIRTIO_F_VERSION_1))
        value &= ~VIRTIO_STATUS_FEATURES_OK;
    device->status = (device->status & VIRTIO_STATUS_NEEDS_RESET) |
                     (value & ~VIRTIO_STATUS_NEEDS_RESET);
}

static void write_queue_ready(struct virtio_device *device, struct virtq *q, uint32_t value)
{
    const char *why;
    if (!(value & 1)) {
        q->ready = false;
        return;
    }
    if (q->ready)
        return;   /* already running: its indices stay */
    if (!virtq_check(device->vm, q, &why)) {
        virtio_fail(device, why);
        return;
    }
    q->last_avail = q->used_index = 0;
    q->ready = true;
}

/* The low or high half of a 64-bit queue address. */
static void set_half(uint64_t *field, uint32_t offset, uint32_t value)
{
    bool high = offset & 4;
    *field = high ? (*field & 0xffffffffull) | (uint64_t)value << 32
                  : (*field & ~0xffffffffull) | value;
}

static void write_register(struct virtio_device *device, uint32_t offset, uint32_t value)
{
    struct virtq *q = selected(device);
    bool q_settable = q && !q->ready;   /* a ready queue's setup is fixed */
    switch (offset) {
    case VIRTIO_MMIO_DEVICE_FEATURES_SEL: device->device_features_sel = value; break;
    case VIRTIO_MMIO_DRIVER_FEATURES_SEL: device->driver_features_sel = value; break;
    case VIRTIO_MMIO_DRIVER_FEATURES: write_driver_features(device, value); break;
    case VIRTIO_MMIO_QUEUE_SEL: device->queue_sel = value; break;
    case VIRTIO_MMIO_QUEUE_NUM: if (q_settable) q->size = value; break;
    case VIRTIO_MMIO_QUEUE_READY: if (q) write_queue_ready(device, q, value); break;
    case VIRTIO_MMIO_QUEUE_DESC_LOW: case VIRTIO_MMIO_QUEUE_DESC_HIGH:
        if (q_settable) set_half(&q->desc, offset, value);
        break;
    case VIRTIO_MMIO_QUEUE_DRIVER_LOW: case VIRTIO_MMIO_QUEUE_DRIVER_HIGH:
        if (q_settable) set_half(&q->avail, offset, value);
        break;
    case VIRTIO_MMIO_QUEUE_DEVICE_LOW: case VIRTIO_MMIO_QUEUE_DEVICE_HIGH:
        if (q_settable) set_half(&q->used, offset, value);
        break;
    case VIRTIO_MMIO_INTERRUPT_ACK:
        device->interrupt_status &= ~value;
        break;
    case VIRTIO_MMIO_STATUS: write_status(device, value); break;
    case VIRTIO_MMIO_QUEUE_NOTIFY:
        if (value < device->type->queue_count && device->queues[value].ready &&
            virtio_running(device))
            device->type->notify(device, value);
        break;
    default: break;   /* read-only and reserved registers ignore writes */
    }
}

bool virtio_mmio_read(struct virtio_device *device, uint32_t offset, uint32_t size,
                      uint32_t *value)
{
    if (offset >= VIRTIO_MMIO_CONFIG) {
        *value = 0;
        if (device->type->config_read)
            device->type->config_read(device, offset - VIRTIO_MMIO_CONFIG, size, value);
        return true;
    }
    if (size != 4 || offset % 4)
        return false;
    *value = read_register(device, offset);
    return true;
}

bool virtio_mmio_write(struct virtio_device *device, uint32_t offset, uint32_t size,
                       uint32_t value)
{
    if (offset >= VIRTIO_MMIO_CONFIG)
        return true;   /* no device here has a writable config field */
    if (size != 4 || offset % 4)
        return false;
    write_register(device, offset, value);
    return true;
}
