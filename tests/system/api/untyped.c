/* Untyped.Retype: every object type, every error, watermark placement and
 * reuse, zeroed memory, device untyped restrictions. */
#include "process.h"
#include "test.h"

/* Retype one object from `untyped` into a new root slot. */
static uint32_t retype_one(uint32_t untyped, uint32_t type, uint32_t size_bits)
{
    uint32_t slot = test_slot();
    CHECK_OK(opal_untyped_retype(untyped, type, size_bits, ROOT_CNODE, slot, 1));
    return slot;
}

static uint32_t frame_physical(uint32_t frame)
{
    uint32_t physical = 0;
    CHECK_OK(opal_frame_address(frame, &physical));
    return physical;
}

TEST(untyped, retype_endpoint)
{
    uint32_t endpoint = retype_one(test_untyped(12), OPAL_OBJECT_ENDPOINT, 0);
    struct opal_message message;
    CHECK_EQ(opal_nbrecv(endpoint, 0, &message), OPAL_ERR_WOULD_BLOCK);
}

TEST(untyped, retype_notification)
{
    uint32_t notification = retype_one(test_untyped(12), OPAL_OBJECT_NOTIFICATION, 0);
    uint32_t word = 0;
    CHECK_EQ(opal_poll(notification, &word), OPAL_ERR_WOULD_BLOCK);
    CHECK_OK(opal_signal(test_mint(notification, OPAL_RIGHTS_ALL, 0x30)));
    CHECK_OK(opal_poll(notification, &word));
    CHECK_EQ(word, 0x30);
}

TEST(untyped, retype_cnode_has_its_size)
{
    uint32_t cnode = retype_one(test_untyped(12), OPAL_OBJECT_CNODE, 2);
    CHECK_OK(opal_cnode_copy(cnode, 3, OPAL_CAP_INIT_TCB, OPAL_RIGHTS_ALL));
    CHECK_EQ(opal_cnode_copy(cnode, 4, OPAL_CAP_INIT_TCB, OPAL_RIGHTS_ALL), OPAL_ERR_RANGE);
}

TEST(untyped, retype_tcb_starts_zeroed)
{
    uint32_t tcb = retype_one(test_untyped(12), OPAL_OBJECT_TCB, 0);
    struct opal_registers registers;
    CHECK_OK(opal_tcb_read_registers(tcb, &registers));
    CHECK_EQ(registers.pc, 0);
    CHECK_EQ(registers.sp, 0);
    for (unsigned i = 0; i < 13; i++)
        CHECK_EQ(registers.r[i], 0);
}

TEST(untyped, retype_reply_cannot_be_copied)
{
    uint32_t reply = retype_one(test_untyped(12), OPAL_OBJECT_REPLY, 0);
    CHECK_EQ(opal_cnode_copy(ROOT_CNODE, test_slot(), reply, OPAL_RIGHTS_ALL),
             OPAL_ERR_ILLEGAL_OPERATION);
}

TEST(untyped, retype_sched_context)
{
    uint32_t context = retype_one(test_untyped(12), OPAL_OBJECT_SCHED_CONTEXT, 0);
    CHECK_OK(opal_sched_control_configure(OPAL_CAP_SCHED_CONTROL, context, 1000, 2000));
}

TEST(untyped, retype_vspace_and_page_table)
{
    uint32_t untyped = test_untyped(14);
    uint32_t vspace = retype_one(untyped, OPAL_OBJECT_VSPACE, 0);
    uint32_t table = retype_one(untyped, OPAL_OBJECT_PAGE_TABLE, 0);
    CHECK_OK(opal_page_table_map(table, vspace, 0x10000000));
}

