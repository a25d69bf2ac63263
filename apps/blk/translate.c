/* One request of a client, checked and translated: its private copy (the
 * VMM may change the ring under the driver) against the client's region
 * and its VM's RAM table, into slot s's header and indirect table. Every
 * field is checked, without overflow; a request that fails completes
 * with an error and a line, and never stops the driver. */
#include "blk.h"

/* The extent of the VM's RAM that holds `address`, copied out of the
 * table (init's, trusted; read once per field); false if none does.
 * 32-bit arithmetic is exact here: the extents lie below 4 GiB, and an
 * address below an extent makes the offset wrap past any size. */
static bool find_extent(const volatile struct blk_ram_table *table, uint32_t count,
                        uint32_t address, struct blk_ram_extent *found)
{
    for (uint32_t e = 0; e < count; e++) {
        struct blk_ram_extent x = { table->extents[e].guest, table->extents[e].physical,
                                    table->extents[e].size };
        if (address - x.guest < x.size) {
            *found = x;
            return true;
        }
    }
    return false;
}

/* The data descriptors of request r's buffers into `table` from entry 1,
 * each chained to the next; their number, or 0 (reported) if a buffer is
 * not in the VM's RAM or the pieces do not fit. A buffer's pieces come
 * from the extent that held the last one while it holds them (most
 * requests lie in one): a subtraction and a compare per buffer. */
static uint32_t add_buffers(const struct driver *driver, struct client *client,
                            const struct blk_request *r, struct virtq_desc *table)
{
    uint32_t count = client->table->count, entries = 0, max = driver->device.max_pieces;
    if (count > BLK_RAM_EXTENTS_MAX)
        count = 0;
    struct blk_ram_extent extent = { 0, 0, 0 };
    uint16_t flags = VIRTQ_DESC_F_NEXT | (r->type == BLK_READ ? VIRTQ_DESC_F_WRITE : 0);
    for (uint32_t i = 0; i < r->segment_count; i++) {
        uint32_t address = r->segments[i].address, left = r->segments[i].length;
        while (left > 0) {
            uint32_t offset = address - extent.guest;
            if (offset >= extent.size) {
                if (!find_extent(client->table, count, address, &extent)) {
                    client_report(client, "request %u: buffer %u at 0x%08x+0x%x is not in its "
                                  "RAM", (unsigned)r->id, (unsigned)i,
                                  (unsigned)r->segments[i].address,
                                  (unsigned)r->segments[i].length);
                    return 0;
                }
                offset = address - extent.guest;
            }
            if (entries == max) {
                client_report(client, "request %u: its buffers are in more than %u pieces of "
                              "host RAM", (unsigned)r->id, (unsigned)entries);
                return 0;
            }
            uint32_t piece = left < extent.size - offset ? left : extent.size - offset;
            entries++;
            table[entries] = (struct virtq_desc){ .address = extent.physical + offset,
                                                  .length = piece, .flags = flags,
                                                  .next = (uint16_t)(entries + 1) };
            address += piece;
            left -= piece;
        }
    }
    return entries;
}

/* A read's or write's buffers: 1 to BLK_MAX_SEGMENTS, each whole sectors
 * and at most BLK_SEGMENT_MAX; all of them inside the client's region.
 * Their total in sectors, or 0 (reported). */
static uint64_t check_transfer(struct client *client, const struct blk_request *r)
{
    if (r->segment_count == 0 || r->segment_count > BLK_MAX_SEGMENTS) {
        client_report(client, "request %u: %u buffers (1 to %u)", (unsigned)r->id,
                      (unsigned)r->segment_count, BLK_MAX_SEGMENTS);
        return 0;
    }
    uint64_t bytes = 0;
    for (uint32_t i = 0; i < r->segment_count; i++) {
        uint32_t length = r->segments[i].length;
        if (length == 0 || length % BLK_SECTOR_SIZE != 0 || length > BLK_SEGMENT_MAX) {
            client_report(client, "request %u: buffer %u is 0x%x bytes (whole sectors, at "
                          "most 0x%x)", (unsigned)r->id, (unsigned)i, (unsigned)length,
                          BLK_SEGMENT_MAX);
            return 0;
        }
        bytes += length;
    }
    uint64_t sectors = bytes / BLK_SECTOR_SIZE, region = client->info->sectors;
    if (r->sector > region || sectors > region - r->sector) {
        client_report(client, "request %u: sectors %llu+%llu are outside its region of %llu",
                      (unsigned)r->id, (unsigned long long)r->sector,
                      (unsigned long long)sectors, (unsigned long long)region);
        return 0;
    }
    return sectors;
}

uint32_t translate(struct driver *driver, struct client *client, const struct blk_request *r,
                   uint32_t slot, uint32_t *status)
{
    struct dma *dma = driver->device.dma;
    struct virtq_desc *table = dma->tables[slot];
    uint32_t data = 0;
    *status = BLK_IOERR;
    if (r->type == BLK_FLUSH) {
        if (r->segment_count != 0) {
            client_report(client, "request %u: a flush with %u buffers", (unsigned)r->id,
                          (unsigned)r->segment_count);
            return 0;
        }
        if (!driver->device.flush) {
            *status = BLK_OK;        /* write-through: every completed write is on the disk */
            return 0;
        }
    } else if (r->type == BLK_READ || r->type == BLK_WRITE) {
        if (check_transfer(client, r) == 0 || (data = add_buffers(driver, client, r, table)) == 0)
            return 0;
    } else {
        client_report(client, "request %u: type %u is not read, write or flush",
                      (unsigned)r->id, (unsigned)r->type);
        *status = BLK_UNSUPPORTED;
        return 0;
    }
    /* Only now, with every check passed, is the slot's DMA memory written. */
    dma->headers[slot] = (struct virtio_blk_header){
        .type = r->type, .sector = r->type == BLK_FLUSH ? 0 : client->info->start + r->sector,
    };
    dma->status[slot] = 0xff;        /* not a status the device can write */
    table[0] = (struct virtq_desc){ .address = device_physical(&driver->device, &dma->headers[slot]),
                                    .length = sizeof dma->headers[slot],
                                    .flags = VIRTQ_DESC_F_NEXT, .next = 1 };
    table[1 + data] = (struct virtq_desc){
        .address = device_physical(&driver->device, &dma->status[slot]), .length = 1,
        .flags = VIRTQ_DESC_F_WRITE,
    };
    return 2 + data;
}
