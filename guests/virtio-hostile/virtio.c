/* The virtio-hostile guests' virtio-mmio driver (virtio.h): Linux's setup
 * sequence over the VMM's transports, and polled completions. */
#include "virtio.h"

#define VERSION_1_HIGH 1u      /* VIRTIO_F_VERSION_1 is bit 32: bit 0 of the high word */
#define VIRTIO_MAGIC 0x74726976u

static volatile uint32_t *reg(uint32_t address)
{
    return (volatile uint32_t *)address;
}

static void barrier(void)
{
    __asm__ volatile("dsb sy" ::: "memory");
}

void fill(void *to, uint8_t byte, uint32_t count)
{
    volatile uint8_t *bytes = to;
    uint32_t i = 0;
    if ((uint32_t)to % 4 == 0)   /* words while they last: the worker fills 64 KiB at a time */
        for (uint32_t word = byte * 0x01010101u; i + 4 <= count; i += 4)
            *(volatile uint32_t *)(bytes + i) = word;
    for (; i < count; i++)
        bytes[i] = byte;
}

void copy(void *to, const void *from, uint32_t count)
{
    volatile uint8_t *bytes = to;
    const uint8_t *source = from;
    for (uint32_t i = 0; i < count; i++)
        bytes[i] = source[i];
}

uint32_t text_length(const char *text)
{
    uint32_t length = 0;
    while (text[length])
        length++;
    return length;
}

volatile uint32_t guest_data_aborts;

void guest_exception(uint32_t vector, uint32_t lr)
{
    put_string(guest_name);
    put_string(": FAIL unexpected exception ");
    put_number(vector);
    put_string(" (lr ");
    put_hex(lr);
    put_string(")\n");
}

/* A spin on the counter: a WFI on the virtual timer would let an idle
 * machine's clock jump under -icount, but a guest sleeping there while
 * the other VM ran with its own timer armed was never woken (seen with
 * both VMs on one core; not pursued here). */
void delay_ms(uint32_t milliseconds)
{
    uint64_t end = deadline_after(milliseconds);
    while (counter() < end)
        ;
}

uint64_t deadline_after(uint32_t milliseconds)
{
    return counter() + (uint64_t)counter_frequency() * milliseconds / 1000;
}



void vdev_init(struct vdev *d, const char *name, uint32_t slot, uint32_t device_id,
               uint32_t queue_count, struct ring_pages *pages)
{
    d->name = name;
    d->base = GUEST_VIRTIO_BASE + slot * GUEST_VIRTIO_STRIDE;
    d->irq = GUEST_VIRTIO_FIRST_IRQ + slot;
    d->device_id = device_id;
    d->queue_count = queue_count;
    d->pages = pages;
}

uint32_t vdev_read(const struct vdev *d, uint32_t offset)
{
    return *reg(d->base + offset);
}

void vdev_write(const struct vdev *d, uint32_t offset, uint32_t value)
{
    barrier();   /* the rings written before the device hears of them */
    *reg(d->base + offset) = value;
}

const char *vdev_reset(struct vdev *d)
{
    vdev_write(d, VIRTIO_STATUS, 0);
    /* A device finishing old work reads non-zero until it has (4.2.3.1). */
    uint64_t end = deadline_after(2000);
    while (vdev_read(d, VIRTIO_STATUS) != 0)
        if (counter() > end)
            return "Status still not 0 two seconds after the reset";
    return NULL;
}

void vdev_queue_place(const struct vdev *d, uint32_t q, uint32_t size, uint64_t desc,
                      uint64_t avail, uint64_t used)
{
    vdev_write(d, VIRTIO_QUEUE_SEL, q);
    vdev_write(d, VIRTIO_QUEUE_NUM, size);
    vdev_write(d, VIRTIO_QUEUE_DESC_LOW, (uint32_t)desc);
    vdev_write(d, VIRTIO_QUEUE_DESC_HIGH, (uint32_t)(desc >> 32));
    vdev_write(d, VIRTIO_QUEUE_DRIVER_LOW, (uint32_t)avail);
    vdev_write(d, VIRTIO_QUEUE_DRIVER_HIGH, (uint32_t)(avail >> 32));
    vdev_write(d, VIRTIO_QUEUE_DEVICE_LOW, (uint32_t)used);
    vdev_write(d, VIRTIO_QUEUE_DEVICE_HIGH, (uint32_t)(used >> 32));
    vdev_write(d, VIRTIO_QUEUE_READY, 1);
}

static void add_status(const struct vdev *d, uint32_t bits)
{
    vdev_write(d, VIRTIO_STATUS, vdev_read(d, VIRTIO_STATUS) | bits);
}

bool vdev_present(const struct vdev *d)
{
    uint32_t aborts = guest_data_aborts;
    uint32_t magic = vdev_read(d, VIRTIO_MAGIC_VALUE);
    return guest_data_aborts == aborts && magic == VIRTIO_MAGIC;
}

/* drivers/virtio/virtio_mmio.c vm_probe and vm_setup_vq, virtio.c
 * virtio_dev_probe, in their order. */
