/* vq-worker: the well-behaved VM beside vq-hostile on the same disk
 * (tests/system/test_virtio_hostile.py). It writes its whole disk in
 * 64 KiB requests of four buffers and reads each back in one, pass after
 * pass, each pass with other data (shared.h's worker_word), until the
 * hostile VM says it is done; then one more pass, all of whose requests
 * come after every hostile case, and it powers off. A line per pass with
 * a checksum of what it wrote, which the test compares with the disk. */
#include "shared.h"
#include "virtio.h"

#define BLK_ID 2u
#define CHUNK 0x10000u               /* bytes a request */
#define SEGMENTS 4u                  /* a write's buffers */
#define SECTOR 512u
#define PASSES_MAX 2000u

const char guest_name[] = "vq-worker";
void guest_main(uint32_t ram_base, uint32_t ram_size);

static struct ring_pages pages[1];
static struct vdev blk;
static struct { uint32_t type, reserved; uint64_t sector; } header;
static volatile uint8_t status_byte;
static uint32_t written[CHUNK / 4], read_back[CHUNK / 4];

/* One request: header, `count` buffers of CHUNK / count bytes from
 * `data`, status. Its status byte, or -1 if it never completed. */
static int request(uint32_t type, uint64_t sector, uint32_t *data, uint32_t count)
{
    volatile struct desc *d = blk.queues[0].desc;
    uint32_t length = CHUNK / count;
    header = (typeof(header)){ type, 0, sector };
    d[0] = (struct desc){ (uint32_t)&header, sizeof header, DESC_F_NEXT, 1 };
    for (uint32_t i = 0; i < count; i++)
        d[1 + i] = (struct desc){ (uint32_t)data + i * length, length,
                                  (uint16_t)(DESC_F_NEXT | (type == 0 ? DESC_F_WRITE : 0)),
                                  (uint16_t)(2 + i) };
    status_byte = 0xff;
    d[1 + count] = (struct desc){ (uint32_t)&status_byte, 1, DESC_F_WRITE, 0 };
    vq_post(&blk, 0, 0);
    vq_notify(&blk, 0);
    /* Asleep until the interrupt, as a real driver waits: the hostile VM
     * gets the CPU meanwhile. */
    uint64_t end = deadline_after(5000);
    while (vq_used_index(&blk, 0) != blk.queues[0].next_avail) {
        if (counter() > end)
            return -1;
        __asm__ volatile("dsb sy\n wfi" ::: "memory");
    }
    vdev_quiet(&blk);
    SHARED->worker_requests++;
    return status_byte;
}

static void report(const char *what, uint32_t pass, uint32_t value)
{
    put_string("vq-worker: ");
    put_string(what);
    put_string(" in pass ");
    put_number(pass);
    put_string(" at sector ");
    put_number(value);
    put_string("\n");
}

/* One pass over the disk; false after a FAIL line. */
static bool one_pass(uint32_t pass, uint32_t sectors, uint32_t *checksum)
{
    *checksum = 0x811c9dc5u;
    for (uint32_t sector = 0; sector < sectors; sector += CHUNK / SECTOR) {
        for (uint32_t w = 0; w < CHUNK / 4; w++) {
            written[w] = worker_word(pass, sector + w / (SECTOR / 4), w % (SECTOR / 4));
            *checksum = worker_checksum(*checksum, written[w]);
        }
        int status = request(1, sector, written, SEGMENTS);
        if (status != 0) {
            report(status < 0 ? "FAIL a write never completed" : "FAIL a write failed", pass,
                   sector);
            return false;
        }
        fill(read_back, 0, CHUNK);
        status = request(0, sector, read_back, 1);
        if (status != 0) {
            report(status < 0 ? "FAIL a read never completed" : "FAIL a read failed", pass,
                   sector);
            return false;
        }
        for (uint32_t w = 0; w < CHUNK / 4; w++)
            if (read_back[w] != written[w]) {
                report("FAIL the data read back differs", pass, sector + w / (SECTOR / 4));
                return false;
            }
    }
    return true;
}

void guest_main(uint32_t ram_base, uint32_t ram_size)
{
    (void)ram_base;
    (void)ram_size;
    vdev_init(&blk, "blk", GUEST_VIRTIO_BLK, BLK_ID, 1, pages);
    const char *failed = vdev_present(&blk) ? vdev_setup(&blk, 8) : "no virtio-blk device";
    if (failed) {
        put_string("vq-worker: FAIL ");
        put_string(failed);
        put_string("\n");
        hvc(PSCI_SYSTEM_OFF);
        return;
    }
    gic_enable(blk.irq);
    uint32_t sectors = vdev_read(&blk, VIRTIO_CONFIG);
    put_string("vq-worker: disk of ");
    put_number(sectors);
    put_string(" sectors\n");
    bool last = false;
    uint32_t cases = 0;
    gic_enable(CHANNEL_IRQ);
    for (uint32_t pass = 1; pass <= PASSES_MAX; pass++) {
        uint32_t checksum;
        if (!one_pass(pass, sectors, &checksum))
            break;
        put_string(last ? "vq-worker: final pass " : "vq-worker: pass ");
        put_number(pass);
        put_string(" ok, checksum ");
        put_hex(checksum);
        put_string("\n");
        if (last)
            break;
        /* Seen done before this pass ends: the next one starts after it. */
        last = SHARED->hostile_done == HOSTILE_DONE;
        /* Then asleep until the hostile VM has run another case (its
         * doorbell wakes us): one pass a case. */
        while (!last && SHARED->hostile_cases == cases && SHARED->hostile_done != HOSTILE_DONE)
            __asm__ volatile("dsb sy\n wfi" ::: "memory");
        vdev_quiet(&blk);
        cases = SHARED->hostile_cases;
    }
    hvc(PSCI_SYSTEM_OFF);
}