TEST(untyped, retype_small_frame_at_untyped_start)
{
    uint32_t untyped = test_untyped(13);
    uint32_t first = retype_one(untyped, OPAL_OBJECT_FRAME, OPAL_FRAME_SMALL_BITS);
    uint32_t second = retype_one(untyped, OPAL_OBJECT_FRAME, OPAL_FRAME_SMALL_BITS);
    CHECK_EQ(frame_physical(first) % 0x2000, 0);
    CHECK_EQ(frame_physical(second), frame_physical(first) + 0x1000);
}

TEST(untyped, retype_large_frame_aligned)
{
    uint32_t frame = retype_one(test_untyped(22), OPAL_OBJECT_FRAME, OPAL_FRAME_LARGE_BITS);
    CHECK_EQ(frame_physical(frame) % 0x200000, 0);
}

TEST(untyped, retype_child_untyped_holds_its_size)
{
    uint32_t child = retype_one(test_untyped(12), OPAL_OBJECT_UNTYPED, 8);
    uint32_t cnode = test_cnode(5);
    CHECK_OK(opal_untyped_retype(child, OPAL_OBJECT_ENDPOINT, 0, cnode, 0, 16));
    CHECK_EQ(opal_untyped_retype(child, OPAL_OBJECT_ENDPOINT, 0, cnode, 16, 1),
             OPAL_ERR_NOT_ENOUGH_MEMORY);
}

TEST(untyped, retype_count_fills_consecutive_slots)
{
    uint32_t cnode = test_cnode(3);
    CHECK_OK(opal_untyped_retype(test_untyped(12), OPAL_OBJECT_ENDPOINT, 0, cnode, 2, 5));
    for (uint32_t index = 0; index < 8; index++)
        CHECK_EQ(test_cnode_slot_used(cnode, index), index >= 2 && index < 7);
}

TEST(untyped, retype_count_256)
{
    uint32_t cnode = test_cnode(8);
    CHECK_OK(opal_untyped_retype(test_untyped(12), OPAL_OBJECT_ENDPOINT, 0, cnode, 0, 256));
    CHECK(test_cnode_slot_used(cnode, 0));
    CHECK(test_cnode_slot_used(cnode, 255));
}

TEST(untyped, retype_count_zero_is_range)
{
    uint32_t cnode = test_cnode(3);
    CHECK_EQ(opal_untyped_retype(test_untyped(12), OPAL_OBJECT_ENDPOINT, 0, cnode, 0, 0),
             OPAL_ERR_RANGE);
}

TEST(untyped, retype_count_257_is_range)
{
    uint32_t cnode = test_cnode(9);
    CHECK_EQ(opal_untyped_retype(test_untyped(13), OPAL_OBJECT_ENDPOINT, 0, cnode, 0, 257),
             OPAL_ERR_RANGE);
    CHECK(!test_cnode_slot_used(cnode, 0));
}

/* A label the object does not have is ILLEGAL_OPERATION (the errors table),
 * whatever object it names; only an empty slot is INVALID_CAPABILITY. */
TEST(untyped, retype_on_non_untyped_is_illegal_operation)
{
    uint32_t cnode = test_cnode(2);
    CHECK_EQ(opal_untyped_retype(cnode, OPAL_OBJECT_ENDPOINT, 0, cnode, 0, 1),
             OPAL_ERR_ILLEGAL_OPERATION);
    CHECK(!test_cnode_slot_used(cnode, 0));
}

TEST(untyped, retype_on_empty_slot_is_invalid_capability)
{
    CHECK_EQ(opal_untyped_retype(test_slot(), OPAL_OBJECT_ENDPOINT, 0, ROOT_CNODE, test_slot(), 1),
             OPAL_ERR_INVALID_CAPABILITY);
}

TEST(untyped, retype_unknown_types_are_invalid_argument)
{
    uint32_t untyped = test_untyped(12);
    static const uint32_t unknown[] = { OPAL_OBJECT_NULL, OPAL_OBJECT_TYPE_COUNT,
                                        OPAL_OBJECT_IRQ_CONTROL, OPAL_OBJECT_IRQ_HANDLER,
                                        OPAL_OBJECT_SCHED_CONTROL, 0xffffffffu };
    for (unsigned i = 0; i < sizeof unknown / sizeof unknown[0]; i++)
        CHECK_EQ(opal_untyped_retype(untyped, unknown[i], 12, ROOT_CNODE, test_slot(), 1),
                 OPAL_ERR_INVALID_ARGUMENT);
}

