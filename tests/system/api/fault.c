/* Fault messages: a worker with a fault endpoint faults on purpose; the root
 * thread, as its handler, checks the message word by word and replies to
 * skip, retry, or leave the thread stopped. */
#include "core/hsr.h"
#include "test.h"

#define UNMAPPED 0x30000000u
#define FAULT_BADGE 0x77u
#define UNKNOWN_SYSCALL 200u

/* Each faulting routine is assembly, so its faulting instruction's address
 * is a symbol; the instruction after it returns to the trampoline. */
void fault_write(uint32_t address);
void fault_read(uint32_t address);
void fault_undefined(uint32_t unused);
void fault_syscall(uint32_t unused);
void fault_breakpoint(uint32_t unused);
void fault_pmu(uint32_t unused);
void fault_debug_register(uint32_t unused);
void fault_vfp(uint32_t unused);
extern char fault_write_pc[], fault_read_pc[], fault_undefined_pc[], fault_syscall_pc[];
extern char fault_breakpoint_pc[], fault_pmu_pc[], fault_debug_register_pc[], fault_vfp_pc[];
__asm__(".arm\n"
        ".global fault_write, fault_write_pc\n"
        "fault_write:\n"
        "    mov r1, #42\n"
        "fault_write_pc:\n"
        "    str r1, [r0]\n"
        "    bx lr\n"
        ".global fault_read, fault_read_pc\n"
        "fault_read:\n"
        "fault_read_pc:\n"
        "    ldr r1, [r0]\n"
        "    bx lr\n"
        ".global fault_undefined, fault_undefined_pc\n"
        "fault_undefined:\n"
        "fault_undefined_pc:\n"
        "    udf #0\n"
        "    bx lr\n"
        ".global fault_syscall, fault_syscall_pc\n"
        "fault_syscall:\n"
        "    push {r4-r7, lr}\n"
        "    mov r0, #10\n"
        "    mov r1, #11\n"
        "    mov r2, #12\n"
        "    mov r3, #13\n"
        "    mov r4, #14\n"
        "    mov r5, #15\n"
        "    mov r6, #16\n"
        "    mov r7, #200\n"
        "fault_syscall_pc:\n"
        "    svc #0\n"
        "    pop {r4-r7, pc}\n"
        ".global fault_breakpoint, fault_breakpoint_pc\n"
        "fault_breakpoint:\n"
        "fault_breakpoint_pc:\n"
        "    bkpt #0x12\n"
        "    bx lr\n"
        /* The cycle counter and a breakpoint control register: state no
         * native thread may read or leave for anyone (docs/isolation.md). */
        ".global fault_pmu, fault_pmu_pc\n"
        "fault_pmu:\n"
        "fault_pmu_pc:\n"
        "    mrc p15, 0, r0, c9, c13, 0\n"
        "    bx lr\n"
        ".global fault_debug_register, fault_debug_register_pc\n"
        "fault_debug_register:\n"
        "fault_debug_register_pc:\n"
        "    mrc p14, 0, r0, c0, c1, 0\n"
        "    bx lr\n"
        /* VFP/NEON state is the vCPUs' (switched with them): native
         * threads have none. */
        ".fpu vfpv3\n"
        ".global fault_vfp, fault_vfp_pc\n"
        "fault_vfp:\n"
        "fault_vfp_pc:\n"
        "    vmrs r0, fpscr\n"
        "    bx lr\n");

static volatile uint32_t continued;

/* Where a SET_PC reply sends a thread whose own code cannot go on. */
static void resume_here(void)
{
    continued = 2;
    opal_exit(0);
}

static void run_and_mark(void (*routine)(uint32_t), uint32_t argument)
{
    routine(argument);
    continued = 1;
}

