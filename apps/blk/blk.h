/* The block driver (apps/blk, docs/devices.md): a native task that owns a
 * virtio-blk disk on the host's virtio-mmio bus and serves VMs' regions of
 * it over their links (lib/blk_link.h). What its files share: the device
 * (device.c), a request in flight (a slot), the clients (clients.c) and
 * the check and translation of one request (translate.c). */
#ifndef APPS_BLK_H
#define APPS_BLK_H

#include <stdbool.h>
#include <stdint.h>
#include "blk_link.h"
#include "opal.h"
#include "rate_limit.h"
#include "task_boot.h"
#include "virtio_host.h"

/* Requests in flight on the device at once: one descriptor each in the
 * virtqueue, pointing at its own indirect table of at most TABLE_MAX
 * entries (header, data pieces, status). A buffer that crosses a RAM
 * extent boundary takes two pieces: a request may cross EXTENT_CROSSINGS
 * of them (a VM's RAM is a few extents; beyond that, an I/O error and a
 * line). */
#define SLOTS 16u
#define EXTENT_CROSSINGS 16u
#define TABLE_MAX (2u + BLK_MAX_SEGMENTS + EXTENT_CROSSINGS)

/* virtio-blk's request header, as the device reads it. */
struct virtio_blk_header {
    uint32_t type, reserved;
    uint64_t sector;
};

/* The DMA memory's layout (init gives TASK_DISK_DMA_SIZE bytes at a
 * physical address the boot info says): the virtqueue's three parts at the
 * alignments virtio 1.x asks (16, 2, 4), then per slot its header, status
 * byte and indirect table. */
struct dma {
    struct virtq_desc descriptors[SLOTS];
    VIRTQ_AVAIL(SLOTS) avail;
    VIRTQ_USED(SLOTS) used __attribute__((aligned(4)));
    struct virtio_blk_header headers[SLOTS];
    uint8_t status[SLOTS];
    struct virtq_desc tables[SLOTS][TABLE_MAX] __attribute__((aligned(16)));
};
_Static_assert(sizeof(struct dma) <= TASK_DISK_DMA_SIZE, "the layout fits the DMA memory");

/* The host's device, once device_start has accepted it. */
struct device {
    struct virtio_host host;        /* the transport */
    struct dma *dma;
    uint32_t dma_physical;
    uint64_t capacity;              /* sectors */
    bool flush;                     /* VIRTIO_BLK_F_FLUSH negotiated */
    uint32_t max_pieces;            /* data descriptors a request may have */
    uint16_t avail_index, used_seen;
};

/* device.c. Probes the transport `host` found, resets and sets it up, and
 * checks its capacity against the description's disk-sectors: true, or
 * false after the line that says why it is refused. */
bool device_start(struct device *device, const struct virtio_host *host,
                  const struct task_disk *disk);
/* The physical address of `pointer`, inside the DMA memory. */
uint32_t device_physical(const struct device *device, const void *pointer);
/* Slot s's chain, already in its table (`entries` of it), made available. */
void device_submit(struct device *device, uint32_t slot, uint32_t entries);
/* Asks the device for no interrupts (while the driver looks at the used
 * ring itself), or for them again; a hint the device may ignore. */
void device_quiet(struct device *device, bool quiet);
/* Tells the device about what device_submit made available. */
void device_notify(struct device *device);
/* Acknowledges the transport's interrupt (before the IRQ handler's ack). */
void device_interrupt(struct device *device);
/* The next slot the device has finished with (SLOTS: an id out of range,
 * to be skipped), or -1 when there is none. */
int device_next_used(struct device *device);

/* One client VM of the driver. Its indices are the driver's own copies:
 * the link's are only read (the VMM's) or only written (the driver's:
 * request_tail, completion_head), never read back. */
struct client {
    const struct task_disk_client *info;
    struct blk_link *link;
    const volatile struct blk_ram_table *table;
    uint32_t tail, completed;       /* requests taken, completions written */
    uint32_t in_flight;
    bool ignored;                   /* its ring broke: until its next instance */
    bool quiescing;                 /* init asked: answer once in_flight is 0 */
    bool signal;                    /* completions written since its VMM was signalled */
    struct rate_limit lines;        /* its lines: a few, then one a second */
};

/* A request on the device: whose, the VMM's id. */
struct slot {
    bool busy;
    uint32_t client, id;
};

struct driver {
    struct device device;
    bool serving;                   /* false: the device was refused; requests fail */
    const struct task_disk *disk;
    struct client clients[TASK_DISK_MAX_CLIENTS];
    uint32_t client_count, next_client;
    uint32_t per_client;            /* requests in flight one client may have */
    struct slot slots[SLOTS];
};

/* translate.c: checks request r of client c (a private copy) and, for a
 * read or write, fills slot s's header and table; the number of table
 * entries, or 0 with *status the request's end (BLK_OK: a flush the device
 * need not see; otherwise a failed check, with a line). */
uint32_t translate(struct driver *driver, struct client *client, const struct blk_request *r,
                   uint32_t slot, uint32_t *status);

/* clients.c */
void clients_init(struct driver *driver, const struct task_disk *disk);
/* Completions from the device, requests from the links (round-robin,
 * bounded), quiesce answers and VMM signals: one wakeup's work. */
void clients_work(struct driver *driver, uint32_t word);
/* A line about client c, at most a few a second (the rest counted). */
void client_report(struct client *client, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#endif