TEST(untyped, retype_untyped_size_bits_range)
{
    uint32_t untyped = test_untyped(12);
    CHECK_EQ(opal_untyped_retype(untyped, OPAL_OBJECT_UNTYPED, OPAL_UNTYPED_MIN_BITS - 1,
                                 ROOT_CNODE, test_slot(), 1), OPAL_ERR_RANGE);
    CHECK_EQ(opal_untyped_retype(untyped, OPAL_OBJECT_UNTYPED, OPAL_UNTYPED_MAX_BITS + 1,
                                 ROOT_CNODE, test_slot(), 1), OPAL_ERR_RANGE);
    CHECK_OK(opal_untyped_retype(untyped, OPAL_OBJECT_UNTYPED, OPAL_UNTYPED_MIN_BITS, ROOT_CNODE,
                                 test_slot(), 1));
}

TEST(untyped, retype_cnode_size_bits_range)
{
    uint32_t untyped = test_untyped(12);
    CHECK_EQ(opal_untyped_retype(untyped, OPAL_OBJECT_CNODE, OPAL_CNODE_MIN_BITS - 1, ROOT_CNODE,
                                 test_slot(), 1), OPAL_ERR_RANGE);
    CHECK_EQ(opal_untyped_retype(untyped, OPAL_OBJECT_CNODE, OPAL_CNODE_MAX_BITS + 1, ROOT_CNODE,
                                 test_slot(), 1), OPAL_ERR_RANGE);
    CHECK_OK(opal_untyped_retype(untyped, OPAL_OBJECT_CNODE, OPAL_CNODE_MIN_BITS, ROOT_CNODE,
                                 test_slot(), 1));
}

TEST(untyped, retype_frame_size_bits_range)
{
    uint32_t untyped = test_untyped(12);
    static const uint32_t bad[] = { 0, 11, 13, 20, 22, 32 };
    for (unsigned i = 0; i < sizeof bad / sizeof bad[0]; i++)
        CHECK_EQ(opal_untyped_retype(untyped, OPAL_OBJECT_FRAME, bad[i], ROOT_CNODE, test_slot(),
                                     1), OPAL_ERR_RANGE);
}

TEST(untyped, retype_fixed_size_types_ignore_size_bits)
{
    CHECK_OK(opal_untyped_retype(test_untyped(12), OPAL_OBJECT_ENDPOINT, 31, ROOT_CNODE,
                                 test_slot(), 1));
}

TEST(untyped, retype_dest_lookup_fails)
{
    CHECK_EQ(opal_untyped_retype(test_untyped(12), OPAL_OBJECT_ENDPOINT, 0,
                                 0x00100000u | ROOT_CNODE, 0, 1), OPAL_ERR_FAILED_LOOKUP);
}

TEST(untyped, retype_dest_not_a_cnode)
{
    uint32_t untyped = test_untyped(12);
    CHECK_EQ(opal_untyped_retype(untyped, OPAL_OBJECT_ENDPOINT, 0, test_endpoint(), 0, 1),
             OPAL_ERR_INVALID_CAPABILITY);
    CHECK_EQ(opal_untyped_retype(untyped, OPAL_OBJECT_ENDPOINT, 0, test_slot(), 0, 1),
             OPAL_ERR_INVALID_CAPABILITY);
}