static void fault_write_then_mark(uint32_t address) { run_and_mark(fault_write, address); }
static void fault_read_then_mark(uint32_t address) { run_and_mark(fault_read, address); }
static void fault_undefined_then_mark(uint32_t unused) { run_and_mark(fault_undefined, unused); }
static void fault_syscall_then_mark(uint32_t unused) { run_and_mark(fault_syscall, unused); }
static void fault_breakpoint_then_mark(uint32_t unused) { run_and_mark(fault_breakpoint, unused); }
static void fault_pmu_then_mark(uint32_t unused) { run_and_mark(fault_pmu, unused); }
static void fault_vfp_then_mark(uint32_t unused) { run_and_mark(fault_vfp, unused); }
static void fault_debug_register_then_mark(uint32_t unused)
{
    run_and_mark(fault_debug_register, unused);
}

struct handler {
    uint32_t endpoint;
    uint32_t reply;
    struct test_thread thread;
};

/* A worker whose fault endpoint is a badged cap to a new endpoint. */
static void start_faulting(struct handler *handler, void (*entry)(uint32_t), uint32_t argument)
{
    continued = 0;
    handler->endpoint = test_endpoint();
    handler->reply = test_object(OPAL_OBJECT_REPLY, 0);
    uint32_t fault_cap = test_mint(handler->endpoint, OPAL_RIGHTS_ALL, FAULT_BADGE);
    thread_create(&handler->thread, PRIORITY_HIGH);
    CHECK_OK(opal_tcb_configure(handler->thread.tcb, fault_cap, ROOT_CNODE, ROOT_VSPACE,
                                handler->thread.ipc_address, handler->thread.ipc_frame));
    thread_start(&handler->thread, entry, argument);
}

/* Poll for the fault message (never blocks for good). */
static void receive_fault(struct handler *handler, struct opal_message *message)
{
    uint64_t deadline = opal_counter() + 1000 * test_ticks_per_ms();
    int error;
    while ((error = opal_nbrecv(handler->endpoint, handler->reply, message)) ==
               OPAL_ERR_WOULD_BLOCK &&
           opal_counter() < deadline)
        opal_yield();
    CHECK_OK(error);
    CHECK_EQ(message->badge, FAULT_BADGE);
}

static void reply(struct handler *handler, uint32_t label, uint32_t pc)
{
    struct opal_message message = { .tag = OPAL_TAG(label, 0, 1), .mr = { pc } };
    CHECK_OK(opal_reply(handler->reply, &message));
}

TEST(fault, write_to_unmapped_address)
{
    struct handler handler;
    start_faulting(&handler, fault_write_then_mark, UNMAPPED);
    struct opal_message message;
    receive_fault(&handler, &message);
    CHECK_EQ(OPAL_TAG_LABEL(message.tag), OPAL_FAULT_VM);
    CHECK_EQ(OPAL_TAG_LENGTH(message.tag), OPAL_FAULT_VM_LENGTH);
    CHECK_EQ(message.mr[0], (uint32_t)fault_write_pc);
    CHECK_EQ(message.mr[1], UNMAPPED);
    CHECK_EQ(message.mr[2], 0);
    CHECK_EQ(message.mr[3], 1);
    CHECK_EQ(HSR_CLASS(opal_ipc_buffer()->mr[4]), HSR_CLASS_DATA_ABORT_LOWER);
    reply(&handler, OPAL_FAULT_REPLY_STOP, 0);
}

TEST(fault, read_from_unmapped_address)
{
    struct handler handler;
    start_faulting(&handler, fault_read_then_mark, UNMAPPED + 0x124);
    struct opal_message message;
    receive_fault(&handler, &message);
    CHECK_EQ(OPAL_TAG_LABEL(message.tag), OPAL_FAULT_VM);
    CHECK_EQ(message.mr[0], (uint32_t)fault_read_pc);
    CHECK_EQ(message.mr[1], UNMAPPED + 0x124);
    CHECK_EQ(message.mr[2], 0);
    CHECK_EQ(message.mr[3], 0);
    reply(&handler, OPAL_FAULT_REPLY_STOP, 0);
}

