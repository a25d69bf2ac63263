/* The virtio-blk device (vmm/virtio_blk.c) over a link the test plays the
 * disk driver's side of (lib/blk_link.h): requests reach the link as the
 * guest's buffers, completions come back as the status byte and the used
 * ring, what the VMM answers itself (GET_ID, unsupported types, requests
 * past the disk or with bad buffers), a full link, a driver that lies, and
 * a reset with requests in flight. */
#define UNIT_SUITE "virtio_blk"
#include "linux_devices.h"

#define SLOT GUEST_VIRTIO_BLK
#define DISK_SECTORS 0x10000u
#define QUEUE_SIZE VIRTQ_SIZE_MAX   /* room for the longest chains */

/* virtio 1.x, 5.2: the request types and the feature bits of the config
 * fields the link's limits become. */
#define T_IN     0u
#define T_OUT    1u
#define T_FLUSH  4u
#define T_GET_ID 8u
#define T_DISCARD 11u
#define F_SIZE_MAX 1u
#define F_SEG_MAX  2u
#define F_FLUSH    9u
#define ID_BYTES 20u
#define STATUS_UNTOUCHED 0xeeu   /* what the guest leaves in a status byte */

static struct blk_link link;

static struct guest_queue *request_queue(void)
{
    return &queues[SLOT][0];
}

/* A VM named `name` with a disk over `link`, its queue up. */
static void blk_up_named(const char *name)
{
    linux_vm_reset(name);
    info.disk_sectors = DISK_SECTORS;
    memset(&link, 0, sizeof link);
    virtio_blk_init(&vm.blk, &vm, &link);
    guest_bring_up(SLOT, 1, QUEUE_SIZE);
}

static void blk_up(void)
{
    blk_up_named("vm1");
}

struct request {
    uint16_t head;
    uint32_t status;          /* the status byte's guest address */
};

/* A request (5.2.6) published: header, `count` data buffers, status byte. */
static struct request submit(uint32_t type, uint64_t sector, const struct guest_buffer *data,
                             uint32_t count)
{
    struct guest_buffer chain[VIRTQ_SIZE_MAX];
    uint32_t header = guest_alloc(16);
    uint32_t words[4] = { type, 0, (uint32_t)sector, (uint32_t)(sector >> 32) };
    memcpy(guest_pointer(header), words, sizeof words);
    struct request r = { .status = guest_alloc(1) };
    *(uint8_t *)guest_pointer(r.status) = STATUS_UNTOUCHED;
    chain[0] = (struct guest_buffer){ header, 16, false };
    for (uint32_t i = 0; i < count; i++)
        chain[1 + i] = data[i];
    chain[1 + count] = (struct guest_buffer){ r.status, 1, true };
    r.head = guest_add(request_queue(), chain, count + 2);
    return r;
}

/* `count` data buffers of `length` bytes, each filled with its own byte. */
static void data_buffers(struct guest_buffer *data, uint32_t count, uint32_t length,
                         bool writable)
{
    for (uint32_t i = 0; i < count; i++) {
        data[i] = (struct guest_buffer){ guest_alloc(length), length, writable };
        memset(guest_pointer(data[i].address), 0x40 + (int)i, length);
    }
}

static uint8_t status_of(struct request r)
{
    return *(uint8_t *)guest_pointer(r.status);
}

/* The driver's side: it takes requests off the link, and completes them. */
static void driver_take(uint32_t count)
{
    link.request_tail += count;
}

static void driver_complete(uint32_t id, uint32_t status)
{
    link.completions[link.completion_head % BLK_LINK_SLOTS] = (struct blk_completion){ id, status };
    link.completion_head++;
    virtio_blk_completed(&vm.blk);
}

/* The driver takes `r` and completes it: exactly its status byte (OK) and
 * used entry `used_index` (`length` bytes written) change, and the guest
 * is interrupted. */
