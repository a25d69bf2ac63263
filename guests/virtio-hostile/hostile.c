/* vq-hostile: a bare-metal guest that breaks the virtqueue rules on its
 * virtio console (slot 1) and virtio-blk disk (slot 0), case by case
 * (tests/system/test_virtio_hostile.py). After each breaking case the device
 * must say DEVICE_NEEDS_RESET with the configuration-change interrupt, do
 * nothing more, and after a reset and a new setup serve a valid request;
 * after each merely wrong request (blk: past the end, odd lengths) it must
 * answer and keep working. One line per case, then a summary. */
#include "blk_link.h"
#include "shared.h"
#include "virtio.h"

#define CONSOLE_ID 3u
#define BLK_ID 2u
#define CONSOLE_TRANSMIT 1u
#define BLK_REQUESTS 0u
#define SIZE 8u                  /* the queue size of every case but two */
#define NOTIFY_STORM 100000u
#define RAM_END_OUTSIDE 0x41000000u   /* tests/configs/virtio-hostile.dts: 16 MiB at 1 GiB */

#define BLK_T_IN 0u
#define BLK_T_OUT 1u
#define BLK_T_FLUSH 4u
#define BLK_T_GET_ID 8u
#define BLK_S_OK 0u
#define BLK_S_IOERR 1u
#define BLK_S_UNSUPP 2u
#define SECTOR 512u
#define IO_BYTES 4096u
#define LAST_SECTOR_TAG 0xbad0bad0u  /* what the requests at the end write */
#define FINAL_TAG 0x000f17a1u        /* sector 0's last pattern */

const char guest_name[] = "virtio-hostile";
void guest_main(uint32_t ram_base, uint32_t ram_size);

struct target {
    struct vdev dev;
    uint32_t q;                  /* the queue the cases use */
    bool blk;
    uint64_t sectors;            /* blk: its capacity */
};

static struct ring_pages console_pages[2], blk_pages[1];
static struct target console, blk;

/* What the chains point at. */
static char never_text[] = "virtio-hostile: MUST NOT APPEAR\n";
static char works_text[128];
static struct { uint32_t type, reserved; uint64_t sector; } header;
static volatile uint8_t status_bytes[QUEUE_SIZE_MAX];
static uint8_t scratch[IO_BYTES] __attribute__((aligned(64)));
static uint8_t pattern[IO_BYTES] __attribute__((aligned(64)));
static uint8_t readback[IO_BYTES] __attribute__((aligned(64)));
static struct desc indirect_table[4] __attribute__((aligned(16)));

static uint32_t failures, cases;

static void append(char *to, uint32_t *at, uint32_t room, const char *text)
{
    while (*text && *at + 1 < room)
        to[(*at)++] = *text++;
    to[*at] = 0;
}

/* --- chains ---------------------------------------------------------------- */

static volatile struct desc *table(struct target *t)
{
    return t->dev.queues[t->q].desc;
}

/* `count` descriptors from `first`, linked, shaped as a valid request:
 * console: readable text pieces; blk: a header, count - 2 writable 512-byte
 * data buffers (a read of sector 0), a status byte. Returns the index of
 * the first data buffer (the one the cases spoil). */
static uint32_t make_chain(struct target *t, uint32_t first, uint32_t count)
{
    volatile struct desc *d = table(t);
    for (uint32_t i = 0; i < count; i++) {
        uint32_t at = first + i;
        if (!t->blk)
            d[at] = (struct desc){ (uint32_t)never_text, sizeof never_text - 1, 0, 0 };
        else if (i == 0)
            d[at] = (struct desc){ (uint32_t)&header, sizeof header, 0, 0 };
        else if (i == count - 1)
            d[at] = (struct desc){ (uint32_t)&status_bytes[at], 1, DESC_F_WRITE, 0 };
        else
            d[at] = (struct desc){ (uint32_t)scratch, SECTOR, DESC_F_WRITE, 0 };
        if (i + 1 < count) {
            d[at].flags |= DESC_F_NEXT;
            d[at].next = (uint16_t)(at + 1);
        }
    }
    header = (typeof(header)){ BLK_T_IN, 0, 0 };
    return t->blk ? first + 1 : first;
}

