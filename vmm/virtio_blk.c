/* The guest's virtio-blk device (virtio 1.x, 5.2): each request is checked
 * and passed to the disk's driver task over the link (lib/blk_link.h) as
 * guest-physical buffers; the driver's disk DMAs straight into them, and
 * its completion comes back as the request's status byte. The device is
 * exactly the VM's region of the disk: disk_sectors sectors. */
#include "blk_link.h"
#include "core/string.h"
#include "runtime/mem.h"
#include "vmm/virtio_blk.h"
#include "vmm/vmm.h"

#define VIRTIO_BLK_T_GET_ID   8u
#define VIRTIO_BLK_ID_BYTES   20u
#define HEADER_SIZE           16u

struct request_header {
    uint32_t type, reserved;
    uint64_t sector;
};

static struct virtio_blk *blk_of(struct virtio_device *device)
{
    return (struct virtio_blk *)device;
}

/* capacity (8 bytes), size_max, seg_max: the fields our features name. */
static void config_read(struct virtio_device *device, uint32_t offset, uint32_t size,
                        uint32_t *value)
{
    uint32_t words[4] = { device->vm->info->disk_sectors, 0, BLK_SEGMENT_MAX,
                          BLK_MAX_SEGMENTS };
    uint8_t *bytes = (uint8_t *)words;
    *value = 0;
    if (size <= 4 && offset + size <= sizeof words)
        memcpy(value, bytes + offset, size);
}

/* Ends request `head` here (nothing went to the driver). */
static void complete(struct virtio_blk *blk, uint16_t head, uint32_t status_address,
                     uint8_t status, uint32_t written)
{
    *(volatile uint8_t *)status_address = status;
    virtio_give(&blk->device, 0, head, written + 1);
}

/* The serial number a guest reads (/sys/block/vda/serial): the VM's name,
 * NUL-padded to 20 bytes; a name of 20 or more gives its first 20, with no
 * NUL (5.2.6, as ATA serials: the driver copies at most 20). */
static void get_id(struct virtio_blk *blk, const struct virtq_chain *chain,
                   uint32_t status_address)
{
    const struct virtq_buffer *data = &chain->buffers[1];
    if (chain->count != 3 || !data->writable || data->length < VIRTIO_BLK_ID_BYTES) {
        complete(blk, chain->head, status_address, BLK_IOERR, 0);
        return;
    }
    char id[VIRTIO_BLK_ID_BYTES] = { 0 };
    const char *name = blk->device.vm->info->name;
    memcpy(id, name, core_strnlen(name, sizeof id));
    memcpy((void *)data->address, id, sizeof id);
    complete(blk, chain->head, status_address, BLK_OK, sizeof id);
}

/* The data buffers (all but header and status) as the link's segments;
 * false if the guest asked for what no disk does (a buffer of the wrong
 * direction or size, too many, past the device's end). */
static bool fill_segments(const struct virtio_blk *blk, const struct virtq_chain *chain,
                          const struct request_header *header, struct blk_request *request)
{
    uint32_t count = chain->count - 2;
    uint64_t sectors = 0;
    if (count > BLK_MAX_SEGMENTS || (header->type == BLK_FLUSH && count != 0))
        return false;
    for (uint32_t i = 0; i < count; i++) {
        const struct virtq_buffer *b = &chain->buffers[1 + i];
        if (b->writable != (header->type == BLK_READ) || b->length % BLK_SECTOR_SIZE ||
            b->length > BLK_SEGMENT_MAX)
            return false;
        request->segments[i] = (struct blk_segment){ b->address, b->length };
        sectors += b->length / BLK_SECTOR_SIZE;
    }
    request->segment_count = count;
    uint64_t end = header->sector + sectors;
    return end >= header->sector && end <= blk->device.vm->info->disk_sectors;
}

/* One chain from the guest: to the driver, or answered here. */
static void start(struct virtio_blk *blk, const struct virtq_chain *chain)
{
    const struct virtq_buffer *first = &chain->buffers[0], *last = &chain->buffers[chain->count - 1];
    if (chain->count < 2 || first->writable || first->length != HEADER_SIZE ||
        !last->writable || last->length != 1) {
        virtio_fail(&blk->device, "a request that is not header, data, one status byte");
        return;
    }
    if (blk->pending[chain->head].in_flight) {
        virtio_fail(&blk->device, "a chain whose request is still in flight");
        return;
    }
    struct request_header header;
    memcpy(&header, (const void *)first->address, sizeof header);
    if (header.type == VIRTIO_BLK_T_GET_ID) {
        get_id(blk, chain, last->address);
        return;
    }
    if (header.type != BLK_READ && header.type != BLK_WRITE && header.type != BLK_FLUSH) {
        complete(blk, chain->head, last->address, BLK_UNSUPPORTED, 0);
        return;
    }
    struct blk_link *l = blk->link;
    struct blk_request *request = &l->requests[l->request_head % BLK_LINK_SLOTS];
    if (!fill_segments(blk, chain, &header, request)) {
        complete(blk, chain->head, last->address, BLK_IOERR, 0);
        return;
    }
    request->id = chain->head;
    request->type = header.type;
    request->sector = header.sector;
    blk->pending[chain->head] = (struct blk_pending){
        .in_flight = true, .status_address = last->address,
        .written = header.type == BLK_READ ? chain->writable - 1 : 0 };
    blk->in_flight++;
    blk_link_barrier();   /* the request before the index that publishes it */
    l->request_head++;
}