static void expect_completed_ok(struct request r, uint16_t used_index, uint32_t length)
{
    snapshot();
    driver_take(1);
    driver_complete(r.head, BLK_OK);
    uint8_t ok = BLK_OK;
    expect_written(r.status, &ok, 1);
    expect_used(request_queue(), used_index, r.head, length);
    CHECK(unchanged());
    CHECK(reg_read(SLOT, VIRTIO_MMIO_INTERRUPT_STATUS) & VIRTIO_INTERRUPT_USED);
    CHECK(pending(slot_irq(SLOT)));
    CHECK_EQ(log_count, 0);
}

/* A fresh device given one request of `count` data buffers of `length`
 * bytes each (device-writable or not): answered without the driver,
 * `status`, nothing else written but its used entry (the status byte only:
 * length 1), nothing in the link. */
static void expect_answered_here(uint32_t type, uint64_t sector, uint32_t count, uint32_t length,
                                 bool writable, uint8_t status)
{
    struct guest_buffer data[VIRTQ_CHAIN_MAX];
    blk_up();
    data_buffers(data, count, length, writable);
    struct request r = submit(type, sector, data, count);
    snapshot();
    guest_notify(request_queue());
    expect_written(r.status, &status, 1);
    expect_used(request_queue(), 0, r.head, 1);
    CHECK(unchanged());
    CHECK_EQ(link.request_head, 0);
    CHECK_EQ(signal_count, 0);
    CHECK_EQ(reg_read(SLOT, VIRTIO_MMIO_INTERRUPT_STATUS), VIRTIO_INTERRUPT_USED);
    CHECK_EQ(log_count, 0);
}

/* The link's newest request is `r`'s, of `type` at `sector` over `data`. */
static void expect_in_link(struct request r, uint32_t type, uint64_t sector,
                           const struct guest_buffer *data, uint32_t count)
{
    CHECK(link.request_head > 0);
    const struct blk_request *sent = &link.requests[(link.request_head - 1) % BLK_LINK_SLOTS];
    CHECK_EQ(sent->id, r.head);
    CHECK_EQ(sent->type, type);
    CHECK_EQ(sent->sector, sector);
    CHECK_EQ(sent->segment_count, count);
    for (uint32_t i = 0; i < count; i++) {
        CHECKF(sent->segments[i].address == data[i].address, "segment %u", i);
        CHECKF(sent->segments[i].length == data[i].length, "segment %u", i);
    }
    CHECK_EQ(signal_count > 0, 1);
    CHECK_EQ(last_signalled, VMM_CAP_BLK_DRIVER);
}

/* The same, passed to the driver: in the link as the guest gave it. */
static void expect_sent(uint32_t type, uint64_t sector, uint32_t count, uint32_t length,
                        bool writable)
{
    struct guest_buffer data[VIRTQ_CHAIN_MAX];
    blk_up();
    data_buffers(data, count, length, writable);
    struct request r = submit(type, sector, data, count);
    guest_notify(request_queue());
    expect_in_link(r, type, sector, data, count);
    CHECK_EQ(log_count, 0);
}

/* A fresh device with one read of a sector (0) sent to the driver. */
static struct request one_read_sent(void)
{
    struct guest_buffer data[1];
    blk_up();
    data_buffers(data, 1, BLK_SECTOR_SIZE, true);
    struct request r = submit(T_IN, 0, data, 1);
    guest_notify(request_queue());
    if (link.request_head != 1)
        unit_fail(__FILE__, __LINE__, "the read did not reach the link");
    return r;
}

/* --- identification and config space ---------------------------------------- */