static uint32_t valid_length(struct target *t)
{
    return t->blk ? 3 : 1;
}

/* --- the breaking cases: each spoils a valid request, or the queue -------- */

struct breaking {
    const char *name;
    void (*spoil)(struct target *t, volatile struct desc *d, uint32_t data);
    uint32_t size;               /* 0: SIZE */
};

static void outside_ram(struct target *t, volatile struct desc *d, uint32_t data)
{
    (void)t;
    d[data].address = RAM_END_OUTSIDE;
}

/* Half the buffer in RAM, half past its end. */
static void straddles_ram_end(struct target *t, volatile struct desc *d, uint32_t data)
{
    (void)t;
    d[data].address = RAM_END_OUTSIDE - d[data].length / 2;
}

static void at_distributor(struct target *t, volatile struct desc *d, uint32_t data)
{
    (void)t;
    d[data].address = GICD_BASE;
}

static void wraps_4gib(struct target *t, volatile struct desc *d, uint32_t data)
{
    (void)t;
    d[data].address = 0xffffff00u;   /* + 512 wraps to 0x100 in 32 bits */
}

static void above_4gib(struct target *t, volatile struct desc *d, uint32_t data)
{
    (void)t;
    d[data].address += 1ull << 32;   /* the low word still inside RAM */
}

static void absurd_length(struct target *t, volatile struct desc *d, uint32_t data)
{
    (void)t;
    d[data].length = 0xffffffffu;
}

static void zero_length(struct target *t, volatile struct desc *d, uint32_t data)
{
    (void)t;
    d[data].length = 0;
}

/* The last buffer's next goes back to the first data buffer (for blk not
 * the header: a readable buffer after writable ones is its own case). */
static void loop(struct target *t, volatile struct desc *d, uint32_t data)
{
    uint32_t last = valid_length(t) - 1;
    d[last].flags |= DESC_F_NEXT;
    d[last].next = (uint16_t)data;
}

/* Every descriptor of the table in one chain, the last back to the
 * fourth: a walk longer than the queue without ever returning to its head. */
static void long_loop(struct target *t, volatile struct desc *d, uint32_t data)
{
    (void)data;
    make_chain(t, 0, SIZE);
    d[SIZE - 1].flags |= DESC_F_NEXT;
    d[SIZE - 1].next = 3;
}

static void next_past_table(struct target *t, volatile struct desc *d, uint32_t data)
{
    (void)data;
    uint32_t last = valid_length(t) - 1;
    d[last].flags |= DESC_F_NEXT;
    d[last].next = SIZE;             /* the first entry past an 8-entry table */
}

/* 255 buffers in a queue of 256: more than the device takes (254). */
static void chain_too_long(struct target *t, volatile struct desc *d, uint32_t data)
{
    (void)d;
    (void)data;
    make_chain(t, 0, QUEUE_SIZE_MAX - 1);
}

static void indirect(struct target *t, volatile struct desc *d, uint32_t data)
{
    indirect_table[0] = (struct desc){ (uint32_t)scratch, SECTOR,
                                       (uint16_t)(t->blk ? DESC_F_WRITE : 0), 0 };
    d[data].address = (uint32_t)indirect_table;
    d[data].length = sizeof indirect_table[0];
    d[data].flags |= DESC_F_INDIRECT;
}

/* A writable buffer first, then a readable one. */
static void readable_after_writable(struct target *t, volatile struct desc *d, uint32_t data)
{
    (void)t;
    (void)data;
    d[0] = (struct desc){ (uint32_t)scratch, SECTOR, DESC_F_WRITE | DESC_F_NEXT, 1 };
    d[1] = (struct desc){ (uint32_t)scratch, SECTOR, 0, 0 };
}

/* The available index moved by size + 1 (only one entry was written). */
static void avail_jump(struct target *t, volatile struct desc *d, uint32_t data)
{
    (void)d;
    (void)data;
    struct vqueue *vq = &t->dev.queues[t->q];
    vq->next_avail = (uint16_t)(vq->next_avail + SIZE);
}

