/* A native driver's side of a virtio-mmio transport (virtio_host.h): the
 * steps every driver of a host virtio device takes, with its refusals. */
#include <stdarg.h>
#include "core/format.h"
#include "opal.h"
#include "virtio_host.h"

#define R(host, offset) (*virtio_host_register(host, VIRTIO_MMIO_##offset))

bool virtio_host_map(struct virtio_host *host, const struct task_boot_info *info,
                     const char *driver)
{
    uint32_t transport = info->argument_count > 0 ? info->arguments[0] : 0;
    host->driver = driver;
    host->transport = transport;
    for (uint32_t d = 0; d < info->device_count; d++) {
        const struct task_device *device = &info->devices[d];
        uint32_t offset = transport - device->physical;
        if (transport >= device->physical && offset < device->size &&
            device->size - offset >= VIRTIO_MMIO_SIZE && transport % 4 == 0) {
            host->registers = (volatile uint32_t *)(device->address + offset);
            return true;
        }
    }
    printf("%s: argument 0 (the transport's physical address, 0x%08x) is not inside my "
           "devices: not serving\n", driver, (unsigned)transport);
    return false;
}

bool virtio_host_refuse(struct virtio_host *host, const char *fmt, ...)
{
    char why[120];
    va_list args;
    va_start(args, fmt);
    format_string_v(why, sizeof why, fmt, args);
    va_end(args);
    R(host, STATUS) = VIRTIO_STATUS_FAILED;
    printf("%s: the device at 0x%08x: %s: not serving\n", host->driver,
           (unsigned)host->transport, why);
    return false;
}

bool virtio_host_probe(struct virtio_host *host, uint32_t id, const char *what)
{
    uint32_t magic = R(host, MAGIC_VALUE), version = R(host, VERSION), found = R(host, DEVICE_ID);
    const char *d = host->driver;
    unsigned at = (unsigned)host->transport;
    if (magic != VIRTIO_MMIO_MAGIC)
        printf("%s: no virtio-mmio transport at 0x%08x (magic 0x%08x): not serving\n", d, at,
               (unsigned)magic);
    else if (version == 1)
        printf("%s: the transport at 0x%08x is virtio-mmio version 1 (legacy); this driver "
               "needs version 2 (QEMU: -global virtio-mmio.force-legacy=false): not serving\n",
               d, at);
    else if (version != 2)
        printf("%s: the transport at 0x%08x is virtio-mmio version %u; this driver needs "
               "version 2: not serving\n", d, at, (unsigned)version);
    else if (found == 0)
        printf("%s: no device behind the transport at 0x%08x (device ID 0): not serving\n", d, at);
    else if (found != id)
        printf("%s: the device at 0x%08x is virtio device %u, not %s (%u): not serving\n", d, at,
               (unsigned)found, what, (unsigned)id);
    return magic == VIRTIO_MMIO_MAGIC && version == 2 && found == id;
}

void virtio_host_reset(struct virtio_host *host)
{
    R(host, STATUS) = 0;
    while (R(host, STATUS) != 0)
        ;
    R(host, STATUS) = VIRTIO_STATUS_ACKNOWLEDGE;
    R(host, STATUS) = VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER;
}

/* A missing feature's line names the word it lives in, the other elided. */
static bool refuse_missing(struct virtio_host *host, const char *name, uint64_t bit,
                           uint64_t offered)
{
    if (bit >> 32)
        return virtio_host_refuse(host, "it does not offer %s (features 0x%08x:...)", name,
                                  (unsigned)(offered >> 32));
    return virtio_host_refuse(host, "it does not offer %s (features ...:0x%08x)", name,
                              (unsigned)offered);
}

bool virtio_host_negotiate(struct virtio_host *host, const struct virtio_host_feature *required,
                           uint32_t required_count, uint64_t wanted, uint64_t *accepted)
{
    R(host, DEVICE_FEATURES_SEL) = 0;
    uint64_t offered = R(host, DEVICE_FEATURES);
    R(host, DEVICE_FEATURES_SEL) = 1;
    offered |= (uint64_t)R(host, DEVICE_FEATURES) << 32;
    if (!(offered & VIRTIO_F_VERSION_1))
        return refuse_missing(host, "VIRTIO_F_VERSION_1", VIRTIO_F_VERSION_1, offered);
    uint64_t take = VIRTIO_F_VERSION_1 | wanted;
    for (uint32_t i = 0; i < required_count; i++) {
        if (!(offered & required[i].bit))
            return refuse_missing(host, required[i].name, required[i].bit, offered);
        take |= required[i].bit;
    }
    take &= offered;
    R(host, DRIVER_FEATURES_SEL) = 0;
    R(host, DRIVER_FEATURES) = (uint32_t)take;
    R(host, DRIVER_FEATURES_SEL) = 1;
    R(host, DRIVER_FEATURES) = (uint32_t)(take >> 32);
    R(host, STATUS) = VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER | VIRTIO_STATUS_FEATURES_OK;
    if (!(R(host, STATUS) & VIRTIO_STATUS_FEATURES_OK))
        return virtio_host_refuse(host, "it did not accept the features 0x%08x", (unsigned)take);
    *accepted = take;
    return true;
}

bool virtio_host_queue(struct virtio_host *host, uint32_t q, uint32_t size, uint32_t descriptors,
                       uint32_t driver_area, uint32_t device_area)
{
    R(host, QUEUE_SEL) = q;
    if (R(host, QUEUE_READY) != 0)
        return virtio_host_refuse(host, "its queue %u is already in use (ready %u)", (unsigned)q,
                                  (unsigned)R(host, QUEUE_READY));
    if (R(host, QUEUE_NUM_MAX) < size)
        return virtio_host_refuse(host, "its queue %u has %u entries, fewer than the driver's %u",
                                  (unsigned)q, (unsigned)R(host, QUEUE_NUM_MAX), (unsigned)size);
    R(host, QUEUE_NUM) = size;
    R(host, QUEUE_DESC_LOW) = descriptors;
    R(host, QUEUE_DESC_HIGH) = 0;
    R(host, QUEUE_DRIVER_LOW) = driver_area;
    R(host, QUEUE_DRIVER_HIGH) = 0;
    R(host, QUEUE_DEVICE_LOW) = device_area;
    R(host, QUEUE_DEVICE_HIGH) = 0;
    virtio_host_barrier();
    R(host, QUEUE_READY) = 1;
    return true;
}

void virtio_host_ready(struct virtio_host *host)
{
    R(host, STATUS) = VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER |
                      VIRTIO_STATUS_FEATURES_OK | VIRTIO_STATUS_DRIVER_OK;
}

void virtio_host_notify(struct virtio_host *host, uint32_t q)
{
    virtio_host_barrier();
    R(host, QUEUE_NOTIFY) = q;
}

void virtio_host_interrupt(struct virtio_host *host)
{
    uint32_t status = R(host, INTERRUPT_STATUS);
    R(host, INTERRUPT_ACK) = status;
}