TEST(is_a_block_device_offering_its_limits_and_flush)
{
    blk_up();
    CHECK_EQ(reg_read(SLOT, VIRTIO_MMIO_DEVICE_ID), 2);
    reg_write(SLOT, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 0);
    uint32_t features = reg_read(SLOT, VIRTIO_MMIO_DEVICE_FEATURES);
    CHECK(features & (1u << F_SIZE_MAX));
    CHECK(features & (1u << F_SEG_MAX));
    CHECK(features & (1u << F_FLUSH));
    CHECK_EQ(reg_read(SLOT, VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_FEATURES_OK, VIRTIO_STATUS_FEATURES_OK);
}

TEST(config_space_reads_at_any_width)
{
    blk_up();
    info.disk_sectors = 0x01020304u;
    /* virtio_blk_config: le64 capacity, le32 size_max, le32 seg_max. */
    const uint8_t expected[16] = { 0x04, 0x03, 0x02, 0x01, 0, 0, 0, 0,
                                   BLK_SEGMENT_MAX & 0xff, (BLK_SEGMENT_MAX >> 8) & 0xff,
                                   (BLK_SEGMENT_MAX >> 16) & 0xff, BLK_SEGMENT_MAX >> 24,
                                   BLK_MAX_SEGMENTS & 0xff, (BLK_MAX_SEGMENTS >> 8) & 0xff,
                                   (BLK_MAX_SEGMENTS >> 16) & 0xff, BLK_MAX_SEGMENTS >> 24 };
    for (uint32_t size = 1; size <= 4; size *= 2)
        for (uint32_t offset = 0; offset < sizeof expected; offset += size) {
            uint32_t value = 0, want = 0;
            memcpy(&want, expected + offset, size);
            CHECKF(guest_access(slot_address(SLOT, VIRTIO_MMIO_CONFIG + offset), size, false, &value) ==
                   VMM_EMULATED, "size %u offset %u", size, offset);
            CHECKF(value == want, "size %u offset %u: 0x%x, not 0x%x", size, offset, value, want);
        }
    CHECK_EQ(reg_read(SLOT, VIRTIO_MMIO_CONFIG_GENERATION), reg_read(SLOT, VIRTIO_MMIO_CONFIG_GENERATION));
}

/* --- requests through the driver -------------------------------------------- */

TEST(a_read_goes_to_the_link_and_its_completion_to_the_guest)
{
    blk_up();
    struct guest_buffer data[2];
    data_buffers(data, 2, 1024, true);
    data[1].length = 512;
    struct request r = submit(T_IN, 10, data, 2);
    snapshot();
    guest_notify(request_queue());
    CHECK_EQ(link.request_head, 1);
    expect_in_link(r, BLK_READ, 10, data, 2);
    CHECK(unchanged());                         /* nothing for the guest yet */
    CHECK_EQ(reg_read(SLOT, VIRTIO_MMIO_INTERRUPT_STATUS), 0);
    CHECK(!pending(slot_irq(SLOT)));
    expect_completed_ok(r, 0, 1024 + 512 + 1);
}

TEST(a_write_goes_to_the_link_and_uses_only_the_status_byte)
{
    blk_up();
    struct guest_buffer data[3];
    data_buffers(data, 3, 4096, false);
    struct request r = submit(T_OUT, DISK_SECTORS - 24, data, 3);
    guest_notify(request_queue());
    expect_in_link(r, BLK_WRITE, DISK_SECTORS - 24, data, 3);
    expect_completed_ok(r, 0, 1);
}

TEST(a_flush_goes_to_the_link_without_segments)
{
    blk_up();
    struct request r = submit(T_FLUSH, 0, NULL, 0);
    guest_notify(request_queue());
    expect_in_link(r, BLK_FLUSH, 0, NULL, 0);
    expect_completed_ok(r, 0, 1);
}

TEST(a_failed_completion_gives_ioerr_and_no_data_length)
{
    blk_up();
    struct guest_buffer data[1];
    data_buffers(data, 1, 512, true);
    struct request r = submit(T_IN, 0, data, 1);
    struct request unsupported = submit(T_IN, 1, data, 1);
    struct request nonsense = submit(T_IN, 2, data, 1);
    guest_notify(request_queue());
    CHECK_EQ(link.request_head, 3);
    snapshot();
    driver_take(3);
    driver_complete(r.head, BLK_IOERR);
    driver_complete(unsupported.head, BLK_UNSUPPORTED);
    driver_complete(nonsense.head, 77);           /* no status of 5.2.6: an error */
    uint8_t ioerr = 1, unsupp = 2;
    expect_written(r.status, &ioerr, 1);
    expect_written(unsupported.status, &unsupp, 1);
    expect_written(nonsense.status, &ioerr, 1);
    expect_used(request_queue(), 0, r.head, 1);
    expect_used(request_queue(), 1, unsupported.head, 1);
    expect_used(request_queue(), 2, nonsense.head, 1);
    CHECK(unchanged());
}

/* --- requests answered by the VMM --------------------------------------------- */

/* GET_ID's 20 bytes for a VM named `name` (5.2.6: the ID string, NUL-padded,
 * with no NUL if it is 20 bytes long). */
static void expect_id(const char *name)
{
    blk_up_named(name);
    struct guest_buffer id;
    data_buffers(&id, 1, ID_BYTES, true);
    struct request r = submit(T_GET_ID, 0, &id, 1);
    snapshot();
    guest_notify(request_queue());
    char want[ID_BYTES] = { 0 };
    memcpy(want, name, strlen(name) < ID_BYTES ? strlen(name) : ID_BYTES);
    uint8_t ok = 0;
    expect_written(id.address, want, ID_BYTES);
    expect_written(r.status, &ok, 1);
    expect_used(request_queue(), 0, r.head, ID_BYTES + 1);
    CHECK(unchanged());
    CHECK_EQ(link.request_head, 0);
}

TEST(get_id_answers_the_vm_name_padded)
{
    expect_id("vm1");
}

TEST(get_id_of_a_long_name_fills_all_20_bytes)
{
    expect_id("a-vm-whose-name-is-longer-than-20");
    expect_id("exactly-twenty-chars");
}

TEST(an_unknown_type_is_unsupported)
{
    expect_answered_here(T_DISCARD, 0, 1, 512, false, BLK_UNSUPPORTED);
}

TEST(a_read_past_the_disk_is_an_io_error)
{
    expect_answered_here(T_IN, DISK_SECTORS - 1, 1, 1024, true, BLK_IOERR);
}

TEST(a_read_of_the_last_sectors_goes_to_the_link)
{
    expect_sent(T_IN, DISK_SECTORS - 2, 1, 1024, true);
}

TEST(a_sector_that_wraps_at_2_to_the_64_is_an_io_error)
{
    expect_answered_here(T_IN, UINT64_MAX, 1, 1024, true, BLK_IOERR);
}

TEST(a_sector_above_4_g_is_an_io_error)
{
    /* A 32-bit cut would make it sector 0. */
    expect_answered_here(T_OUT, 1ull << 32, 1, 512, false, BLK_IOERR);
}

TEST(a_buffer_not_whole_sectors_is_an_io_error)
{
    expect_answered_here(T_IN, 0, 1, 513, true, BLK_IOERR);
    expect_answered_here(T_OUT, 0, 2, 256, false, BLK_IOERR);
}

TEST(a_buffer_above_size_max_is_an_io_error)
{
    expect_answered_here(T_IN, 0, 1, BLK_SEGMENT_MAX + BLK_SECTOR_SIZE, true, BLK_IOERR);
}

TEST(a_buffer_of_size_max_goes_to_the_link)
{
    expect_sent(T_IN, 0, 1, BLK_SEGMENT_MAX, true);
}

TEST(a_read_into_a_readable_buffer_is_an_io_error)
{
    expect_answered_here(T_IN, 0, 2, 512, false, BLK_IOERR);
}

TEST(a_flush_with_data_is_an_io_error)
{
    expect_answered_here(T_FLUSH, 0, 1, 512, false, BLK_IOERR);
}

TEST(seg_max_buffers_go_to_the_link)
{
    expect_sent(T_IN, 7, BLK_MAX_SEGMENTS, 512, true);
}

TEST(more_than_seg_max_buffers_is_an_io_error)
{
    /* The guest broke its limit (seg_max) but the chain itself is well
     * formed: the request fails, the device goes on. */
    expect_answered_here(T_IN, 0, BLK_MAX_SEGMENTS + 1, 512, true, BLK_IOERR);
}

TEST(a_chain_past_the_devices_limit_needs_a_reset)
{
    blk_up();
    struct guest_buffer data[VIRTQ_CHAIN_MAX];
    data_buffers(data, VIRTQ_CHAIN_MAX, 512, true);
    submit(T_IN, 0, data, VIRTQ_CHAIN_MAX);      /* + header and status */
    snapshot();
    guest_notify(request_queue());
    check_needs_reset(SLOT, "virtio-blk");
    CHECK(unchanged());
    CHECK_EQ(link.request_head, 0);
}

TEST(a_request_without_its_header_needs_a_reset)
{
    blk_up();
    uint32_t status = guest_alloc(1);
    struct guest_buffer chain[2] = { { guest_alloc(8), 8, false }, { status, 1, true } };
    guest_add(request_queue(), chain, 2);
    snapshot();
    guest_notify(request_queue());
    check_needs_reset(SLOT, "virtio-blk");
    CHECK(unchanged());
    CHECK_EQ(link.request_head, 0);
}

/* --- a driver that answers inside the VMM's signal -------------------------------- */

/* The driver as it runs on one core: inside the VMM's signal it takes what
 * the link holds and completes it at once (the disk answered inside its
 * notify), publishing completions only, as apps/blk does when it finds the
 * VMM collecting. What it saw of the flag is kept. */
static uint32_t collecting_seen, answered_inside;

static void driver_answers_inside_the_signal(void)
{
    collecting_seen = link.vmm_collecting;
    while (link.request_tail != link.request_head) {
        const struct blk_request *r = &link.requests[link.request_tail % BLK_LINK_SLOTS];
        link.completions[link.completion_head % BLK_LINK_SLOTS] =
            (struct blk_completion){ r->id, BLK_OK };
        link.completion_head++;
        link.request_tail++;
        answered_inside++;
    }
}

TEST(a_completion_made_inside_the_signal_is_given_back_in_the_same_notify)
{
    struct guest_buffer data[1];
    blk_up();
    data_buffers(data, 1, BLK_SECTOR_SIZE, true);
    struct request r = submit(T_IN, 3, data, 1);
    while_signalled = driver_answers_inside_the_signal;
    answered_inside = 0;
    snapshot();
    guest_notify(request_queue());
    /* Answered without the driver's own signal back to the VMM. */
    CHECK_EQ(collecting_seen, 1);
    CHECK_EQ(answered_inside, 1);
    CHECK_EQ(link.vmm_collecting, 0);
    CHECK_EQ(link.completion_tail, 1);
    uint8_t ok = BLK_OK;
    expect_written(r.status, &ok, 1);
    expect_used(request_queue(), 0, r.head, BLK_SECTOR_SIZE + 1);
    CHECK(unchanged());
    CHECK(reg_read(SLOT, VIRTIO_MMIO_INTERRUPT_STATUS) & VIRTIO_INTERRUPT_USED);
    CHECK(pending(slot_irq(SLOT)));
    CHECK_EQ(log_count, 0);
}

TEST(what_a_full_link_held_back_goes_out_once_the_signal_freed_it)
{
    /* More chains than the link takes: those answered inside the first
     * signal make room, and the rest go out (and are answered) in the
     * same notify, with one signal per round. */
    struct guest_buffer data[1];
    struct request r[BLK_LINK_SLOTS + 3];
    blk_up();
    data_buffers(data, 1, BLK_SECTOR_SIZE, true);
    for (uint32_t i = 0; i < BLK_LINK_SLOTS + 3; i++)
        r[i] = submit(T_IN, i, data, 1);
    while_signalled = driver_answers_inside_the_signal;
    answered_inside = 0;
    guest_notify(request_queue());
    CHECK_EQ(answered_inside, BLK_LINK_SLOTS + 3);
    CHECK_EQ(signal_count, 2);
    CHECK_EQ(request_queue()->used->index, BLK_LINK_SLOTS + 3);
    for (uint32_t i = 0; i < BLK_LINK_SLOTS + 3; i++)
        CHECKF(status_of(r[i]) == BLK_OK, "request %u", i);
    CHECK_EQ(link.vmm_collecting, 0);
    CHECK_EQ(log_count, 0);
}

/* While the driver answers inside each signal, another vCPU posts a fresh
 * request every time: the notify still ends, after a queue's worth of
 * rounds, and the last round's requests are left to the driver's own
 * signal (no collecting flag), so none of them waits for a notify. */
static struct guest_buffer refill_data[1];
static uint32_t refills;

static void driver_answers_and_the_guest_posts_more(void)
{
    driver_answers_inside_the_signal();
    if (refills++ < 1000)
        submit(T_IN, refills, refill_data, 1);
}

TEST(a_guest_that_keeps_posting_cannot_keep_one_notify_going)
{
    blk_up();
    data_buffers(refill_data, 1, BLK_SECTOR_SIZE, true);
    submit(T_IN, 0, refill_data, 1);
    while_signalled = driver_answers_and_the_guest_posts_more;
    refills = answered_inside = 0;
    guest_notify(request_queue());
    CHECK_EQ(signal_count, VIRTQ_SIZE_MAX / BLK_LINK_SLOTS);
    CHECK_EQ(collecting_seen, 0);                        /* the last signal's */
    CHECK_EQ(link.completion_head - link.completion_tail, 1);  /* left to its signal */
    CHECK_EQ(link.vmm_collecting, 0);
    while_signalled = driver_answers_inside_the_signal;  /* the other vCPU stops */
    virtio_blk_completed(&vm.blk);                       /* the driver's signal */
    CHECK_EQ(link.completion_head, link.completion_tail);
    CHECK_EQ(request_queue()->used->index, link.completion_tail);
    CHECK_EQ(log_count, 0);
}

/* --- the link's limits ----------------------------------------------------------- */

TEST(a_full_link_leaves_chains_in_the_ring_until_completions)
{
    blk_up();
    struct request r[BLK_LINK_SLOTS + 2];
    struct guest_buffer data[1];
    data_buffers(data, 1, 512, true);
    for (uint32_t i = 0; i < BLK_LINK_SLOTS + 2; i++)
        r[i] = submit(T_IN, i, data, 1);
    guest_notify(request_queue());
    guest_notify(request_queue());
    CHECK_EQ(link.request_head, BLK_LINK_SLOTS);
    CHECK_EQ(request_queue()->used->index, 0);
    /* The driver takes one and completes it: one slot free, one more sent
     * into it. */
    driver_take(1);
    driver_complete(r[0].head, BLK_OK);
    CHECK_EQ(link.request_head, BLK_LINK_SLOTS + 1);
    expect_in_link(r[BLK_LINK_SLOTS], BLK_READ, BLK_LINK_SLOTS, data, 1);
    CHECK_EQ(request_queue()->used->index, 1);
    driver_take(BLK_LINK_SLOTS);
    for (uint32_t i = 1; i <= BLK_LINK_SLOTS; i++)
        driver_complete(r[i].head, BLK_OK);
    CHECK_EQ(link.request_head, BLK_LINK_SLOTS + 2);
    expect_in_link(r[BLK_LINK_SLOTS + 1], BLK_READ, BLK_LINK_SLOTS + 1, data, 1);
    driver_take(1);
    driver_complete(r[BLK_LINK_SLOTS + 1].head, BLK_OK);
    struct guest_queue *q = request_queue();
    CHECK_EQ(q->used->index, BLK_LINK_SLOTS + 2);
    for (uint32_t i = 0; i < BLK_LINK_SLOTS + 2; i++) {
        CHECKF(q->used->ring[i].id == r[i].head, "entry %u", i);
        CHECKF(q->used->ring[i].length == 513, "entry %u", i);
        CHECKF(status_of(r[i]) == BLK_OK, "request %u", i);
    }
    CHECK_EQ(log_count, 0);
}

TEST(a_completion_not_in_flight_is_logged_and_ignored)
{
    struct request r = one_read_sent();
    driver_take(1);
    snapshot();
    driver_complete(VIRTQ_SIZE_MAX + 5, BLK_OK);             /* no such chain */
    CHECK_EQ(log_count, 1);
    driver_complete((uint32_t)r.head + 1, BLK_OK);           /* a chain not in flight */
    CHECK_EQ(log_count, 2);
    driver_complete(0xffffffffu, BLK_OK);
    CHECK_EQ(log_count, 3);
    CHECK(unchanged());
    CHECK_EQ(reg_read(SLOT, VIRTIO_MMIO_INTERRUPT_STATUS), 0);
    CHECK_EQ(reg_read(SLOT, VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_NEEDS_RESET, 0);
    /* The real one still completes, once. */
    driver_complete(r.head, BLK_OK);
    CHECK_EQ(status_of(r), BLK_OK);
    CHECK_EQ(request_queue()->used->index, 1);
    snapshot();
    driver_complete(r.head, BLK_OK);
    CHECK_EQ(log_count, 4);
    CHECK(unchanged());
}

TEST(a_completion_index_jump_is_logged_and_ignored)
{
    struct request r = one_read_sent();
    driver_take(1);
    snapshot();
    link.completions[0] = (struct blk_completion){ r.head, BLK_OK };
    link.completion_head = BLK_LINK_SLOTS + 1;
    virtio_blk_completed(&vm.blk);
    CHECK_EQ(log_count, 1);
    CHECK_EQ(link.completion_tail, 0);
    CHECK(unchanged());
    CHECK_EQ(reg_read(SLOT, VIRTIO_MMIO_INTERRUPT_STATUS), 0);
}

/* --- reset ------------------------------------------------------------------------- */

TEST(a_reset_waits_for_requests_in_flight_and_drops_their_completions)
{
    blk_up();
    struct guest_buffer data[2];
    data_buffers(data, 2, 512, true);
    struct request a = submit(T_IN, 0, &data[0], 1);
    struct request b = submit(T_IN, 1, &data[1], 1);
    guest_notify(request_queue());
    CHECK_EQ(link.request_head, 2);
    driver_take(2);
    snapshot();
    reg_write(SLOT, VIRTIO_MMIO_STATUS, 0);
    CHECK(reg_read(SLOT, VIRTIO_MMIO_STATUS) != 0);                 /* 4.2.3.1: wait */
    driver_complete(a.head, BLK_OK);
    CHECK(reg_read(SLOT, VIRTIO_MMIO_STATUS) != 0);
    driver_complete(b.head, BLK_OK);
    CHECK_EQ(reg_read(SLOT, VIRTIO_MMIO_STATUS), 0);
    CHECK(unchanged());
    CHECK_EQ(reg_read(SLOT, VIRTIO_MMIO_INTERRUPT_STATUS), 0);
    CHECK(!pending(slot_irq(SLOT)));
    CHECK_EQ(log_count, 0);
    /* Set up again, it works, with the same heads. */
    memset(ram, 0, GUEST_DATA_OFFSET);
    guest_bring_up(SLOT, 1, QUEUE_SIZE);
    struct request c = submit(T_IN, 2, &data[0], 1);
    CHECK_EQ(c.head, a.head);
    guest_notify(request_queue());
    expect_in_link(c, BLK_READ, 2, &data[0], 1);
    expect_completed_ok(c, 0, 512 + 1);
}

TEST(a_chain_head_still_in_flight_given_again_needs_a_reset)
{
    struct request r = one_read_sent();
    guest_publish(request_queue(), r.head);
    guest_notify(request_queue());
    check_needs_reset(SLOT, "virtio-blk");
    CHECK_EQ(link.request_head, 1);
    CHECK_EQ(status_of(r), STATUS_UNTOUCHED);
}