/* The available index moved back by one (0 to 0xffff). */
static void avail_backwards(struct target *t, volatile struct desc *d, uint32_t data)
{
    (void)d;
    (void)data;
    struct vqueue *vq = &t->dev.queues[t->q];
    vq->next_avail = (uint16_t)(vq->next_avail - 2);
}

static void blk_short_header(struct target *t, volatile struct desc *d, uint32_t data)
{
    (void)t;
    (void)data;
    d[0].length = 8;
}

static void blk_no_status(struct target *t, volatile struct desc *d, uint32_t data)
{
    (void)t;
    d[data].flags &= (uint16_t)~DESC_F_NEXT;   /* header and data only */
}

static const struct breaking breaking_cases[] = {
    { "outside-ram", outside_ram, 0 },
    { "straddles-ram-end", straddles_ram_end, 0 },
    { "at-distributor", at_distributor, 0 },
    { "wraps-4gib", wraps_4gib, 0 },
    { "above-4gib", above_4gib, 0 },
    { "absurd-length", absurd_length, 0 },
    { "zero-length", zero_length, 0 },
    { "loop", loop, 0 },
    { "long-loop", long_loop, 0 },
    { "next-past-table", next_past_table, 0 },
    { "chain-too-long", chain_too_long, QUEUE_SIZE_MAX },
    { "indirect", indirect, 0 },
    { "readable-after-writable", readable_after_writable, 0 },
    { "avail-jump", avail_jump, 0 },
    { "avail-backwards", avail_backwards, 0 },
    { "head-past-table", NULL, 0 },   /* the ring names entry SIZE */
};

static const struct breaking blk_breaking_cases[] = {
    { "short-header", blk_short_header, 0 },
    { "no-status", blk_no_status, 0 },
};

/* Queues placed wrong: each area's address, or the size, at QueueReady. */
struct placement {
    const char *name;
    uint32_t size;
    uint64_t desc, avail, used;  /* 0: the queue's own page */
};

static const struct placement placement_cases[] = {
    { "size-not-power-of-two", 3, 0, 0, 0 },
    { "size-too-big", 2 * QUEUE_SIZE_MAX, 0, 0, 0 },
    { "size-zero", 0, 0, 0, 0 },
    { "desc-straddles-ram-end", SIZE, RAM_END_OUTSIDE - 64, 0, 0 },
    { "desc-misaligned", SIZE, 8, 0, 0 },      /* 8: added to the page's address */
    { "avail-at-distributor", SIZE, 0, GICD_BASE, 0 },
    { "used-straddles-ram-end", SIZE, 0, 0, RAM_END_OUTSIDE - 8 },
    { "used-above-4gib", SIZE, 0, 0, 1ull << 32 },   /* added: the low word in RAM */
};

/* --- checks --------------------------------------------------------------- */

/* A case is over: the worker may make its next pass. */
static void case_done(void)
{
    SHARED->hostile_cases++;
    *DOORBELL = 1;
}

static void line(struct target *t, const char *name, const char *outcome)
{
    case_done();
    put_string("virtio-hostile: ");
    put_string(t->dev.name);
    put_string(" ");
    put_string(name);
    put_string(": ");
    put_string(outcome);
    put_string("\n");
}

static bool fail(struct target *t, const char *name, const char *why)
{
    case_done();
    failures++;
    put_string("virtio-hostile: ");
    put_string(t->dev.name);
    put_string(" ");
    put_string(name);
    put_string(": FAIL ");
    put_string(why);
    put_string("\n");
    return false;
}

/* One blk request: header, `count` data buffers of `length` bytes at
 * `data` (writable for a read), status; its status byte, or -1 if it
 * never completed; *written what the used ring says. */