TEST(untyped, retype_dest_slots_outside_cnode)
{
    uint32_t untyped = test_untyped(12), cnode = test_cnode(2);
    CHECK_EQ(opal_untyped_retype(untyped, OPAL_OBJECT_ENDPOINT, 0, cnode, 4, 1), OPAL_ERR_RANGE);
    CHECK_EQ(opal_untyped_retype(untyped, OPAL_OBJECT_ENDPOINT, 0, cnode, 2, 3), OPAL_ERR_RANGE);
    CHECK_EQ(opal_untyped_retype(untyped, OPAL_OBJECT_ENDPOINT, 0, cnode, 0xffffffffu, 2),
             OPAL_ERR_RANGE);
    CHECK(!test_cnode_slot_used(cnode, 2));
    CHECK(!test_cnode_slot_used(cnode, 3));
}

TEST(untyped, retype_into_occupied_slot)
{
    uint32_t untyped = test_untyped(12);
    CHECK_EQ(opal_untyped_retype(untyped, OPAL_OBJECT_ENDPOINT, 0, ROOT_CNODE, OPAL_CAP_INIT_TCB,
                                 1), OPAL_ERR_DELETE_FIRST);
}

TEST(untyped, retype_range_with_one_occupied_slot_creates_nothing)
{
    uint32_t untyped = test_untyped(12), cnode = test_cnode(2);
    CHECK_OK(opal_cnode_copy(cnode, 1, OPAL_CAP_INIT_TCB, OPAL_RIGHTS_ALL));
    CHECK_EQ(opal_untyped_retype(untyped, OPAL_OBJECT_ENDPOINT, 0, cnode, 0, 3),
             OPAL_ERR_DELETE_FIRST);
    CHECK(!test_cnode_slot_used(cnode, 0));
    CHECK(!test_cnode_slot_used(cnode, 2));
}

TEST(untyped, retype_not_enough_memory)
{
    uint32_t untyped = test_untyped(12);
    retype_one(untyped, OPAL_OBJECT_FRAME, OPAL_FRAME_SMALL_BITS);
    CHECK_EQ(opal_untyped_retype(untyped, OPAL_OBJECT_ENDPOINT, 0, ROOT_CNODE, test_slot(), 1),
             OPAL_ERR_NOT_ENOUGH_MEMORY);
}

TEST(untyped, retype_child_larger_than_parent)
{
    CHECK_EQ(opal_untyped_retype(test_untyped(12), OPAL_OBJECT_UNTYPED, 13, ROOT_CNODE,
                                 test_slot(), 1), OPAL_ERR_NOT_ENOUGH_MEMORY);
}

TEST(untyped, retype_too_many_creates_nothing)
{
    uint32_t untyped = test_untyped(12), cnode = test_cnode(2);
    CHECK_EQ(opal_untyped_retype(untyped, OPAL_OBJECT_FRAME, OPAL_FRAME_SMALL_BITS, cnode, 0, 2),
             OPAL_ERR_NOT_ENOUGH_MEMORY);
    CHECK(!test_cnode_slot_used(cnode, 0));
    CHECK_OK(opal_untyped_retype(untyped, OPAL_OBJECT_FRAME, OPAL_FRAME_SMALL_BITS, cnode, 0, 1));
}

TEST(untyped, objects_aligned_after_watermark)
{
    uint32_t untyped = test_untyped(14);
    uint32_t base = frame_physical(retype_one(untyped, OPAL_OBJECT_FRAME, OPAL_FRAME_SMALL_BITS));
    CHECK_OK(opal_cnode_revoke(ROOT_CNODE, untyped));
    retype_one(untyped, OPAL_OBJECT_ENDPOINT, 0);
    uint32_t frame = retype_one(untyped, OPAL_OBJECT_FRAME, OPAL_FRAME_SMALL_BITS);
    CHECK_EQ(frame_physical(frame), base + 0x1000);
    retype_one(untyped, OPAL_OBJECT_FRAME, OPAL_FRAME_SMALL_BITS);
    retype_one(untyped, OPAL_OBJECT_FRAME, OPAL_FRAME_SMALL_BITS);
    CHECK_EQ(opal_untyped_retype(untyped, OPAL_OBJECT_FRAME, OPAL_FRAME_SMALL_BITS, ROOT_CNODE,
                                 test_slot(), 1), OPAL_ERR_NOT_ENOUGH_MEMORY);
}