const char *vdev_begin(struct vdev *d)
{
    if (vdev_read(d, VIRTIO_MAGIC_VALUE) != VIRTIO_MAGIC)
        return "no virtio magic value";
    if (vdev_read(d, VIRTIO_VERSION) != 2)
        return "not virtio-mmio version 2";
    if (vdev_read(d, VIRTIO_DEVICE_ID) != d->device_id)
        return "another device ID";
    const char *failed = vdev_reset(d);
    if (failed)
        return failed;
    add_status(d, STATUS_ACKNOWLEDGE);
    add_status(d, STATUS_DRIVER);
    vdev_write(d, VIRTIO_DEVICE_FEATURES_SEL, 1);
    if (!(vdev_read(d, VIRTIO_DEVICE_FEATURES) & VERSION_1_HIGH))
        return "VERSION_1 not offered";
    vdev_write(d, VIRTIO_DRIVER_FEATURES_SEL, 1);
    vdev_write(d, VIRTIO_DRIVER_FEATURES, VERSION_1_HIGH);
    vdev_write(d, VIRTIO_DRIVER_FEATURES_SEL, 0);
    vdev_write(d, VIRTIO_DRIVER_FEATURES, 0);
    add_status(d, STATUS_FEATURES_OK);
    if (!(vdev_read(d, VIRTIO_STATUS) & STATUS_FEATURES_OK))
        return "FEATURES_OK did not stick";
    for (uint32_t q = 0; q < d->queue_count; q++)
        d->queues[q] = (struct vqueue){ 0 };
    return NULL;
}

const char *vdev_queue_setup(struct vdev *d, uint32_t q, uint32_t size)
{
    struct ring_pages *pages = &d->pages[q];
    fill(pages, 0, sizeof *pages);
    vdev_write(d, VIRTIO_QUEUE_SEL, q);
    if (vdev_read(d, VIRTIO_QUEUE_READY) != 0)
        return "a queue ready straight after a reset";
    if (vdev_read(d, VIRTIO_QUEUE_NUM_MAX) < size)
        return "QueueNumMax below the size asked for";
    vdev_queue_place(d, q, size, (uint32_t)pages->desc, (uint32_t)&pages->avail,
                     (uint32_t)&pages->used);
    if (vdev_read(d, VIRTIO_QUEUE_READY) != 1)
        return "QueueReady did not stick";
    d->queues[q] = (struct vqueue){ size, pages->desc, &pages->avail, &pages->used, 0 };
    return NULL;
}

const char *vdev_finish(struct vdev *d)
{
    add_status(d, STATUS_DRIVER_OK);
    if (vdev_read(d, VIRTIO_STATUS) != (STATUS_ACKNOWLEDGE | STATUS_DRIVER |
                                        STATUS_FEATURES_OK | STATUS_DRIVER_OK))
        return "Status not ACKNOWLEDGE, DRIVER, FEATURES_OK, DRIVER_OK after the setup";
    return NULL;
}

const char *vdev_setup(struct vdev *d, uint32_t size)
{
    const char *failed = vdev_begin(d);
    for (uint32_t q = 0; !failed && q < d->queue_count; q++)
        failed = vdev_queue_setup(d, q, size);
    return failed ? failed : vdev_finish(d);
}

void vq_post(struct vdev *d, uint32_t q, uint16_t head)
{
    struct vqueue *vq = &d->queues[q];
    vq->avail->ring[vq->next_avail % vq->size] = head;
    barrier();   /* the entry before the index that publishes it */
    vq->avail->index = ++vq->next_avail;
}

void vq_notify(const struct vdev *d, uint32_t q)
{
    vdev_write(d, VIRTIO_QUEUE_NOTIFY, q);
}

uint16_t vq_used_index(const struct vdev *d, uint32_t q)
{
    return d->queues[q].used->index;
}

bool vq_wait_used(const struct vdev *d, uint32_t q, uint32_t milliseconds)
{
    const struct vqueue *vq = &d->queues[q];
    uint64_t end = deadline_after(milliseconds);
    while (vq->used->index != vq->next_avail)
        if (counter() > end)
            return false;
    barrier();   /* the used entries after the index that published them */
    return true;
}

static volatile uint32_t *gicd(uint32_t offset)
{
    return reg(GICD_BASE + offset);
}

static volatile uint32_t *gicc(uint32_t offset)
{
    return reg(GICC_BASE + offset);
}

void gic_enable(uint32_t irq)
{
    *(volatile uint8_t *)(GICD_BASE + GICD_IPRIORITYR + irq) = 0xa0;
    *(volatile uint8_t *)(GICD_BASE + GICD_ITARGETSR + irq) = 0x01;
    *gicd(GICD_ISENABLER + irq / 32 * 4) = 1u << (irq % 32);
    *gicd(GICD_CTLR) = GICD_CTLR_ENABLE;
    *gicc(GICC_PMR) = 0xff;
    *gicc(GICC_CTLR) = GICC_CTLR_ENABLE;
}

void vdev_quiet(const struct vdev *d)
{
    vdev_write(d, VIRTIO_INTERRUPT_ACK, vdev_read(d, VIRTIO_INTERRUPT_STATUS));
    for (;;) {
        uint32_t irq = *gicc(GICC_IAR) & GIC_INTERRUPT_ID;
        if (irq == GIC_SPURIOUS)
            return;
        *gicc(GICC_EOIR) = irq;
    }
}

bool vdev_irq_arrives(const struct vdev *d, uint32_t milliseconds)
{
    uint64_t end = deadline_after(milliseconds);
    while (counter() <= end) {
        uint32_t irq = *gicc(GICC_IAR) & GIC_INTERRUPT_ID;
        if (irq == GIC_SPURIOUS)
            continue;
        *gicc(GICC_EOIR) = irq;
        if (irq == d->irq)
            return true;
    }
    return false;
}