static int blk_request(uint32_t type, uint64_t sector, void *data, uint32_t length,
                       bool data_writable, uint32_t count, uint32_t *written)
{
    struct vdev *d = &blk.dev;
    volatile struct desc *table_ = d->queues[BLK_REQUESTS].desc;
    header = (typeof(header)){ type, 0, sector };
    table_[0] = (struct desc){ (uint32_t)&header, sizeof header, DESC_F_NEXT, 1 };
    for (uint32_t i = 0; i < count; i++)
        table_[1 + i] = (struct desc){ (uint32_t)data, length,
                                       (uint16_t)(DESC_F_NEXT | (data_writable ? DESC_F_WRITE : 0)),
                                       (uint16_t)(2 + i) };
    status_bytes[0] = 0xff;
    table_[1 + count] = (struct desc){ (uint32_t)&status_bytes[0], 1, DESC_F_WRITE, 0 };
    vq_post(d, BLK_REQUESTS, 0);
    vq_notify(d, BLK_REQUESTS);
    if (!vq_wait_used(d, BLK_REQUESTS, 3000))
        return -1;
    struct vqueue *vq = &d->queues[BLK_REQUESTS];
    *written = vq->used->ring[(uint16_t)(vq->next_avail - 1) % vq->size].length;
    return status_bytes[0];
}

/* Word w of a pattern: w * 0x9e3779b1 ^ tag (the test computes the last
 * one's from its tag). */
static void make_pattern(uint32_t tag)
{
    for (uint32_t w = 0; w < IO_BYTES / 4; w++) {
        uint32_t word = w * 0x9e3779b1u ^ tag;
        copy(&pattern[w * 4], &word, 4);
    }
}

static bool same(const uint8_t *a, const uint8_t *b, uint32_t count)
{
    for (uint32_t i = 0; i < count; i++)
        if (a[i] != b[i])
            return false;
    return true;
}

/* A write of a fresh pattern at `sector` and a read of it back. */
static const char *blk_write_read(uint64_t sector, uint32_t tag)
{
    uint32_t written;
    make_pattern(tag);
    int status = blk_request(BLK_T_OUT, sector, pattern, IO_BYTES, false, 1, &written);
    if (status != BLK_S_OK)
        return status < 0 ? "a valid write never completed" : "a valid write failed";
    if (written != 1)
        return "a write's used length is not 1 (the status byte)";
    fill(readback, 0, IO_BYTES);
    status = blk_request(BLK_T_IN, sector, readback, IO_BYTES, true, 1, &written);
    if (status != BLK_S_OK)
        return status < 0 ? "a valid read never completed" : "a valid read failed";
    if (written != IO_BYTES + 1)
        return "a read's used length is not its data and status byte";
    if (!same(pattern, readback, IO_BYTES))
        return "the data read back is not what was written";
    return NULL;
}

/* A line on the console, which the test looks for. */
static const char *console_send(const char *name)
{
    struct vdev *d = &console.dev;
    uint32_t at = 0;
    append(works_text, &at, sizeof works_text, "virtio-hostile: console works after ");
    append(works_text, &at, sizeof works_text, name);
    append(works_text, &at, sizeof works_text, "\n");
    d->queues[CONSOLE_TRANSMIT].desc[0] = (struct desc){ (uint32_t)works_text, at, 0, 0 };
    vq_post(d, CONSOLE_TRANSMIT, 0);
    vq_notify(d, CONSOLE_TRANSMIT);
    if (!vq_wait_used(d, CONSOLE_TRANSMIT, 1000))
        return "a valid transmit was never used";
    return NULL;
}

/* A valid request on a device just set up: it completes, with its used
 * interrupt. */
static const char *works(struct target *t, const char *name)
{
    vdev_quiet(&t->dev);
    const char *failed = t->blk ? blk_write_read(0, cases) : console_send(name);
    if (failed)
        return failed;
    if (!(vdev_read(&t->dev, VIRTIO_INTERRUPT_STATUS) & INTERRUPT_USED))
        return "InterruptStatus lacks the used-buffer bit after a request";
    if (!vdev_irq_arrives(&t->dev, 100))
        return "no used-buffer interrupt after a request";
    vdev_quiet(&t->dev);
    if (vdev_read(&t->dev, VIRTIO_STATUS) & STATUS_NEEDS_RESET)
        return "DEVICE_NEEDS_RESET after a valid request";
    return NULL;
}

/* After a breaking case: NEEDS_RESET, the configuration-change bit and the
 * interrupt; a valid request now is left alone. */