/* One completion from the driver. */
static void finish(struct virtio_blk *blk, const struct blk_completion *done)
{
    struct blk_pending *p = done->id < VIRTQ_SIZE_MAX ? &blk->pending[done->id] : NULL;
    if (!p || !p->in_flight) {
        vmm_log_limited(blk->device.vm, &blk->device.vm->virtio_lines,
                        "virtio-blk: the driver completed request %u, which is not in flight",
                        (unsigned)done->id);
        return;
    }
    p->in_flight = false;
    blk->in_flight--;
    if (p->discard) {
        p->discard = false;
        return;
    }
    uint8_t status = done->status <= BLK_UNSUPPORTED ? (uint8_t)done->status : BLK_IOERR;
    complete(blk, (uint16_t)done->id, p->status_address, status,
             status == BLK_OK ? p->written : 0);
}

/* The completions in the link; whether there were any. */
static bool collect(struct virtio_blk *blk)
{
    struct blk_link *l = blk->link;
    uint32_t head = l->completion_head;
    if (head - l->completion_tail > BLK_LINK_SLOTS) {
        vmm_log_limited(blk->device.vm, &blk->device.vm->virtio_lines,
                        "virtio-blk: the driver's completion index jumped");
        return false;
    }
    if (head == l->completion_tail)
        return false;
    blk_link_barrier();   /* the entries after the index that published them */
    while (l->completion_tail != head) {
        struct blk_completion done = l->completions[l->completion_tail % BLK_LINK_SLOTS];
        l->completion_tail++;
        finish(blk, &done);
    }
    return true;
}

/* Rounds of collecting inside the signal in one pump: a queue's worth.
 * The last round leaves its completions to the driver's signal, so a
 * guest that keeps its ring full (from another vCPU) cannot keep one exit
 * going for ever, and nothing it posted waits for a notify that will not
 * come. */
#define PUMP_ROUNDS (VIRTQ_SIZE_MAX / BLK_LINK_SLOTS)

/* Takes the guest's requests while the link has room and signals the
 * driver. On one core the driver runs at once and often finishes a
 * request before the signal returns (the disk answered inside its
 * notify): those completions are collected here, in the same exit, and
 * the driver does not signal them (vmm_collecting). The barriers pair
 * with the driver's: it publishes a completion, then reads the flag; we
 * clear the flag, then read its index. */
static void pump(struct virtio_blk *blk)
{
    struct blk_link *l = blk->link;
    struct virtq_chain chain;
    for (uint32_t round = 1;; round++) {
        uint32_t sent = l->request_head;
        while (l->request_head - l->request_tail < BLK_LINK_SLOTS &&
               virtio_take(&blk->device, 0, &chain))
            start(blk, &chain);
        if (l->request_head == sent)
            return;
        if (round == PUMP_ROUNDS) {
            opal_signal(VMM_CAP_BLK_DRIVER);
            return;
        }
        l->vmm_collecting = 1;
        blk_link_barrier();
        opal_signal(VMM_CAP_BLK_DRIVER);
        l->vmm_collecting = 0;
        blk_link_barrier();
        if (!collect(blk))
            return;
    }
}

static void notify(struct virtio_device *device, uint32_t q)
{
    (void)q;
    pump(blk_of(device));
}

/* A reset forgets the queue; requests still at the driver complete into
 * nothing (busy keeps Status non-zero until they have). */
static void reset(struct virtio_device *device)
{
    struct virtio_blk *blk = blk_of(device);
    for (uint32_t i = 0; i < VIRTQ_SIZE_MAX; i++)
        blk->pending[i].discard = blk->pending[i].in_flight;
}

static bool busy(struct virtio_device *device)
{
    struct virtio_blk *blk = blk_of(device);
    if (blk->in_flight > 0)
        virtio_blk_completed(blk);   /* the completions already in the link */
    return blk->in_flight > 0;
}

static const struct virtio_type blk_type = {
    .name = "virtio-blk",
    .device_id = VIRTIO_ID_BLOCK,
    .features = VIRTIO_BLK_F_SIZE_MAX | VIRTIO_BLK_F_SEG_MAX | VIRTIO_BLK_F_FLUSH,
    .queue_count = 1,
    .config_read = config_read,
    .notify = notify,
    .reset = reset,
    .busy = busy,
};

void virtio_blk_init(struct virtio_blk *blk, struct vm *vm, struct blk_link *link)
{
    *blk = (struct virtio_blk){ .link = link };
    virtio_init(&blk->device, &blk_type, vm, GUEST_VIRTIO_BLK);
}


void virtio_blk_completed(struct virtio_blk *blk)
{
    if (!blk->device.type)
        return;
    collect(blk);
    pump(blk);
}