TEST(fault, instruction_fetch_from_unmapped_address)
{
    struct handler handler;
    start_faulting(&handler, (void (*)(uint32_t))UNMAPPED, 0);
    struct opal_message message;
    receive_fault(&handler, &message);
    CHECK_EQ(OPAL_TAG_LABEL(message.tag), OPAL_FAULT_VM);
    CHECK_EQ(message.mr[0], UNMAPPED);
    CHECK_EQ(message.mr[1], UNMAPPED);
    CHECK_EQ(message.mr[2], 1);
    CHECK_EQ(HSR_CLASS(opal_ipc_buffer()->mr[4]), HSR_CLASS_PREFETCH_ABORT_LOWER);
    reply(&handler, OPAL_FAULT_REPLY_SET_PC, (uint32_t)resume_here);
    CHECK(test_wait_for(&continued, 2, 1000));
}

TEST(fault, set_pc_reply_skips_the_instruction)
{
    struct handler handler;
    start_faulting(&handler, fault_write_then_mark, UNMAPPED);
    struct opal_message message;
    receive_fault(&handler, &message);
    reply(&handler, OPAL_FAULT_REPLY_SET_PC, message.mr[0] + 4);
    CHECK(test_wait_for(&continued, 1, 1000));
}

TEST(fault, resume_reply_retries_after_mapping)
{
    uint32_t address = test_window_address();
    struct handler handler;
    start_faulting(&handler, fault_write_then_mark, address + 0x40);
    struct opal_message message;
    receive_fault(&handler, &message);
    CHECK_EQ(message.mr[1], address + 0x40);
    uint32_t frame = test_object(OPAL_OBJECT_FRAME, OPAL_FRAME_SMALL_BITS);
    CHECK_OK(test_map_with_tables(frame, ROOT_VSPACE, address, OPAL_MAP_READ | OPAL_MAP_WRITE));
    reply(&handler, OPAL_FAULT_REPLY_RESUME, 0);
    CHECK(test_wait_for(&continued, 1, 1000));
    CHECK_EQ(*(volatile uint32_t *)(address + 0x40), 42);
}

TEST(fault, stop_reply_leaves_thread_stopped)
{
    struct handler handler;
    start_faulting(&handler, fault_write_then_mark, UNMAPPED);
    struct opal_message message;
    receive_fault(&handler, &message);
    reply(&handler, OPAL_FAULT_REPLY_STOP, 0);
    CHECK(!test_wait_for(&continued, 1, 30));
    struct opal_registers registers;
    CHECK_OK(opal_tcb_read_registers(handler.thread.tcb, &registers));
    CHECK_EQ(registers.pc, (uint32_t)fault_write_pc);
}

TEST(fault, undefined_instruction)
{
    struct handler handler;
    start_faulting(&handler, fault_undefined_then_mark, 0);
    struct opal_message message;
    receive_fault(&handler, &message);
    CHECK_EQ(OPAL_TAG_LABEL(message.tag), OPAL_FAULT_UNDEFINED);
    CHECK_EQ(OPAL_TAG_LENGTH(message.tag), OPAL_FAULT_UNDEFINED_LENGTH);
    CHECK_EQ(message.mr[0], (uint32_t)fault_undefined_pc);
    CHECK_EQ(HSR_CLASS(message.mr[1]), HSR_CLASS_UNKNOWN);
    reply(&handler, OPAL_FAULT_REPLY_SET_PC, message.mr[0] + 4);
    CHECK(test_wait_for(&continued, 1, 1000));
}