static const char *needs_reset(struct target *t, bool queue_ready)
{
    struct vdev *d = &t->dev;
    if (!(vdev_read(d, VIRTIO_STATUS) & STATUS_NEEDS_RESET))
        return "Status lacks DEVICE_NEEDS_RESET";
    if (!(vdev_read(d, VIRTIO_INTERRUPT_STATUS) & INTERRUPT_CONFIG))
        return "InterruptStatus lacks the configuration-change bit";
    if (!vdev_irq_arrives(d, 100))
        return "no interrupt for the configuration change";
    vdev_quiet(d);
    if (!queue_ready)
        return NULL;
    /* A valid chain at descriptor 16 (inside even the 8-entry case's page). */
    uint16_t used = vq_used_index(d, t->q);
    make_chain(t, 16, valid_length(t));
    vq_post(d, t->q, 16);
    vq_notify(d, t->q);
    delay_ms(5);   /* a blk request would be back from the driver by then */
    if (vq_used_index(d, t->q) != used)
        return "the device went on using buffers after DEVICE_NEEDS_RESET";
    return NULL;
}

/* Reset, set up again, a valid request. */
static const char *recovers(struct target *t, const char *name)
{
    const char *failed = vdev_reset(&t->dev);
    if (!failed && vdev_read(&t->dev, VIRTIO_INTERRUPT_STATUS) != 0)
        failed = "InterruptStatus not 0 after the reset";
    if (!failed)
        failed = vdev_setup(&t->dev, SIZE);
    return failed ? failed : works(t, name);
}

/* A case has broken the device (unless `failed` already): it must need a
 * reset, then recover; the case's line. */
static void broken(struct target *t, const char *name, bool queue_ready, const char *failed)
{
    if (!failed)
        failed = needs_reset(t, queue_ready);
    if (!failed)
        failed = recovers(t, name);
    if (failed)
        fail(t, name, failed);
    else
        line(t, name, "reset ok, device works");
}

static void run_breaking(struct target *t, const struct breaking *c)
{
    cases++;
    const char *failed = vdev_setup(&t->dev, c->size ? c->size : SIZE);
    if (failed) {
        fail(t, c->name, failed);
        return;
    }
    struct vdev *d = &t->dev;
    vdev_quiet(d);
    uint32_t data = make_chain(t, 0, valid_length(t));
    if (c->spoil)
        c->spoil(t, table(t), data);
    vq_post(d, t->q, c->spoil ? 0 : SIZE);
    vq_notify(d, t->q);
    broken(t, c->name, true, NULL);
}

static void run_placement(struct target *t, const struct placement *c)
{
    cases++;
    struct vdev *d = &t->dev;
    const char *failed = vdev_begin(d);
    for (uint32_t q = 0; !failed && q < d->queue_count; q++)
        if (q != t->q)
            failed = vdev_queue_setup(d, q, SIZE);
    if (failed) {
        fail(t, c->name, failed);
        return;
    }
    struct ring_pages *pages = &d->pages[t->q];
    uint64_t desc = c->desc >= 0x1000 ? c->desc : (uint32_t)pages->desc + c->desc;
    uint64_t avail = c->avail ? c->avail : (uint32_t)&pages->avail;
    uint64_t used = c->used == 1ull << 32 ? (uint32_t)&pages->used + c->used
                  : c->used ? c->used : (uint32_t)&pages->used;
    vdev_queue_place(d, t->q, c->size, desc, avail, used);
    broken(t, c->name, false, vdev_read(d, VIRTIO_QUEUE_READY) != 0
                                  ? "QueueReady reads 1 for a queue placed wrong" : NULL);
}

/* Notifies with nothing new, on the queue, on a queue that does not
 * exist and on an absurd one: no reset needed, the device works on. */
