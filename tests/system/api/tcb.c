/* TCB invocations: Configure, priorities and MCP, scheduling contexts,
 * registers, Resume/Suspend, notification binding, and threads that run. */
#include "test.h"

#define CPSR_MODE_MASK 0x1fu
#define CPSR_MODE_USER 0x10u

static struct shared {
    volatile uint32_t flag;
    volatile uint32_t counter;
    volatile uint32_t values[4];
    volatile uint32_t order[4];
    volatile uint32_t order_count;
} shared;

static void reset_shared(void)
{
    shared = (struct shared){ 0 };
}

/* A TCB with an IPC buffer frame mapped in the test window. */
static uint32_t configured_tcb(void)
{
    uint32_t frame, address = test_new_mapped_frame(&frame);
    uint32_t tcb = test_object(OPAL_OBJECT_TCB, 0);
    CHECK_OK(opal_tcb_configure(tcb, 0, ROOT_CNODE, ROOT_VSPACE, address, frame));
    return tcb;
}

TEST(tcb, configure_cspace_must_be_cnode)
{
    uint32_t tcb = test_object(OPAL_OBJECT_TCB, 0);
    CHECK_EQ(opal_tcb_configure(tcb, 0, test_endpoint(), ROOT_VSPACE, 0, 0),
             OPAL_ERR_INVALID_CAPABILITY);
    CHECK_EQ(opal_tcb_configure(tcb, 0, test_slot(), ROOT_VSPACE, 0, 0),
             OPAL_ERR_INVALID_CAPABILITY);
}

TEST(tcb, configure_vspace_must_be_vspace)
{
    uint32_t tcb = test_object(OPAL_OBJECT_TCB, 0);
    CHECK_EQ(opal_tcb_configure(tcb, 0, ROOT_CNODE, ROOT_CNODE, 0, 0),
             OPAL_ERR_INVALID_CAPABILITY);
}

TEST(tcb, configure_ipc_frame_must_be_frame)
{
    uint32_t tcb = test_object(OPAL_OBJECT_TCB, 0);
    CHECK_EQ(opal_tcb_configure(tcb, 0, ROOT_CNODE, ROOT_VSPACE, TEST_WINDOW, test_endpoint()),
             OPAL_ERR_INVALID_CAPABILITY);
}

TEST(tcb, configure_fault_endpoint_is_looked_up_later)
{
    uint32_t tcb = test_object(OPAL_OBJECT_TCB, 0);
    CHECK_OK(opal_tcb_configure(tcb, 0xdead, ROOT_CNODE, ROOT_VSPACE, 0, 0));
}

TEST(tcb, configure_without_ipc_buffer)
{
    uint32_t tcb = test_object(OPAL_OBJECT_TCB, 0);
    CHECK_OK(opal_tcb_configure(tcb, 0, ROOT_CNODE, ROOT_VSPACE, 0, 0));
}

TEST(tcb, configure_ipc_buffer_misaligned)
{
    uint32_t frame, address = test_new_mapped_frame(&frame);
    uint32_t tcb = test_object(OPAL_OBJECT_TCB, 0);
    CHECK_EQ(opal_tcb_configure(tcb, 0, ROOT_CNODE, ROOT_VSPACE, address + 0x100, frame),
             OPAL_ERR_ALIGNMENT);
    CHECK_OK(opal_tcb_configure(tcb, 0, ROOT_CNODE, ROOT_VSPACE, address + 0xe00, frame));
}

TEST(tcb, configure_ipc_buffer_outside_frame)
{
    uint32_t frame, address = test_new_mapped_frame(&frame);
    uint32_t tcb = test_object(OPAL_OBJECT_TCB, 0);
    CHECK_EQ(opal_tcb_configure(tcb, 0, ROOT_CNODE, ROOT_VSPACE, address + 0x1000, frame),
             OPAL_ERR_RANGE);
    CHECK_EQ(opal_tcb_configure(tcb, 0, ROOT_CNODE, ROOT_VSPACE, address - 0x200, frame),
             OPAL_ERR_RANGE);
}

TEST(tcb, priority_limited_by_authority_mcp)
{
    uint32_t authority = test_object(OPAL_OBJECT_TCB, 0), tcb = test_object(OPAL_OBJECT_TCB, 0);
    CHECK_OK(opal_tcb_set_mcp(authority, OPAL_CAP_INIT_TCB, 50));
    CHECK_OK(opal_tcb_set_priority(tcb, authority, 50));
    CHECK_EQ(opal_tcb_set_priority(tcb, authority, 51), OPAL_ERR_RANGE);
}

TEST(tcb, priority_above_255)
{
    uint32_t tcb = test_object(OPAL_OBJECT_TCB, 0);
    CHECK_EQ(opal_tcb_set_priority(tcb, OPAL_CAP_INIT_TCB, OPAL_PRIORITY_MAX + 1), OPAL_ERR_RANGE);
}

