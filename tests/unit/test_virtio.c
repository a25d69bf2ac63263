/* The virtio-mmio transport and its split virtqueues (vmm/virtio_mmio.c,
 * vmm/virtq.c), driven through the VMM's abort handler as Linux's
 * virtio_mmio driver drives them, with the console (slot 1) as the device:
 * identification, feature negotiation, queue setup, interrupts, and every
 * way a guest can lie in its rings, each of which must break the device off
 * (DEVICE_NEEDS_RESET) without the VMM touching memory outside guest RAM. */
#define UNIT_SUITE "virtio"
#include "linux_devices.h"

#define SLOT GUEST_VIRTIO_CONSOLE
#define TRANSMIT 1u           /* the console's transmitq (5.3.2) */
#define SMALL 8u              /* the queue size of most tests */

static struct guest_queue *transmit_queue(void)
{
    return &queues[SLOT][TRANSMIT];
}

/* A VM whose console is up, both queues of `size` entries. */
static void console_up(uint32_t size)
{
    linux_vm_reset("vm1");
    guest_bring_up(SLOT, 2, size);
}

/* A readable buffer of `length` bytes of `fill` in RAM. */
static uint32_t text_buffer(uint32_t length, char fill)
{
    uint32_t address = guest_alloc(length);
    memset(guest_pointer(address), fill, length);
    return address;
}

/* --- identification and negotiation ------------------------------------------ */

TEST(identifies_as_virtio_mmio_version_2)
{
    linux_vm_reset("vm1");
    CHECK_EQ(reg_read(SLOT, VIRTIO_MMIO_MAGIC_VALUE), 0x74726976u);   /* "virt" */
    CHECK_EQ(reg_read(SLOT, VIRTIO_MMIO_VERSION), 2);
    CHECK_EQ(reg_read(SLOT, VIRTIO_MMIO_DEVICE_ID), 3);                /* console (5) */
    CHECK_EQ(reg_read(SLOT, VIRTIO_MMIO_STATUS), 0);
    CHECK_EQ(reg_read(SLOT, VIRTIO_MMIO_INTERRUPT_STATUS), 0);
    CHECK_EQ(log_count, 0);
}