static void run_notify_storm(struct target *t)
{
    const char *name = "notify-storm";
    cases++;
    struct vdev *d = &t->dev;
    const char *failed = vdev_setup(d, SIZE);
    if (!failed)
        failed = works(t, name);
    uint16_t used = vq_used_index(d, t->q);
    for (uint32_t i = 0; !failed && i < NOTIFY_STORM; i++)
        vq_notify(d, i % 64 == 63 ? 0xffffffffu : i % 64 == 62 ? 7u : t->q);
    if (!failed && vq_used_index(d, t->q) != used)
        failed = "the used index moved with nothing available";
    if (!failed && (vdev_read(d, VIRTIO_STATUS) & STATUS_NEEDS_RESET))
        failed = "DEVICE_NEEDS_RESET after notifies alone";
    if (!failed)
        failed = works(t, name);
    if (failed)
        fail(t, name, failed);
    else
        line(t, name, "ok, device works");
}

/* --- blk: requests the device answers (no reset) ---------------------------- */

struct answered {
    const char *name;
    uint32_t type;
    bool from_end;               /* sector counts from the device's end */
    uint64_t sector;
    uint32_t length, count;      /* data buffers */
    bool writable;
    uint8_t status;              /* expected */
};

static const struct answered answered_cases[] = {
    /* Its last sector and the first past it; the test finds the one after
     * the VM's region untouched on the disk. */
    { "write-past-end", BLK_T_OUT, true, -1ull, 2 * SECTOR, 1, false, BLK_S_IOERR },
    { "read-past-end", BLK_T_IN, true, 0, SECTOR, 1, true, BLK_S_IOERR },
    { "read-far-past-end", BLK_T_IN, false, 1ull << 40, SECTOR, 1, true, BLK_S_IOERR },
    /* 8 sectors from 2^64 - 4: the end wraps to 4. */
    { "sector-wraps", BLK_T_OUT, false, -4ull, 8 * SECTOR, 1, false, BLK_S_IOERR },
    { "odd-length", BLK_T_OUT, false, 0, 500, 1, false, BLK_S_IOERR },
    { "over-size-max", BLK_T_IN, false, 0, 0x20000, 1, true, BLK_S_IOERR },
    { "over-seg-max", BLK_T_IN, false, 0, SECTOR, BLK_MAX_SEGMENTS + 1, true, BLK_S_IOERR },
    { "read-into-readable", BLK_T_IN, false, 0, SECTOR, 1, false, BLK_S_IOERR },
    { "write-from-writable", BLK_T_OUT, false, 0, SECTOR, 1, true, BLK_S_IOERR },
    { "unknown-type", 99, false, 0, SECTOR, 1, true, BLK_S_UNSUPP },
    { "last-sector", BLK_T_OUT, true, -1ull, SECTOR, 1, false, BLK_S_OK },
    { "flush", BLK_T_FLUSH, false, 0, 0, 0, false, BLK_S_OK },
};

static uint64_t case_sector(const struct answered *c)
{
    return c->from_end ? blk.sectors + c->sector : c->sector;
}

static void run_answered(const struct answered *c)
{
    cases++;
    const char *failed = NULL;
    uint32_t written;
    static uint8_t big[0x20000] __attribute__((aligned(64)));
    uint8_t *data = c->length > IO_BYTES ? big : scratch;
    make_pattern(LAST_SECTOR_TAG);
    copy(data, pattern, c->length < IO_BYTES ? c->length : IO_BYTES);
    int status = blk_request(c->type, case_sector(c), data, c->length, c->writable, c->count,
                             &written);
    if (status < 0)
        failed = "the request never completed";
    else if (status != c->status)
        failed = status == BLK_S_OK ? "status OK" : status == BLK_S_IOERR ? "status IOERR"
               : status == BLK_S_UNSUPP ? "status UNSUPP" : "another status";
    else if (c->status != BLK_S_OK && written != 1)
        failed = "a refused request's used length is not 1 (the status byte)";
    else if (vdev_read(&blk.dev, VIRTIO_STATUS) & STATUS_NEEDS_RESET)
        failed = "DEVICE_NEEDS_RESET after a request the device answers";
    if (!failed)
        failed = works(&blk, c->name);
    if (failed)
        fail(&blk, c->name, failed);
    else
        line(&blk, c->name, "answered, device works");
}