TEST(fault, unknown_syscall)
{
    struct handler handler;
    start_faulting(&handler, fault_syscall_then_mark, 0);
    struct opal_message message;
    receive_fault(&handler, &message);
    CHECK_EQ(OPAL_TAG_LABEL(message.tag), OPAL_FAULT_UNKNOWN_SYSCALL);
    CHECK_EQ(OPAL_TAG_LENGTH(message.tag), OPAL_FAULT_UNKNOWN_SYSCALL_LENGTH);
    CHECK_EQ(message.mr[0], (uint32_t)fault_syscall_pc);
    CHECK_EQ(message.mr[1], UNKNOWN_SYSCALL);
    CHECK_EQ(message.mr[2], 10);
    CHECK_EQ(message.mr[3], 11);
    for (uint32_t i = 4; i < OPAL_FAULT_UNKNOWN_SYSCALL_LENGTH; i++)
        CHECK_EQ(opal_ipc_buffer()->mr[i], 10 + i - 2);
    reply(&handler, OPAL_FAULT_REPLY_SET_PC, message.mr[0] + 4);
    CHECK(test_wait_for(&continued, 1, 1000));
}

TEST(fault, write_to_read_only_mapping)
{
    uint32_t frame, address = test_new_mapped_frame(&frame);
    CHECK_OK(opal_frame_remap(frame, OPAL_MAP_READ, OPAL_MAP_CACHED));
    struct handler handler;
    start_faulting(&handler, fault_write_then_mark, address + 8);
    struct opal_message message;
    receive_fault(&handler, &message);
    CHECK_EQ(OPAL_TAG_LABEL(message.tag), OPAL_FAULT_VM);
    CHECK_EQ(message.mr[1], address + 8);
    CHECK_EQ(message.mr[3], 1);
    CHECK_OK(opal_frame_remap(frame, OPAL_MAP_READ | OPAL_MAP_WRITE, OPAL_MAP_CACHED));
    reply(&handler, OPAL_FAULT_REPLY_RESUME, 0);
    CHECK(test_wait_for(&continued, 1, 1000));
    CHECK_EQ(*(volatile uint32_t *)(address + 8), 42);
}

TEST(fault, read_after_unmap)
{
    uint32_t frame, address = test_new_mapped_frame(&frame);
    (void)*(volatile uint32_t *)address;
    CHECK_OK(opal_frame_unmap(frame));
    struct handler handler;
    start_faulting(&handler, fault_read_then_mark, address);
    struct opal_message message;
    receive_fault(&handler, &message);
    CHECK_EQ(message.mr[1], address);
    CHECK_EQ(message.mr[3], 0);
    reply(&handler, OPAL_FAULT_REPLY_STOP, 0);
}

TEST(fault, without_fault_endpoint_thread_stops)
{
    continued = 0;
    struct test_thread worker;
    thread_spawn(&worker, PRIORITY_HIGH, fault_write_then_mark, UNMAPPED);
    CHECK(!test_wait_for(&continued, 1, 30));
}

TEST(fault, unresolvable_fault_endpoint_stops_thread)
{
    struct handler handler;
    continued = 0;
    handler.endpoint = test_endpoint();
    thread_create(&handler.thread, PRIORITY_HIGH);
    CHECK_OK(opal_tcb_configure(handler.thread.tcb, test_slot(), ROOT_CNODE, ROOT_VSPACE,
                                handler.thread.ipc_address, handler.thread.ipc_frame));
    thread_start(&handler.thread, fault_write_then_mark, UNMAPPED);
    CHECK(!test_wait_for(&continued, 1, 30));
    struct opal_message message;
    CHECK_EQ(opal_nbrecv(handler.endpoint, 0, &message), OPAL_ERR_WOULD_BLOCK);
}

/* A BKPT is a debug exception, reported as one (not as an abort at 0). */
TEST(fault, breakpoint_instruction_is_a_debug_fault)
{
    struct handler handler;
    start_faulting(&handler, fault_breakpoint_then_mark, 0);
    struct opal_message message;
    receive_fault(&handler, &message);
    CHECK_EQ(OPAL_TAG_LABEL(message.tag), OPAL_FAULT_DEBUG);
    CHECK_EQ(OPAL_TAG_LENGTH(message.tag), OPAL_FAULT_DEBUG_LENGTH);
    CHECK_EQ(message.mr[0], (uint32_t)fault_breakpoint_pc);
    CHECK_EQ(message.mr[1], (uint32_t)fault_breakpoint_pc);
    reply(&handler, OPAL_FAULT_REPLY_SET_PC, message.mr[0] + 4);
    CHECK(test_wait_for(&continued, 1, 1000));
}