TEST(offers_version_1_and_only_what_it_offered_sticks)
{
    linux_vm_reset("vm1");
    reg_write(SLOT, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 1);
    uint32_t high = reg_read(SLOT, VIRTIO_MMIO_DEVICE_FEATURES);
    reg_write(SLOT, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 0);
    uint32_t low = reg_read(SLOT, VIRTIO_MMIO_DEVICE_FEATURES);
    CHECK(high & FEATURE_VERSION_1_HIGH);
    reg_write(SLOT, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 2);               /* past the 64 bits */
    CHECK_EQ(reg_read(SLOT, VIRTIO_MMIO_DEVICE_FEATURES), 0);
    /* A driver that claims every feature gets what was offered. */
    reg_write(SLOT, VIRTIO_MMIO_STATUS, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
    reg_write(SLOT, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
    reg_write(SLOT, VIRTIO_MMIO_DRIVER_FEATURES, 0xffffffffu);
    reg_write(SLOT, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0);
    reg_write(SLOT, VIRTIO_MMIO_DRIVER_FEATURES, 0xffffffffu);
    uint64_t offered = ((uint64_t)high << 32) | low;
    CHECK_EQ(vm.virtio_console.device.driver_features, offered);
    /* Once FEATURES_OK stuck, they are fixed (3.1.1). */
    reg_write(SLOT, VIRTIO_MMIO_STATUS, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER | VIRTIO_STATUS_FEATURES_OK);
    CHECK(reg_read(SLOT, VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_FEATURES_OK);
    reg_write(SLOT, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
    reg_write(SLOT, VIRTIO_MMIO_DRIVER_FEATURES, 0);
    CHECK_EQ(vm.virtio_console.device.driver_features, offered);
}

TEST(features_ok_without_version_1_does_not_stick)
{
    linux_vm_reset("vm1");
    CHECK(!guest_negotiate(SLOT, ~0u, ~FEATURE_VERSION_1_HIGH));
    CHECK_EQ(reg_read(SLOT, VIRTIO_MMIO_STATUS), VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
    CHECK(guest_negotiate(SLOT, ~0u, FEATURE_VERSION_1_HIGH));
}

TEST(queue_num_max_for_each_queue_and_zero_past_them)
{
    linux_vm_reset("vm1");
    for (uint32_t q = 0; q < 2; q++) {
        reg_write(SLOT, VIRTIO_MMIO_QUEUE_SEL, q);
        CHECK_EQ(reg_read(SLOT, VIRTIO_MMIO_QUEUE_NUM_MAX), VIRTQ_SIZE_MAX);
        CHECK_EQ(reg_read(SLOT, VIRTIO_MMIO_QUEUE_READY), 0);
    }
    reg_write(SLOT, VIRTIO_MMIO_QUEUE_SEL, 2);                         /* the console has two */
    CHECK_EQ(reg_read(SLOT, VIRTIO_MMIO_QUEUE_NUM_MAX), 0);
    reg_write(SLOT, VIRTIO_MMIO_QUEUE_READY, 1);
    CHECK_EQ(reg_read(SLOT, VIRTIO_MMIO_QUEUE_READY), 0);
    CHECK_EQ(log_count, 0);
}

/* --- a working queue ---------------------------------------------------------- */

/* The interrupt is an edge: it fires when InterruptStatus gains a bit
 * while it had none, so once per acknowledgement, however many chains
 * were used meanwhile. */
TEST(a_transmitted_chain_is_used_and_interrupts_once_per_acknowledgement)
{
    console_up(SMALL);
    struct guest_queue *q = transmit_queue();
    struct guest_buffer text = { text_buffer(5, 'x'), 5, false };
    uint32_t irq = slot_irq(SLOT);
    CHECK(!pending(irq));
    uint16_t head = guest_add(q, &text, 1);
    guest_notify(q);
    CHECK_EQ(console_out_length, 5);
    CHECK_EQ(q->used->index, 1);
    CHECK_EQ(q->used->ring[0].id, head);
    CHECK_EQ(reg_read(SLOT, VIRTIO_MMIO_INTERRUPT_STATUS), VIRTIO_INTERRUPT_USED);
    CHECK(pending(irq));
    clear_pending(irq);                         /* the guest takes it */
    guest_add(q, &text, 1);                     /* used before the acknowledgement */
    guest_notify(q);
    CHECK_EQ(q->used->index, 2);
    CHECK(!pending(irq));
    reg_write(SLOT, VIRTIO_MMIO_INTERRUPT_ACK, VIRTIO_INTERRUPT_USED);
    CHECK_EQ(reg_read(SLOT, VIRTIO_MMIO_INTERRUPT_STATUS), 0);
    CHECK(!pending(irq));
    guest_add(q, &text, 1);                     /* after it: fires anew */
    guest_notify(q);
    CHECK(pending(irq));
    CHECK_EQ(log_count, 0);
}

TEST(a_ready_queue_keeps_its_setup)
{
    console_up(SMALL);
    struct guest_queue *q = transmit_queue();
    reg_write(SLOT, VIRTIO_MMIO_QUEUE_SEL, TRANSMIT);
    reg_write(SLOT, VIRTIO_MMIO_QUEUE_NUM, 3);                         /* ignored while ready */
    reg_write(SLOT, VIRTIO_MMIO_QUEUE_DESC_LOW, 0);
    struct guest_buffer text = { text_buffer(2, 'y'), 2, false };
    guest_add(q, &text, 1);
    guest_notify(q);
    CHECK_EQ(console_out_length, 2);
    CHECK_EQ(q->used->index, 1);
    CHECK_EQ(log_count, 0);
}

TEST(a_notify_storm_with_nothing_available_does_nothing)
{
    console_up(SMALL);
    snapshot();
    for (int i = 0; i < 1000; i++) {
        guest_notify(transmit_queue());
        reg_write(SLOT, VIRTIO_MMIO_QUEUE_NOTIFY, 0);
        reg_write(SLOT, VIRTIO_MMIO_QUEUE_NOTIFY, 7);                  /* no such queue */
    }
    CHECK(unchanged());
    CHECK_EQ(console_out_length, 0);
    CHECK_EQ(reg_read(SLOT, VIRTIO_MMIO_INTERRUPT_STATUS), 0);
    CHECK_EQ(reg_read(SLOT, VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_NEEDS_RESET, 0);
    CHECK_EQ(log_count, 0);
}

TEST(nothing_is_taken_before_driver_ok)
{
    linux_vm_reset("vm1");
    CHECK(guest_negotiate(SLOT, ~0u, ~0u));
    CHECK_EQ(guest_queue_setup(SLOT, TRANSMIT, SMALL), 1);
    struct guest_buffer text = { text_buffer(4, 'z'), 4, false };
    guest_add(transmit_queue(), &text, 1);
    guest_notify(transmit_queue());
    CHECK_EQ(console_out_length, 0);
    CHECK_EQ(transmit_queue()->used->index, 0);
}

/* --- register widths ----------------------------------------------------------- */

TEST(registers_take_only_aligned_words)
{
    linux_vm_reset("vm1");
    uint32_t value = 0;
    for (uint32_t offset = 0; offset < VIRTIO_MMIO_CONFIG; offset += 4) {
        CHECKF(guest_access(slot_address(SLOT, offset), 2, false, &value) == VMM_ABORT,
               "half read at 0x%x", offset);
        CHECKF(guest_access(slot_address(SLOT, offset + 1), 1, false, &value) == VMM_ABORT,
               "byte read at 0x%x", offset + 1);
        CHECKF(guest_access(slot_address(SLOT, offset + 2), 4, false, &value) == VMM_ABORT,
               "unaligned word read at 0x%x", offset + 2);
    }
    /* A byte write of ACKNOWLEDGE to Status is refused and changes nothing. */
    value = VIRTIO_STATUS_ACKNOWLEDGE;
    CHECK_EQ(guest_access(slot_address(SLOT, VIRTIO_MMIO_STATUS), 1, true, &value), VMM_ABORT);
    value = VIRTIO_STATUS_ACKNOWLEDGE;
    CHECK_EQ(guest_access(slot_address(SLOT, VIRTIO_MMIO_STATUS), 2, true, &value), VMM_ABORT);
    CHECK_EQ(reg_read(SLOT, VIRTIO_MMIO_STATUS), 0);
    CHECK_EQ(vm.exits[EXIT_MMIO_VIRTIO] > 0, 1);
}

TEST(an_empty_slot_is_a_stray)
{
    linux_vm_reset("vm1");   /* no disk: nothing at the blk slot */
    uint32_t value = 0;
    CHECK_EQ(guest_access(slot_address(GUEST_VIRTIO_BLK, VIRTIO_MMIO_MAGIC_VALUE), 4, false, &value),
             VMM_ABORT);
    CHECK_EQ(guest_access(slot_address(GUEST_VIRTIO_SLOTS, VIRTIO_MMIO_MAGIC_VALUE), 4, false,
                          &value), VMM_ABORT);
}

/* --- reset ------------------------------------------------------------------------ */

TEST(status_zero_resets_the_device_and_it_works_again)
{
    console_up(SMALL);
    struct guest_queue *q = transmit_queue();
    guest_desc_set(q, 0, ram_base() + RAM_SIZE, 1, 0, 0);      /* just past RAM */
    guest_publish(q, 0);
    guest_notify(q);
    check_needs_reset(SLOT, "virtio-console");
    clear_pending(slot_irq(SLOT));              /* the guest took the interrupt */
    reg_write(SLOT, VIRTIO_MMIO_STATUS, 0);
    CHECK_EQ(reg_read(SLOT, VIRTIO_MMIO_STATUS), 0);
    CHECK_EQ(reg_read(SLOT, VIRTIO_MMIO_INTERRUPT_STATUS), 0);
    CHECK(!pending(slot_irq(SLOT)));
    for (uint32_t number = 0; number < 2; number++) {
        reg_write(SLOT, VIRTIO_MMIO_QUEUE_SEL, number);
        CHECK_EQ(reg_read(SLOT, VIRTIO_MMIO_QUEUE_READY), 0);
    }
    memset(ram, 0, GUEST_DATA_OFFSET);                        /* fresh rings */
    guest_bring_up(SLOT, 2, SMALL);
    struct guest_buffer text = { text_buffer(3, 'a'), 3, false };
    guest_add(q, &text, 1);
    guest_notify(q);
    CHECK_EQ(console_out_length, 3);
    CHECK_EQ(q->used->index, 1);
    CHECK_EQ(reg_read(SLOT, VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_NEEDS_RESET, 0);
    CHECK_EQ(log_count, 1);
}

/* --- a lying guest's chains --------------------------------------------------------- */

/* The transmit queue (size `size`) set up and `lay_out` run to write its
 * descriptors and avail ring; then the notify must break the device off
 * with nothing output, nothing in RAM or around it changed, and one line
 * however often the guest notifies again. */
static void expect_broken_chain(uint32_t size, void (*lay_out)(struct guest_queue *q))
{
    console_up(size);
    lay_out(transmit_queue());
    snapshot();
    for (int i = 0; i < 5; i++)
        guest_notify(transmit_queue());
    check_needs_reset(SLOT, "virtio-console");
    CHECK_EQ(console_out_length, 0);
    CHECK(unchanged());
    CHECK(!virtio_running(&vm.virtio_console.device));
}

static void outside_ram_below(struct guest_queue *q)
{
    guest_desc_set(q, 0, ram_base() - 16, 16, 0, 0);          /* in the canary */
    guest_publish(q, 0);
}

static void outside_ram_across_the_end(struct guest_queue *q)
{
    guest_desc_set(q, 0, ram_base() + RAM_SIZE - 8, 16, 0, 0);
    guest_publish(q, 0);
}

static void outside_ram_above_4_gib(struct guest_queue *q)
{
    guest_desc_set(q, 0, (1ull << 32) + ram_base(), 16, 0, 0);   /* wraps to RAM in 32 bits */
    guest_publish(q, 0);
}

static void wraps_past_4_gib(struct guest_queue *q)
{
    guest_desc_set(q, 0, 0xfffffff0u, 0x20u, 0, 0);   /* ends at 0x10: below RAM, mod 2^32 */
    guest_publish(q, 0);
}

static void length_zero(struct guest_queue *q)
{
    guest_desc_set(q, 0, text_buffer(1, 'a'), 0, 0, 0);
    guest_publish(q, 0);
}

static void loops(struct guest_queue *q)
{
    uint32_t text = text_buffer(1, 'a');
    guest_desc_set(q, 0, text, 1, VIRTQ_DESC_F_NEXT, 1);
    guest_desc_set(q, 1, text, 1, VIRTQ_DESC_F_NEXT, 2);
    guest_desc_set(q, 2, text, 1, VIRTQ_DESC_F_NEXT, 0);
    guest_publish(q, 0);
}

static void loops_on_itself(struct guest_queue *q)
{
    guest_desc_set(q, 3, text_buffer(1, 'a'), 1, VIRTQ_DESC_F_NEXT, 3);
    guest_publish(q, 3);
}

static void next_past_the_table(struct guest_queue *q)
{
    uint32_t text = text_buffer(1, 'a');
    guest_desc_set(q, 0, text, 1, VIRTQ_DESC_F_NEXT, (uint16_t)q->size);
    guest_publish(q, 0);
}

static void index_jump(struct guest_queue *q)
{
    uint32_t text = text_buffer(1, 'a');
    for (uint16_t i = 0; i < q->size; i++) {
        guest_desc_set(q, i, text, 1, 0, 0);
        q->avail->ring[i] = i;
    }
    q->avail->index = (uint16_t)(q->size + 1);
}

static void index_jump_backwards(struct guest_queue *q)
{
    guest_desc_set(q, 0, text_buffer(1, 'a'), 1, 0, 0);
    q->avail->index = 0xffffu;                                 /* 65535 ahead of 0 */
}

static void head_past_the_table(struct guest_queue *q)
{
    guest_desc_set(q, 0, text_buffer(1, 'a'), 1, 0, 0);
    guest_publish(q, (uint16_t)q->size);
}

static void indirect(struct guest_queue *q)
{
    /* A well-formed indirect table: refused because the feature was not offered. */
    struct virtq_desc *table = guest_pointer(guest_alloc(16));
    *table = (struct virtq_desc){ text_buffer(1, 'a'), 1, 0, 0 };
    guest_desc_set(q, 0, guest_address(table), 16, VIRTQ_DESC_F_INDIRECT, 0);
    guest_publish(q, 0);
}

static void readable_after_writable(struct guest_queue *q)
{
    guest_desc_set(q, 0, guest_alloc(4), 4, VIRTQ_DESC_F_WRITE | VIRTQ_DESC_F_NEXT, 1);
    guest_desc_set(q, 1, text_buffer(1, 'a'), 1, 0, 0);
    guest_publish(q, 0);
}

/* VIRTQ_CHAIN_MAX + 1 one-byte buffers chained. */
static void too_long(struct guest_queue *q)
{
    uint32_t text = text_buffer(1, 'a');
    for (uint16_t i = 0; i <= VIRTQ_CHAIN_MAX; i++)
        guest_desc_set(q, i, text, 1, i < VIRTQ_CHAIN_MAX ? VIRTQ_DESC_F_NEXT : 0, (uint16_t)(i + 1));
    guest_publish(q, 0);
}

TEST(a_buffer_below_ram)           { expect_broken_chain(SMALL, outside_ram_below); }
TEST(a_buffer_across_ram_end)      { expect_broken_chain(SMALL, outside_ram_across_the_end); }
TEST(a_buffer_above_4_gib)         { expect_broken_chain(SMALL, outside_ram_above_4_gib); }
TEST(a_buffer_that_wraps_past_4_gib) { expect_broken_chain(SMALL, wraps_past_4_gib); }
TEST(a_buffer_of_length_zero)      { expect_broken_chain(SMALL, length_zero); }
TEST(a_chain_that_loops)           { expect_broken_chain(SMALL, loops); }
TEST(a_descriptor_that_is_its_own_next) { expect_broken_chain(SMALL, loops_on_itself); }
TEST(a_next_past_the_table)        { expect_broken_chain(SMALL, next_past_the_table); }
TEST(an_avail_index_jump)          { expect_broken_chain(SMALL, index_jump); }
TEST(an_avail_index_that_went_back) { expect_broken_chain(SMALL, index_jump_backwards); }
TEST(a_head_past_the_table)        { expect_broken_chain(SMALL, head_past_the_table); }
TEST(an_indirect_descriptor)       { expect_broken_chain(SMALL, indirect); }
TEST(a_readable_buffer_after_a_writable_one)
{
    expect_broken_chain(SMALL, readable_after_writable);
}
TEST(a_chain_longer_than_the_device_takes) { expect_broken_chain(VIRTQ_SIZE_MAX, too_long); }

TEST(a_chain_of_the_longest_length_is_taken)
{
    console_up(VIRTQ_SIZE_MAX);
    struct guest_queue *q = transmit_queue();
    uint32_t text = text_buffer(VIRTQ_CHAIN_MAX, 'a');
    for (uint16_t i = 0; i < VIRTQ_CHAIN_MAX; i++)
        guest_desc_set(q, i, text + i, 1, i + 1u < VIRTQ_CHAIN_MAX ? VIRTQ_DESC_F_NEXT : 0,
                       (uint16_t)(i + 1));
    guest_publish(q, 0);
    guest_notify(q);
    CHECK_EQ(console_out_length, VIRTQ_CHAIN_MAX);
    CHECK_EQ(q->used->index, 1);
    CHECK_EQ(log_count, 0);
}

TEST(a_full_queue_of_chains_is_taken)
{
    /* Exactly `size` chains waiting is not an index jump. */
    console_up(SMALL);
    struct guest_queue *q = transmit_queue();
    for (uint32_t i = 0; i < SMALL; i++) {
        struct guest_buffer text = { text_buffer(1, (char)('a' + i)), 1, false };
        guest_add(q, &text, 1);
    }
    guest_notify(q);
    CHECK_EQ(console_out_length, SMALL);
    CHECK(memcmp(console_out, "abcdefgh", SMALL) == 0);
    CHECK_EQ(q->used->index, SMALL);
    CHECK_EQ(log_count, 0);
}

/* --- a lying guest's queue setup ------------------------------------------------------ */

/* The transmit queue given `size` and areas at the given addresses: QueueReady
 * must not stick and the device must break off, nothing in RAM changed. */
static void expect_refused_queue(uint32_t size, uint64_t desc, uint64_t avail, uint64_t used)
{
    linux_vm_reset("vm1");
    CHECK(guest_negotiate(SLOT, ~0u, ~0u));
    snapshot();
    reg_write(SLOT, VIRTIO_MMIO_QUEUE_SEL, TRANSMIT);
    reg_write(SLOT, VIRTIO_MMIO_QUEUE_NUM, size);
    reg_write(SLOT, VIRTIO_MMIO_QUEUE_DESC_LOW, (uint32_t)desc);
    reg_write(SLOT, VIRTIO_MMIO_QUEUE_DESC_HIGH, (uint32_t)(desc >> 32));
    reg_write(SLOT, VIRTIO_MMIO_QUEUE_DRIVER_LOW, (uint32_t)avail);
    reg_write(SLOT, VIRTIO_MMIO_QUEUE_DRIVER_HIGH, (uint32_t)(avail >> 32));
    reg_write(SLOT, VIRTIO_MMIO_QUEUE_DEVICE_LOW, (uint32_t)used);
    reg_write(SLOT, VIRTIO_MMIO_QUEUE_DEVICE_HIGH, (uint32_t)(used >> 32));
    reg_write(SLOT, VIRTIO_MMIO_QUEUE_READY, 1);
    CHECK_EQ(reg_read(SLOT, VIRTIO_MMIO_QUEUE_READY), 0);
    check_needs_reset(SLOT, "virtio-console");
    CHECK(unchanged());
}

/* Good areas for a queue of up to VIRTQ_SIZE_MAX entries (2.7: 16, 2, 4
 * aligned; 16n, 6 + 2n, 6 + 8n bytes). */
#define GOOD_DESC  (ram_base() + 0x0000u)
#define GOOD_AVAIL (ram_base() + 0x0800u)
#define GOOD_USED  (ram_base() + 0x0c00u)

TEST(a_queue_size_not_a_power_of_two) { expect_refused_queue(6, GOOD_DESC, GOOD_AVAIL, GOOD_USED); }
TEST(a_queue_size_of_zero) { expect_refused_queue(0, GOOD_DESC, GOOD_AVAIL, GOOD_USED); }
TEST(a_queue_size_above_queue_num_max)
{
    expect_refused_queue(2 * VIRTQ_SIZE_MAX, GOOD_DESC, GOOD_AVAIL, GOOD_USED);
}
TEST(a_misaligned_descriptor_table)
{
    expect_refused_queue(SMALL, GOOD_DESC + 8, GOOD_AVAIL, GOOD_USED);
}
TEST(a_misaligned_avail_ring) { expect_refused_queue(SMALL, GOOD_DESC, GOOD_AVAIL + 1, GOOD_USED); }
TEST(a_misaligned_used_ring) { expect_refused_queue(SMALL, GOOD_DESC, GOOD_AVAIL, GOOD_USED + 2); }
TEST(a_descriptor_table_outside_ram)
{
    expect_refused_queue(SMALL, ram_base() - 0x100u, GOOD_AVAIL, GOOD_USED);
}
TEST(a_descriptor_table_above_4_gib)
{
    expect_refused_queue(SMALL, (1ull << 32) | GOOD_DESC, GOOD_AVAIL, GOOD_USED);
}
TEST(an_avail_ring_across_ram_end)
{
    /* 6 + 2 * 8 bytes needed, 16 left. */
    expect_refused_queue(SMALL, GOOD_DESC, ram_base() + RAM_SIZE - 16, GOOD_USED);
}
TEST(a_used_ring_across_ram_end)
{
    /* 6 + 8 * 8 bytes needed, 64 left. */
    expect_refused_queue(SMALL, GOOD_DESC, GOOD_AVAIL, ram_base() + RAM_SIZE - 64);
}

TEST(queue_areas_that_just_fit_are_taken)
{
    linux_vm_reset("vm1");
    CHECK(guest_negotiate(SLOT, ~0u, ~0u));
    reg_write(SLOT, VIRTIO_MMIO_QUEUE_SEL, TRANSMIT);
    reg_write(SLOT, VIRTIO_MMIO_QUEUE_NUM, SMALL);
    reg_write(SLOT, VIRTIO_MMIO_QUEUE_DESC_LOW, ram_base() + RAM_SIZE - 16 * SMALL);
    reg_write(SLOT, VIRTIO_MMIO_QUEUE_DRIVER_LOW, ram_base() + RAM_SIZE - 16 * SMALL - (6 + 2 * SMALL));
    reg_write(SLOT, VIRTIO_MMIO_QUEUE_DEVICE_LOW, GOOD_USED);
    reg_write(SLOT, VIRTIO_MMIO_QUEUE_READY, 1);
    CHECK_EQ(reg_read(SLOT, VIRTIO_MMIO_QUEUE_READY), 1);
    CHECK_EQ(reg_read(SLOT, VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_NEEDS_RESET, 0);
    CHECK_EQ(log_count, 0);
}