TEST(untyped, revoke_resets_watermark)
{
    uint32_t untyped = test_untyped(12);
    uint32_t frame = retype_one(untyped, OPAL_OBJECT_FRAME, OPAL_FRAME_SMALL_BITS);
    uint32_t physical = frame_physical(frame);
    CHECK_OK(opal_cnode_revoke(ROOT_CNODE, untyped));
    CHECK(test_slot_empty(frame));
    frame = retype_one(untyped, OPAL_OBJECT_FRAME, OPAL_FRAME_SMALL_BITS);
    CHECK_EQ(frame_physical(frame), physical);
}

TEST(untyped, revoke_deletes_every_object)
{
    uint32_t untyped = test_untyped(12);
    uint32_t endpoint = retype_one(untyped, OPAL_OBJECT_ENDPOINT, 0);
    uint32_t notification = retype_one(untyped, OPAL_OBJECT_NOTIFICATION, 0);
    uint32_t copy = test_copy(endpoint, OPAL_RIGHTS_ALL);
    CHECK_OK(opal_cnode_revoke(ROOT_CNODE, untyped));
    CHECK(test_slot_empty(endpoint));
    CHECK(test_slot_empty(notification));
    CHECK(test_slot_empty(copy));
    CHECK(!test_slot_empty(untyped));
}

TEST(untyped, new_frames_are_zeroed)
{
    uint32_t untyped = test_untyped(12);
    uint32_t frame = retype_one(untyped, OPAL_OBJECT_FRAME, OPAL_FRAME_SMALL_BITS);
    uint32_t address = test_window_address();
    CHECK_OK(test_map_with_tables(frame, ROOT_VSPACE, address, OPAL_MAP_READ | OPAL_MAP_WRITE));
    volatile uint32_t *words = (volatile uint32_t *)address;
    for (unsigned i = 0; i < 1024; i++)
        words[i] = 0xa5a5a5a5u ^ i;
    CHECK_OK(opal_cnode_revoke(ROOT_CNODE, untyped));
    frame = retype_one(untyped, OPAL_OBJECT_FRAME, OPAL_FRAME_SMALL_BITS);
    CHECK_OK(test_map_with_tables(frame, ROOT_VSPACE, address, OPAL_MAP_READ | OPAL_MAP_WRITE));
    for (unsigned i = 0; i < 1024; i++)
        CHECK_EQ(words[i], 0);
}

TEST(untyped, reused_memory_gives_empty_cnodes)
{
    uint32_t untyped = test_untyped(12);
    uint32_t cnode = retype_one(untyped, OPAL_OBJECT_CNODE, 4);
    for (uint32_t index = 0; index < 16; index++)
        CHECK_OK(opal_cnode_copy(cnode, index, OPAL_CAP_INIT_TCB, OPAL_RIGHTS_ALL));
    CHECK_OK(opal_cnode_revoke(ROOT_CNODE, untyped));
    cnode = retype_one(untyped, OPAL_OBJECT_CNODE, 4);
    for (uint32_t index = 0; index < 16; index++)
        CHECK(!test_cnode_slot_used(cnode, index));
}

TEST(untyped, reused_memory_gives_zeroed_tcbs)
{
    uint32_t untyped = test_untyped(12);
    uint32_t tcb = retype_one(untyped, OPAL_OBJECT_TCB, 0);
    CHECK_OK(opal_tcb_configure(tcb, 0, ROOT_CNODE, ROOT_VSPACE, 0, 0));
    CHECK_OK(opal_tcb_write_registers(tcb, 0x00401000, 0x00500000, 1, 2, 3, 4));
    CHECK_OK(opal_cnode_revoke(ROOT_CNODE, untyped));
    tcb = retype_one(untyped, OPAL_OBJECT_TCB, 0);
    struct opal_registers registers;
    CHECK_OK(opal_tcb_read_registers(tcb, &registers));
    CHECK_EQ(registers.pc, 0);
    CHECK_EQ(registers.sp, 0);
    CHECK_EQ(registers.r[0], 0);
    CHECK_EQ(registers.r[3], 0);
    CHECK_EQ(opal_tcb_resume(tcb), OPAL_ERR_ILLEGAL_OPERATION); /* no CSpace, no VSpace */
}