TEST(tcb, mcp_limited_by_authority_mcp)
{
    uint32_t authority = test_object(OPAL_OBJECT_TCB, 0), tcb = test_object(OPAL_OBJECT_TCB, 0);
    CHECK_OK(opal_tcb_set_mcp(authority, OPAL_CAP_INIT_TCB, 20));
    CHECK_OK(opal_tcb_set_mcp(tcb, authority, 20));
    CHECK_EQ(opal_tcb_set_mcp(tcb, authority, 21), OPAL_ERR_RANGE);
    CHECK_EQ(opal_tcb_set_mcp(tcb, OPAL_CAP_INIT_TCB, OPAL_PRIORITY_MAX + 1), OPAL_ERR_RANGE);
}

TEST(tcb, priority_authority_must_be_tcb)
{
    uint32_t tcb = test_object(OPAL_OBJECT_TCB, 0);
    CHECK_EQ(opal_tcb_set_priority(tcb, test_endpoint(), 1), OPAL_ERR_INVALID_CAPABILITY);
    CHECK_EQ(opal_tcb_set_mcp(tcb, test_slot(), 1), OPAL_ERR_INVALID_CAPABILITY);
}

TEST(tcb, sched_context_bound_elsewhere)
{
    uint32_t context = test_object(OPAL_OBJECT_SCHED_CONTEXT, 0);
    uint32_t first = test_object(OPAL_OBJECT_TCB, 0), second = test_object(OPAL_OBJECT_TCB, 0);
    CHECK_OK(opal_tcb_set_sched_context(first, context));
    CHECK_EQ(opal_tcb_set_sched_context(second, context), OPAL_ERR_ILLEGAL_OPERATION);
    CHECK_OK(opal_tcb_set_sched_context(first, 0));
    CHECK_OK(opal_tcb_set_sched_context(second, context));
}

TEST(tcb, sched_context_must_be_sched_context)
{
    uint32_t tcb = test_object(OPAL_OBJECT_TCB, 0);
    CHECK_EQ(opal_tcb_set_sched_context(tcb, test_notification()), OPAL_ERR_INVALID_CAPABILITY);
}

TEST(tcb, write_then_read_registers)
{
    uint32_t tcb = configured_tcb();
    CHECK_OK(opal_tcb_write_registers(tcb, 0x00401000, 0x00500000, 11, 22, 33, 44));
    struct opal_registers registers;
    CHECK_OK(opal_tcb_read_registers(tcb, &registers));
    CHECK_EQ(registers.pc, 0x00401000);
    CHECK_EQ(registers.sp, 0x00500000);
    CHECK_EQ(registers.r[0], 11);
    CHECK_EQ(registers.r[1], 22);
    CHECK_EQ(registers.r[2], 33);
    CHECK_EQ(registers.r[3], 44);
    CHECK_EQ(registers.r[4], 0);
    CHECK_EQ(registers.r[12], 0);
}

TEST(tcb, cpsr_is_always_user_mode)
{
    uint32_t tcb = configured_tcb();
    CHECK_OK(opal_tcb_write_registers(tcb, 0x00401000, 0x00500000, 0, 0, 0, 0));
    struct opal_registers registers;
    CHECK_OK(opal_tcb_read_registers(tcb, &registers));
    CHECK_EQ(registers.cpsr & CPSR_MODE_MASK, CPSR_MODE_USER);
}

TEST(tcb, write_registers_of_caller_is_illegal)
{
    CHECK_EQ(opal_tcb_write_registers(OPAL_CAP_INIT_TCB, 0, 0, 0, 0, 0, 0),
             OPAL_ERR_ILLEGAL_OPERATION);
}

TEST(tcb, resume_without_cspace_and_vspace)
{
    CHECK_EQ(opal_tcb_resume(test_object(OPAL_OBJECT_TCB, 0)), OPAL_ERR_ILLEGAL_OPERATION);
}

TEST(tcb, wrong_label_is_illegal)
{
    CHECK_EQ(test_invoke_label(test_object(OPAL_OBJECT_TCB, 0), OPAL_FRAME_MAP),
             OPAL_ERR_ILLEGAL_OPERATION);
}

static void set_flag_and_signal(uint32_t notification)
{
    shared.flag = 0x600d;
    opal_signal(notification);
}

TEST(tcb, second_thread_runs)
{
    reset_shared();
    uint32_t notification = test_notification();
    struct test_thread worker;
    thread_spawn(&worker, PRIORITY_LOW, set_flag_and_signal,
                 test_mint(notification, OPAL_RIGHTS_ALL, 0x10));
    uint32_t word = 0;
    CHECK_OK(opal_wait(notification, &word));
    CHECK_EQ(word, 0x10);
    CHECK_EQ(shared.flag, 0x600d);
}

TEST(tcb, higher_priority_thread_runs_at_resume)
{
    reset_shared();
    struct test_thread worker;
    thread_spawn(&worker, PRIORITY_HIGH, set_flag_and_signal, test_notification());
    CHECK_EQ(shared.flag, 0x600d);
}

/* Started directly (no trampoline), so it exits by itself. */
static void record_arguments(uint32_t r0, uint32_t r1, uint32_t r2, uint32_t r3)
{
    shared.values[0] = r0;
    shared.values[1] = r1;
    shared.values[2] = r2;
    shared.values[3] = r3;
    shared.flag = 1;
    opal_exit(0);
}