/* The PMU and the debug registers are the kernel's: a native thread's
 * access faults whatever a guest or anyone left in them. */
static void expect_trapped(void (*entry)(uint32_t), const char *pc)
{
    struct handler handler;
    start_faulting(&handler, entry, 0);
    struct opal_message message;
    receive_fault(&handler, &message);
    /* UNDEFINED at PL0 (no user access) or trapped to HYP (HDCR, HCPTR):
     * either way a fault at the instruction, never a value. */
    CHECK(OPAL_TAG_LABEL(message.tag) == OPAL_FAULT_UNDEFINED ||
          OPAL_TAG_LABEL(message.tag) == OPAL_FAULT_USER_EXCEPTION);
    CHECK_EQ(message.mr[0], (uint32_t)pc);
    reply(&handler, OPAL_FAULT_REPLY_SET_PC, message.mr[0] + 4);
    CHECK(test_wait_for(&continued, 1, 1000));
}

TEST(fault, pmu_access_is_trapped)
{
    expect_trapped(fault_pmu_then_mark, fault_pmu_pc);
}

TEST(fault, vfp_access_is_trapped)
{
    expect_trapped(fault_vfp_then_mark, fault_vfp_pc);
}

TEST(fault, debug_register_access_is_trapped)
{
    expect_trapped(fault_debug_register_then_mark, fault_debug_register_pc);
}

/* Exit: a fault-like report with the status, the thread stays stopped. */
static void exit_with(uint32_t status)
{
    opal_exit((int)status);
}

/* The pc an exit report gives is just after the svc, inside opal_exit. */
static bool in_opal_exit(uint32_t pc)
{
    return pc > (uint32_t)(uintptr_t)opal_exit && pc < (uint32_t)(uintptr_t)opal_exit + 64;
}

TEST(fault, exit_is_reported_with_its_status)
{
    struct handler handler;
    start_faulting(&handler, exit_with, 0xfffffff9u); /* status -7 */
    struct opal_message message;
    receive_fault(&handler, &message);
    CHECK_EQ(OPAL_TAG_LABEL(message.tag), OPAL_FAULT_EXIT);
    CHECK_EQ(OPAL_TAG_LENGTH(message.tag), OPAL_FAULT_EXIT_LENGTH);
    CHECK(in_opal_exit(message.mr[0]));
    CHECK_EQ(message.mr[1], 0xfffffff9u);
    reply(&handler, OPAL_FAULT_REPLY_STOP, 0);
    CHECK_EQ(opal_nbrecv(handler.endpoint, handler.reply, &message), OPAL_ERR_WOULD_BLOCK);
}

TEST(fault, exit_resumed_exits_again)
{
    struct handler handler;
    start_faulting(&handler, exit_with, 3);
    struct opal_message message;
    receive_fault(&handler, &message);
    CHECK_EQ(OPAL_TAG_LABEL(message.tag), OPAL_FAULT_EXIT);
    reply(&handler, OPAL_FAULT_REPLY_RESUME, 0);
    receive_fault(&handler, &message);
    CHECK_EQ(OPAL_TAG_LABEL(message.tag), OPAL_FAULT_EXIT);
    CHECK_EQ(message.mr[1], 3);
    reply(&handler, OPAL_FAULT_REPLY_STOP, 0);
    CHECK_EQ(continued, 0);
}

TEST(fault, exit_without_fault_endpoint_stops_the_thread)
{
    continued = 0;
    struct test_thread worker;
    thread_spawn(&worker, PRIORITY_HIGH, exit_with, 5);
    struct opal_registers registers;
    test_spin(1);
    CHECK_OK(opal_tcb_read_registers(worker.tcb, &registers));
    CHECK(in_opal_exit(registers.pc));
    CHECK_EQ(registers.r[0], 5);
}