/* GET_ID: the serial number is the VM's name, NUL-padded to 20 bytes. */
static void run_get_id(void)
{
    cases++;
    uint32_t written;
    fill(scratch, 0xee, SECTOR);
    int status = blk_request(BLK_T_GET_ID, 0, scratch, SECTOR, true, 1, &written);
    static const char expected[20] = "hostile";
    const char *failed = status != BLK_S_OK ? "GET_ID failed"
                       : written != 21 ? "GET_ID's used length is not 20 + 1"
                       : !same(scratch, (const uint8_t *)expected, 20) ? "the serial is not \"hostile\""
                       : scratch[20] != 0xee ? "GET_ID wrote past 20 bytes" : NULL;
    if (failed)
        fail(&blk, "get-id", failed);
    else
        line(&blk, "get-id", "answered, device works");
}

static void run_device(struct target *t)
{
    for (uint32_t i = 0; i < sizeof breaking_cases / sizeof breaking_cases[0]; i++)
        run_breaking(t, &breaking_cases[i]);
    for (uint32_t i = 0; i < sizeof placement_cases / sizeof placement_cases[0]; i++)
        run_placement(t, &placement_cases[i]);
    run_notify_storm(t);
}

void guest_main(uint32_t ram_base, uint32_t ram_size)
{
    (void)ram_base;
    (void)ram_size;
    put_string("virtio-hostile: ready\n");
    vdev_init(&console.dev, "console", GUEST_VIRTIO_CONSOLE, CONSOLE_ID, 2, console_pages);
    console.q = CONSOLE_TRANSMIT;
    vdev_init(&blk.dev, "blk", GUEST_VIRTIO_BLK, BLK_ID, 1, blk_pages);
    blk.q = BLK_REQUESTS;
    blk.blk = true;
    gic_enable(console.dev.irq);
    gic_enable(blk.dev.irq);

    run_device(&console);

    bool have_blk = vdev_present(&blk.dev);
    if (have_blk) {
        /* The other VM's I/O under way first: the cases run beside it. */
        uint64_t end = deadline_after(30000);
        while (SHARED->worker_requests == 0 && counter() < end)
            ;
        uint32_t before = SHARED->worker_requests;
        blk.sectors = (uint64_t)vdev_read(&blk.dev, VIRTIO_CONFIG + 4) << 32 |
                      vdev_read(&blk.dev, VIRTIO_CONFIG);
        put_string("virtio-hostile: blk: ");
        put_number((uint32_t)blk.sectors);
        put_string(" sectors; the other VM has made ");
        put_number(before);
        put_string(" requests\n");
        run_device(&blk);
        for (uint32_t i = 0; i < sizeof blk_breaking_cases / sizeof blk_breaking_cases[0]; i++)
            run_breaking(&blk, &blk_breaking_cases[i]);
        /* A full-size queue: over-seg-max's chain of 67 fits it. */
        const char *failed = vdev_setup(&blk.dev, QUEUE_SIZE_MAX);
        if (failed)
            fail(&blk, "setup", failed);
        for (uint32_t i = 0; !failed && i < sizeof answered_cases / sizeof answered_cases[0]; i++)
            run_answered(&answered_cases[i]);
        run_get_id();
        put_string("virtio-hostile: blk: the other VM made ");
        put_number(SHARED->worker_requests - before);
        put_string(" requests during the cases\n");
    } else {
        put_string("virtio-hostile: no virtio-blk device: its cases skipped\n");
    }

    /* A second after the last line the VMM passed, one more break: its
     * line carries how many were held back. */
    vdev_quiet(&console.dev);
    if (have_blk)
        vdev_quiet(&blk.dev);
    put_string("virtio-hostile: a second's pause\n");
    delay_ms(1100);
    static const struct breaking late = { "loop-a-second-later", loop, 0 };
    run_breaking(&console, &late);
    if (have_blk) {
        /* What the test finds on the disk: a last pattern at sector 0. */
        const char *failed = blk_write_read(0, FINAL_TAG);
        if (failed)
            fail(&blk, "final", failed);
    }
    put_string("virtio-hostile: summary: ");
    put_number(cases);
    put_string(" cases, ");
    put_number(failures);
    put_string(" failed\n");
    SHARED->hostile_done = HOSTILE_DONE;
    *DOORBELL = 1;
    hvc(PSCI_SYSTEM_OFF);
}