TEST(untyped, unknown_label_is_illegal_operation)
{
    CHECK_EQ(test_invoke_label(test_untyped(12), 999), OPAL_ERR_ILLEGAL_OPERATION);
}

/* The first device untyped of at least a page, or 0. */
static uint32_t device_untyped(void)
{
    for (uint32_t i = 0; i < BOOTINFO->untyped_count; i++)
        if (BOOTINFO->untyped[i].device && BOOTINFO->untyped[i].size_bits >= 12)
            return BOOTINFO->untyped_first + i;
    return 0;
}

TEST(untyped, device_untyped_only_frames_and_untypeds)
{
    uint32_t device = device_untyped();
    if (device == 0)
        return; /* no device memory handed out: nothing to check */
    static const uint32_t refused[] = { OPAL_OBJECT_CNODE, OPAL_OBJECT_TCB,
                                        OPAL_OBJECT_ENDPOINT, OPAL_OBJECT_NOTIFICATION,
                                        OPAL_OBJECT_REPLY, OPAL_OBJECT_SCHED_CONTEXT,
                                        OPAL_OBJECT_VSPACE, OPAL_OBJECT_PAGE_TABLE };
    for (unsigned i = 0; i < sizeof refused / sizeof refused[0]; i++)
        CHECK_EQ(opal_untyped_retype(device, refused[i], 4, ROOT_CNODE, test_slot(), 1),
                 OPAL_ERR_ILLEGAL_OPERATION);
    uint32_t child = test_slot(), frame = test_slot();
    CHECK_OK(opal_untyped_retype(device, OPAL_OBJECT_UNTYPED, 12, ROOT_CNODE, child, 1));
    CHECK_EQ(opal_untyped_retype(child, OPAL_OBJECT_ENDPOINT, 0, ROOT_CNODE, test_slot(), 1),
             OPAL_ERR_ILLEGAL_OPERATION);
    CHECK_OK(opal_untyped_retype(child, OPAL_OBJECT_FRAME, 12, ROOT_CNODE, frame, 1));
    CHECK_OK(opal_cnode_revoke(ROOT_CNODE, device));
}

/* The kernel only reads and writes RAM for a thread: a device frame is no
 * IPC buffer, and the Debug cap's Write does not read through a device mapping. */
TEST(untyped, device_frames_are_not_touched_by_the_kernel)
{
    uint32_t device = device_untyped();
    if (device == 0)
        return; /* no device memory handed out: nothing to check */
    uint32_t frame = test_slot(), tcb = test_object(OPAL_OBJECT_TCB, 0);
    CHECK_OK(opal_untyped_retype(device, OPAL_OBJECT_FRAME, 12, ROOT_CNODE, frame, 1));
    CHECK_EQ(opal_tcb_configure(tcb, 0, ROOT_CNODE, ROOT_VSPACE, 0x3fe00000u, frame),
             OPAL_ERR_ILLEGAL_OPERATION);
    CHECK_OK(process_map_frame(frame, ROOT_VSPACE, 0x3fe00000u, OPAL_MAP_READ));
    CHECK_EQ(opal_debug_write((const char *)0x3fe00000u, 4), OPAL_ERR_INVALID_ARGUMENT);
    CHECK_OK(opal_frame_unmap(frame));
    CHECK_OK(opal_cnode_revoke(ROOT_CNODE, device));
}