TEST(tcb, thread_starts_with_written_registers)
{
    reset_shared();
    struct test_thread worker;
    thread_create(&worker, PRIORITY_HIGH);
    CHECK_OK(opal_tcb_write_registers(worker.tcb, (uint32_t)record_arguments,
                                      (uint32_t)worker.stack_high, 0xa0, 0xa1, 0xa2, 0xa3));
    CHECK_OK(opal_tcb_resume(worker.tcb));
    CHECK(test_wait_for(&shared.flag, 1, 1000));
    CHECK_EQ(shared.values[0], 0xa0);
    CHECK_EQ(shared.values[1], 0xa1);
    CHECK_EQ(shared.values[2], 0xa2);
    CHECK_EQ(shared.values[3], 0xa3);
}

/* Records which thread ran (by its notification cap) and signals. */
static void append_and_signal(uint32_t notification)
{
    shared.order[shared.order_count++] = notification;
    opal_signal(notification);
}

TEST(tcb, higher_priority_runs_first)
{
    reset_shared();
    uint32_t notification = test_notification();
    struct test_thread low, high;
    thread_create(&low, PRIORITY_LOW);
    thread_create(&high, PRIORITY_LOW + 5);
    uint32_t low_badge = test_mint(notification, OPAL_RIGHTS_ALL, 1);
    uint32_t high_badge = test_mint(notification, OPAL_RIGHTS_ALL, 2);
    thread_start(&low, append_and_signal, low_badge);
    thread_start(&high, append_and_signal, high_badge);
    uint32_t seen = 0, word = 0;
    while (seen != 3) {
        CHECK_OK(opal_wait(notification, &word));
        seen |= word;
    }
    CHECK_EQ(shared.order_count, 2);
    CHECK_EQ(shared.order[0], high_badge);
    CHECK_EQ(shared.order[1], low_badge);
}

static void receive_once(uint32_t endpoint)
{
    struct opal_message message;
    shared.values[0] = (uint32_t)opal_recv(endpoint, 0, &message);
    shared.flag = 1;
}

TEST(tcb, suspend_takes_thread_off_endpoint_queue)
{
    reset_shared();
    uint32_t endpoint = test_endpoint();
    struct test_thread worker;
    thread_spawn(&worker, PRIORITY_HIGH, receive_once, endpoint);
    CHECK_OK(opal_tcb_suspend(worker.tcb));
    struct opal_message message = { .tag = OPAL_TAG(1, 0, 0) };
    CHECK_OK(opal_nbsend(endpoint, &message));
    test_spin(5);
    opal_yield();
    CHECK_EQ(shared.flag, 0);
}

static void count_forever(uint32_t unused)
{
    (void)unused;
    for (;;)
        shared.counter++;
}

TEST(tcb, suspended_thread_does_not_run)
{
    reset_shared();
    struct test_thread worker;
    thread_create(&worker, PRIORITY_SAME);
    thread_start(&worker, count_forever, 0);
    CHECK_OK(opal_tcb_suspend(worker.tcb));
    test_spin(30);
    opal_yield();
    CHECK_EQ(shared.counter, 0);
    CHECK_OK(opal_tcb_resume(worker.tcb));
    opal_yield();
    CHECK(shared.counter != 0);
}

TEST(tcb, deleting_tcb_stops_thread)
{
    reset_shared();
    struct test_thread worker;
    thread_spawn(&worker, PRIORITY_SAME, count_forever, 0);
    opal_yield();
    CHECK(shared.counter != 0);
    CHECK_OK(opal_cnode_delete(ROOT_CNODE, worker.tcb));
    uint32_t stopped_at = shared.counter;
    test_spin(30);
    opal_yield();
    CHECK_EQ(shared.counter, stopped_at);
}

TEST(tcb, bind_notification_once)
{
    uint32_t tcb = test_object(OPAL_OBJECT_TCB, 0), other = test_object(OPAL_OBJECT_TCB, 0);
    uint32_t notification = test_notification();
    CHECK_OK(opal_tcb_bind_notification(tcb, notification));
    CHECK_EQ(opal_tcb_bind_notification(tcb, test_notification()), OPAL_ERR_ILLEGAL_OPERATION);
    CHECK_EQ(opal_tcb_bind_notification(other, notification), OPAL_ERR_ILLEGAL_OPERATION);
    CHECK_OK(opal_tcb_unbind_notification(tcb));
    CHECK_OK(opal_tcb_bind_notification(other, notification));
}

TEST(tcb, unbind_when_not_bound)
{
    CHECK_EQ(opal_tcb_unbind_notification(test_object(OPAL_OBJECT_TCB, 0)),
             OPAL_ERR_ILLEGAL_OPERATION);
}

TEST(tcb, bind_needs_a_notification)
{
    CHECK_EQ(opal_tcb_bind_notification(test_object(OPAL_OBJECT_TCB, 0), test_endpoint()),
             OPAL_ERR_INVALID_CAPABILITY);
}
