/* Threads on several cores (TCB SetCore): each cross-core path of
 * kernel/core.c (stalling a thread that runs elsewhere, releasing a vCPU,
 * leaving a VSpace, reschedule IPIs) seen from user level. Workers run on
 * cores 1-3, the root thread stays on core 0. Each test shows what a
 * one-core kernel, or one that did not stop a remote core before
 * returning, would get wrong: a worker below the root's priority making
 * progress while the root spins; a counter that must not move again once
 * Suspend, Delete, WriteRegisters, SetCore or an Unmap has returned;
 * registers read from the thread's live state, not a stale copy; wake-ups
 * and replies crossing cores. Needs QEMU -smp 4 (tests/system/test_api.py);
 * a test fails, naming the count, when the boot info lists too few cores. */
#include "test.h"

#define ROUNDS_IPC 1000u
#define ROUNDS_SIGNAL 200u
#define ROUNDS_SUSPEND 20u
#define ROUNDS_MOVE 30u
#define PROGRESS_MS 200u  /* how long a running worker may take to show progress */
#define QUIET_MS 20u      /* how long a stopped one must stay still */
#define STOP_WINDOW_MS 50u /* ten of the kernel's 5 ms timeslices: how long a thread
                              that should have stopped is watched for running on */
#define PRIORITY_BELOW (PRIORITY_LOW - 10)
#define MAGIC 0x5afebeefu

/* What workers report; only the root thread checks. */
static struct shared {
    volatile uint32_t counter[4];
    volatile uint32_t flag;
    volatile uint32_t done;
    volatile uint32_t errors;
    volatile uint32_t value;
    volatile uint32_t rounds;
    volatile uint32_t first_bad;
} shared;

/* Each test starts from zero (first_bad: none yet). */
static void reset_shared(void)
{
    shared = (struct shared){ 0 };
    shared.first_bad = UINT32_MAX;
}

/* A test that needs `count` cores fails (not skips) when booted with fewer,
 * at its own line. */
static void require_cores_at(uint32_t count, int line)
{
    if (BOOTINFO->cores < count)
        test_fail(__FILE__, line, "bootinfo->cores >= needed (boot QEMU with -smp 4)",
                  BOOTINFO->cores, count);
}
#define require_cores(count) require_cores_at(count, __LINE__)

/* A worker placed on `core` before it first runs: started on core 0 it
 * could run there first (a high priority preempts the root at Resume). */
static void spawn_on(struct test_thread *thread, uint32_t priority, uint32_t core,
                     void (*entry)(uint32_t), uint32_t argument)
{
    thread_create(thread, priority);
    CHECK_OK(opal_tcb_set_core(thread->tcb, core));
    thread_start(thread, entry, argument);
}

/* A hint, not a system call: the kernel never sees it. Under -icount
 * QEMU's round-robin TCG runs every core in turn on one host thread and
 * leaves a spinning core only at the end of a slice (up to the next timer
 * deadline, milliseconds) or at a YIELD: one now and then lets the core a
 * spinner waits for run soon, without a host-thread switch per iteration.
 * (Shared by every thread: a lost increment only moves a yield.) */
#define RELAX_EVERY 256u

static inline void relax(void)
{
    static volatile uint32_t calls;
    if (++calls % RELAX_EVERY == 0)
        __asm__ volatile("yield" ::: "memory");
}

/* Spin (no system call) for `ms`. */
static void spin_ms(uint32_t ms)
{
    uint64_t deadline = opal_counter() + ms * test_ticks_per_ms();
    while (opal_counter() < deadline)
        relax();
}

/* Spin (no system call) up to `ms` for *where to equal `value`; true if it
 * did. */
static bool await(volatile uint32_t *where, uint32_t value, uint32_t ms)
{
    uint64_t deadline = opal_counter() + ms * test_ticks_per_ms();
    while (*where != value) {
        if (opal_counter() >= deadline)
            return false;
        relax();
    }
    return true;
}

/* Spin (no system call) up to `ms` for *counter to get `steps` past
 * `from`; true if it did. The root keeps core 0 busy, so progress is
 * another core's. */
static bool progresses_by(volatile uint32_t *counter, uint32_t from, uint32_t steps,
                          uint32_t ms)
{
    uint64_t deadline = opal_counter() + ms * test_ticks_per_ms();
    while (*counter - from < steps) {
        if (opal_counter() >= deadline)
            return false;
        relax();
    }
    return true;
}

static bool progresses(volatile uint32_t *counter, uint32_t from, uint32_t ms)
{
    return progresses_by(counter, from, 1, ms);
}

/* Wait (up to PROGRESS_MS) for the counter to stand still for 2 ms: a
 * thread finishing what it was doing when it was told to stop. Whether it
 * then stays still is CHECK_STILL's to say. */
static void settle(volatile uint32_t *counter)
{
    uint64_t deadline = opal_counter() + PROGRESS_MS * test_ticks_per_ms();
    uint32_t seen;
    do {
        seen = *counter;
        spin_ms(2);
    } while (*counter != seen && opal_counter() < deadline);
}

/* The counter's value if it stays the same for QUIET_MS, checked. */
static uint32_t check_still(volatile uint32_t *counter, int line)
{
    uint32_t before = *counter;
    spin_ms(QUIET_MS);
    uint32_t after = *counter;
    if (after != before)
        test_fail(__FILE__, line, "the counter stays still", after, before);
    return before;
}
#define CHECK_STILL(counter) check_still(counter, __LINE__)
#define CHECK_PROGRESS(counter)                                                         \
    do {                                                                                \
        uint32_t from_ = *(counter);                                                    \
        if (!progresses(counter, from_, PROGRESS_MS))                                   \
            test_fail(__FILE__, __LINE__, #counter " advances", *(counter), from_ + 1);  \
    } while (0)

/* A worker that only counts, in shared.counter[index]: where it runs and
 * when it stops is all the tests read from it. */
static void count_forever(uint32_t index)
{
    for (;;) {
        shared.counter[index]++;
        relax();
    }
}

static volatile uint32_t waker_ms;

/* The waker: busy for waker_ms, then signals the root's notification. */
static void spin_then_signal(uint32_t notification)
{
    spin_ms(waker_ms);
    opal_signal(notification);
}

/* Block the root for about `ms`: a waker on core 1 signals it. Blocking on
 * something only a worker under test would signal could hang the suite;
 * this always ends. */
static void block_root_for(uint32_t ms)
{
    struct test_thread waker;
    uint32_t notification = test_notification(), word;
    waker_ms = ms;
    spawn_on(&waker, PRIORITY_HIGH, 1, spin_then_signal, notification);
    CHECK_OK(opal_wait(notification, &word));
}

/* --- SetCore's checks ----------------------------------------------------- */

TEST(multicore, set_core_range_names_the_core_and_its_bounds)
{
    require_cores(2);
    uint32_t cores = BOOTINFO->cores;
    uint32_t tcb = test_object(OPAL_OBJECT_TCB, 0);
    CHECK_EQ(opal_tcb_set_core(tcb, cores), OPAL_ERR_RANGE);
    struct opal_error_detail detail = opal_last_error_detail();
    CHECK_EQ(detail.argument, 0);
    CHECK_EQ(detail.low, 0);
    CHECK_EQ(detail.high, cores - 1);
    CHECK_EQ(opal_tcb_set_core(tcb, 0xffffffffu), OPAL_ERR_RANGE);
    CHECK_EQ(opal_last_error_detail().high, cores - 1);
    CHECK_OK(opal_tcb_set_core(tcb, cores - 1));
    CHECK_OK(opal_tcb_set_core(tcb, 0));
}

TEST(multicore, set_core_needs_a_tcb)
{
    CHECK_EQ(opal_tcb_set_core(test_slot(), 0), OPAL_ERR_INVALID_CAPABILITY);
    CHECK_EQ(opal_last_error_detail().argument, OPAL_ERROR_ARGUMENT_INVOKED);
    CHECK_EQ(opal_tcb_set_core(test_notification(), 0), OPAL_ERR_INVALID_CAPABILITY);
    /* a CNode has methods, but not this label */
    CHECK_EQ(opal_tcb_set_core(ROOT_CNODE, 0), OPAL_ERR_ILLEGAL_OPERATION);
    CHECK_EQ(opal_last_error_detail().argument, OPAL_ERROR_ARGUMENT_LABEL);
}

/* A refused SetCore leaves the thread where it was: still on core 1, so a
 * lower-priority worker still runs while the root spins. */
TEST(multicore, refused_set_core_leaves_the_thread_in_place)
{
    require_cores(2);
    reset_shared();
    struct test_thread worker;
    thread_create(&worker, PRIORITY_LOW);
    CHECK_OK(opal_tcb_set_core(worker.tcb, 1));
    CHECK_EQ(opal_tcb_set_core(worker.tcb, BOOTINFO->cores), OPAL_ERR_RANGE);
    thread_start(&worker, count_forever, 0);
    CHECK_PROGRESS(&shared.counter[0]);
}

/* --- Threads really run in parallel --------------------------------------- */

/* Proof that it ran: the value it was started with. */
static void raise_flag(uint32_t value)
{
    shared.flag = value;
}

/* On one core a worker below the root's priority never runs while the root
 * spins without a system call; on core k it does. */
TEST(multicore, lower_priority_worker_runs_on_each_other_core)
{
    require_cores(4);
    for (uint32_t core = 1; core < 4; core++) {
        reset_shared();
        struct test_thread worker;
        spawn_on(&worker, PRIORITY_LOW, core, raise_flag, 0x100 + core);
        if (!progresses(&shared.flag, 0, PROGRESS_MS))
            test_fail(__FILE__, __LINE__, "the worker on core (got) ran", core, 1);
        CHECK_EQ(shared.flag, 0x100 + core);
    }
}

/* The control for the test above: on the root's own core the same worker
 * does not run while the root spins, and runs once the root blocks. */
TEST(multicore, lower_priority_worker_on_core_0_waits_for_the_root)
{
    require_cores(2);
    reset_shared();
    struct test_thread worker;
    spawn_on(&worker, PRIORITY_LOW, 0, raise_flag, 1);
    CHECK(!progresses(&shared.flag, 0, QUIET_MS));
    block_root_for(QUIET_MS);
    CHECK_EQ(shared.flag, 1);
}

/* --- IPC across cores ----------------------------------------------------- */

/* The answer a server gives to `value`: not the identity, so an unanswered
 * Call (the message left as sent) cannot pass. */
static uint32_t answer_to(uint32_t value)
{
    return value * 3u + 0x1001u;
}

struct server {
    uint32_t endpoint;
    uint32_t reply;
    uint32_t moves_to;   /* a core to move itself to on each Call, or 0 */
    uint32_t tcb;
};
static struct server server;

/* Recv, then answer every Call with answer_to(MR0) and ~MR1; optionally
 * moving itself to another core before each answer. */
static void serve_forever(uint32_t unused)
{
    (void)unused;
    struct opal_message message;
    opal_recv(server.endpoint, server.reply, &message);
    for (;;) {
        if (server.moves_to != 0) {
            uint32_t to = server.moves_to;
            server.moves_to = to == 1 ? 2 : 1; /* next time the other one */
            if (opal_tcb_set_core(server.tcb, to) != OPAL_OK)
                shared.errors++;
        }
        shared.rounds++;
        message.mr[0] = answer_to(message.mr[0]);
        message.mr[1] = ~message.mr[1];
        message.tag = OPAL_TAG(0, 0, 2);
        opal_reply_recv(server.endpoint, server.reply, &message);
    }
}

/* A server thread on `core`, waiting in Recv. */
static void start_server(struct test_thread *thread, uint32_t priority, uint32_t core)
{
    server.endpoint = test_endpoint();
    server.reply = test_object(OPAL_OBJECT_REPLY, 0);
    server.moves_to = 0;
    spawn_on(thread, priority, core, serve_forever, 0);
    server.tcb = thread->tcb;
}

/* `count` Calls with distinct values; the index of the first wrong answer,
 * or `count`. */
static uint32_t call_server(uint32_t count)
{
    for (uint32_t i = 0; i < count; i++) {
        struct opal_message message = { .tag = OPAL_TAG(7, 0, 2), .mr = { i * 7919u, i } };
        if (opal_call(server.endpoint, &message) != OPAL_OK ||
            message.mr[0] != answer_to(i * 7919u) || message.mr[1] != ~i)
            return i;
    }
    return count;
}

TEST(multicore, calls_to_a_server_on_core_1)
{
    require_cores(2);
    reset_shared();
    struct test_thread thread;
    start_server(&thread, PRIORITY_SAME, 1);
    CHECK_EQ(call_server(ROUNDS_IPC), ROUNDS_IPC);
    CHECK_EQ(shared.rounds, ROUNDS_IPC);
}

/* A client: `count` Calls, then the first wrong answer's index (or count)
 * in shared.first_bad and shared.done set. */
static void client(uint32_t count)
{
    shared.first_bad = call_server(count);
    shared.done = 1;
}

/* A client on core 2 calls a server on core 0 that outranks the root: each
 * Call wakes it from another core and it preempts the root there. */
TEST(multicore, calls_from_core_2_to_a_server_on_core_0)
{
    require_cores(3);
    reset_shared();
    struct test_thread server_thread, client_thread;
    start_server(&server_thread, PRIORITY_HIGH, 0);
    spawn_on(&client_thread, PRIORITY_SAME, 2, client, ROUNDS_IPC);
    CHECK(await(&shared.done, 1, 5000));
    CHECK_EQ(shared.first_bad, ROUNDS_IPC);
    CHECK_EQ(shared.rounds, ROUNDS_IPC);
}

/* The server moves itself between cores 1 and 2 while its caller waits for
 * the reply: every reply still arrives. */
TEST(multicore, server_moving_itself_between_calls_still_replies)
{
    require_cores(3);
    reset_shared();
    struct test_thread thread;
    start_server(&thread, PRIORITY_SAME, 1);
    server.moves_to = 2;
    CHECK_EQ(call_server(100), 100);
    CHECK_EQ(shared.errors, 0);
}

/* A server that holds each Call until the root says: the root moves it
 * (and the client blocked on the reply) to other cores meanwhile. */
static void hold_then_reply(uint32_t unused)
{
    (void)unused;
    struct opal_message message;
    opal_recv(server.endpoint, server.reply, &message);
    shared.flag = 1;
    while (shared.value == 0) {
        shared.counter[0]++;
        relax();
    }
    message.mr[0] = answer_to(message.mr[0]);
    message.mr[1] = ~message.mr[1];
    message.tag = OPAL_TAG(0, 0, 2);
    opal_reply(server.reply, &message);
}

TEST(multicore, call_answered_after_server_and_client_moved)
{
    require_cores(4);
    reset_shared();
    struct test_thread server_thread, client_thread;
    server.endpoint = test_endpoint();
    server.reply = test_object(OPAL_OBJECT_REPLY, 0);
    spawn_on(&server_thread, PRIORITY_SAME, 1, hold_then_reply, 0);
    spawn_on(&client_thread, PRIORITY_SAME, 2, client, 1);
    CHECK(progresses(&shared.flag, 0, PROGRESS_MS));
    CHECK_OK(opal_tcb_set_core(server_thread.tcb, 3));   /* running: stalled and moved */
    CHECK_OK(opal_tcb_set_core(client_thread.tcb, 1));   /* blocked on the reply */
    CHECK_PROGRESS(&shared.counter[0]);                 /* it runs on its new core */
    shared.value = 1;
    CHECK(await(&shared.done, 1, 1000));
    CHECK_EQ(shared.first_bad, 1);
}

/* --- Notifications across cores ------------------------------------------- */

static uint32_t waited_on;

/* Waits for each round's signal and records the word it got. */
static void wait_rounds(uint32_t count)
{
    for (uint32_t i = 0; i < count; i++) {
        uint32_t word = 0;
        if (opal_wait(waited_on, &word) != OPAL_OK || word != (1u << (i % 32)))
            if (shared.first_bad == UINT32_MAX)
                shared.first_bad = i;
        shared.rounds = i + 1;
    }
}

/* Every round's signal wakes the waiter on core 1 once, with its badge;
 * odd rounds give it time to block first, so both a waiting and a not yet
 * waiting waiter are signalled. */
TEST(multicore, signals_wake_a_waiter_on_another_core)
{
    require_cores(2);
    reset_shared();
    waited_on = test_notification();
    uint32_t badged[32];
    for (uint32_t bit = 0; bit < 32; bit++)
        badged[bit] = test_mint(waited_on, OPAL_RIGHTS_ALL, 1u << bit);
    struct test_thread waiter;
    spawn_on(&waiter, PRIORITY_SAME, 1, wait_rounds, ROUNDS_SIGNAL);
    for (uint32_t i = 0; i < ROUNDS_SIGNAL; i++) {
        if (i % 2)
            spin_ms(1);
        CHECK_OK(opal_signal(badged[i % 32]));
        if (!await(&shared.rounds, i + 1, 1000))
            test_fail(__FILE__, __LINE__, "the waiter woke for round (got)", i, i + 1);
    }
    CHECK_EQ(shared.first_bad, UINT32_MAX);
}

/* --- Stopping a thread that runs on another core -------------------------- */

/* Suspend returns only once the thread has stopped on its core: from then
 * on its counter does not move; Resume starts it again, on that core. */
TEST(multicore, suspend_stops_a_thread_running_on_another_core)
{
    require_cores(2);
    reset_shared();
    struct test_thread worker;
    spawn_on(&worker, PRIORITY_SAME, 1, count_forever, 0);
    for (uint32_t round = 0; round < ROUNDS_SUSPEND; round++) {
        CHECK_PROGRESS(&shared.counter[0]);
        CHECK_OK(opal_tcb_suspend(worker.tcb));
        uint32_t at_return = shared.counter[0];
        CHECK_EQ(CHECK_STILL(&shared.counter[0]), at_return);
        CHECK_OK(opal_tcb_resume(worker.tcb));
    }
    CHECK_PROGRESS(&shared.counter[0]);
}

/* Deleting the last cap to a TCB running on core 2 destroys the thread: it
 * never runs again, and the kernel's structures are consistent after. */
TEST(multicore, deleting_a_thread_running_on_another_core_stops_it)
{
    require_cores(3);
    reset_shared();
    struct test_thread worker;
    spawn_on(&worker, PRIORITY_SAME, 2, count_forever, 0);
    CHECK_PROGRESS(&shared.counter[0]);
    CHECK_OK(opal_cnode_delete(ROOT_CNODE, worker.tcb));
    uint32_t at_return = shared.counter[0];
    CHECK_EQ(CHECK_STILL(&shared.counter[0]), at_return);
    CHECK_OK(opal_debug_check_invariants(OPAL_CAP_DEBUG));
}

/* A TCB for the worker retyped from `untyped` (filling it: a revoke and a
 * retype reuse the very memory), configured as thread_create does, with
 * the worker's scheduling context (unbound: its old TCB is gone or freed it). */
static void tcb_from_untyped(struct test_thread *worker, uint32_t untyped, uint32_t core)
{
    uint32_t tcb = test_slot();
    CHECK_OK(opal_cnode_delete(ROOT_CNODE, tcb));
    CHECK_OK(opal_untyped_retype(untyped, OPAL_OBJECT_TCB, 0, ROOT_CNODE, tcb, 1));
    CHECK_OK(opal_tcb_configure(tcb, 0, ROOT_CNODE, ROOT_VSPACE, worker->ipc_address,
                                worker->ipc_frame));
    CHECK_OK(opal_tcb_set_sched_context(tcb, worker->sched_context));
    CHECK_OK(opal_tcb_set_priority(tcb, OPAL_CAP_INIT_TCB, PRIORITY_SAME));
    CHECK_OK(opal_tcb_set_core(tcb, core));
    worker->tcb = tcb;
}

/* Revoking the untyped a thread running on core 3 came from destroys it;
 * its memory, retyped at once into a new thread for core 3, is a new
 * thread there (a core still holding the old one would run or charge the
 * new one as its current thread). */
TEST(multicore, revoking_the_untyped_of_a_thread_on_another_core_stops_it)
{
    require_cores(4);
    reset_shared();
    struct test_thread worker;
    thread_create(&worker, PRIORITY_SAME);
    CHECK_OK(opal_tcb_set_sched_context(worker.tcb, 0));
    uint32_t untyped = test_untyped(OPAL_TCB_BITS);
    tcb_from_untyped(&worker, untyped, 3);
    thread_start(&worker, count_forever, 0);
    CHECK_PROGRESS(&shared.counter[0]);
    CHECK_OK(opal_cnode_revoke(ROOT_CNODE, untyped));
    CHECK(test_slot_empty(worker.tcb));
    uint32_t at_return = shared.counter[0];
    CHECK_EQ(CHECK_STILL(&shared.counter[0]), at_return);
    CHECK_OK(opal_debug_check_invariants(OPAL_CAP_DEBUG));
    tcb_from_untyped(&worker, untyped, 3);
    thread_start(&worker, count_forever, 1);
    CHECK_PROGRESS(&shared.counter[1]);
    CHECK_EQ(CHECK_STILL(&shared.counter[0]), at_return);
    CHECK_OK(opal_debug_check_invariants(OPAL_CAP_DEBUG));
}

/* --- Moving a running thread ---------------------------------------------- */

/* A thread counting on core 1 is moved round cores 2, 3, 1, ... while it
 * runs: after each move it goes on counting. */
TEST(multicore, running_thread_moved_round_the_cores_keeps_running)
{
    require_cores(4);
    reset_shared();
    struct test_thread worker;
    spawn_on(&worker, PRIORITY_SAME, 1, count_forever, 0);
    CHECK_PROGRESS(&shared.counter[0]);
    for (uint32_t round = 0; round < ROUNDS_MOVE; round++) {
        CHECK_OK(opal_tcb_set_core(worker.tcb, 1 + (round + 1) % 3));
        CHECK_PROGRESS(&shared.counter[0]);
    }
}

/* Moved onto the root's core below the root's priority, the worker stops
 * while the root spins (it really left core 1) and runs when the root
 * blocks. */
TEST(multicore, running_thread_moved_to_the_callers_core_waits_its_turn)
{
    require_cores(2);
    reset_shared();
    struct test_thread worker;
    spawn_on(&worker, PRIORITY_LOW, 1, count_forever, 0);
    CHECK_PROGRESS(&shared.counter[0]);
    CHECK_OK(opal_tcb_set_core(worker.tcb, 0));
    uint32_t at_return = shared.counter[0];
    CHECK_EQ(CHECK_STILL(&shared.counter[0]), at_return);
    block_root_for(QUIET_MS);
    CHECK(shared.counter[0] != at_return);
    CHECK_STILL(&shared.counter[0]); /* the root runs again: it waits */
}

/* --- Priorities on another core ------------------------------------------- */

/* Two counters on core 1: only the higher-priority one runs. Lowering it
 * below the other from core 0 hands core 1 over; raising it takes it
 * back. */
TEST(multicore, set_priority_of_a_thread_on_another_core)
{
    require_cores(2);
    reset_shared();
    struct test_thread high, low;
    spawn_on(&low, PRIORITY_BELOW, 1, count_forever, 1);
    spawn_on(&high, PRIORITY_LOW, 1, count_forever, 0);
    CHECK_PROGRESS(&shared.counter[0]);
    CHECK_STILL(&shared.counter[1]);
    for (uint32_t round = 0; round < 5; round++) {
        CHECK_OK(opal_tcb_set_priority(high.tcb, OPAL_CAP_INIT_TCB, PRIORITY_BELOW - 1));
        CHECK_PROGRESS(&shared.counter[1]);
        CHECK_STILL(&shared.counter[0]);
        CHECK_OK(opal_tcb_set_priority(high.tcb, OPAL_CAP_INIT_TCB, PRIORITY_LOW));
        CHECK_PROGRESS(&shared.counter[0]);
        CHECK_STILL(&shared.counter[1]);
    }
}

/* --- Registers of a thread on another core -------------------------------- */

/* Loops with r4 = MAGIC, r6 = its argument (where it stores r5) and r5
 * counting: a register read of the live thread finds r4 and r6 as set and
 * r5 at or past what it had stored before the read. */
void mc_register_loop(uint32_t store_to);
extern char mc_register_loop_top[], mc_register_loop_end[];
/* Stores r0-r3 as it starts (WriteRegisters' values), then counts. */
void mc_record_then_count(void);
/* Reads the word at r0 and counts each read at r1; the load is
 * mc_read_loop_load (the fault's pc once the page is gone). */
void mc_read_loop(void);
extern char mc_read_loop_load[];
/* Counts in the word at r0, using nothing else: copied into a frame of
 * its own VSpace; position independent. */
extern char mc_count_code[], mc_count_code_end[];
__asm__(".arm\n"
        ".global mc_register_loop, mc_register_loop_top, mc_register_loop_end\n"
        "mc_register_loop:\n"
        "    movw r4, #0xbeef\n"
        "    movt r4, #0x5afe\n"
        "    mov r5, #0\n"
        "    mov r6, r0\n"
        "mc_register_loop_top:\n"
        "    add r5, r5, #1\n"
        "    str r5, [r6]\n"
        "    tst r5, #0xff\n"           /* a yield every 256 (see relax) */
        "    bne mc_register_loop_top\n"
        "    yield\n"
        "    b mc_register_loop_top\n"
        "mc_register_loop_end:\n"
        ".global mc_read_loop, mc_read_loop_load\n"
        "mc_read_loop:\n"
        "    mov r3, #0\n"
        "mc_read_loop_load:\n"
        "    ldr r2, [r0]\n"
        "    add r3, r3, #1\n"
        "    str r3, [r1]\n"
        "    tst r3, #0xff\n"
        "    bne mc_read_loop_load\n"
        "    yield\n"
        "    b mc_read_loop_load\n"
        ".global mc_count_code, mc_count_code_end\n"
        "mc_count_code:\n"
        "    ldr r1, [r0]\n"
        "    add r1, r1, #1\n"
        "    str r1, [r0]\n"
        "    tst r1, #0xff\n"
        "    bne mc_count_code\n"
        "    yield\n"
        "    b mc_count_code\n"
        "mc_count_code_end:\n");

/* Each read of a worker spinning on core 1 is its state at one instant:
 * r4 and r6 as it set them, pc in its loop, user mode, and r5 no older than
 * the count it had already stored (a stale saved copy would be older). */
TEST(multicore, read_registers_of_a_thread_running_on_another_core)
{
    require_cores(2);
    reset_shared();
    struct test_thread worker;
    spawn_on(&worker, PRIORITY_SAME, 1, mc_register_loop, (uint32_t)&shared.counter[0]);
    CHECK_PROGRESS(&shared.counter[0]);
    uint32_t previous = 0;
    for (uint32_t i = 0; i < 100; i++) {
        uint32_t stored_before = shared.counter[0];
        struct opal_registers registers;
        CHECK_OK(opal_tcb_read_registers(worker.tcb, &registers));
        CHECK_EQ(registers.r[4], MAGIC);
        CHECK_EQ(registers.r[6], (uint32_t)&shared.counter[0]);
        CHECK_BETWEEN(registers.pc, (uint32_t)mc_register_loop_top,
                      (uint32_t)mc_register_loop_end - 4);
        CHECK_EQ(registers.cpsr & 0x1f, 0x10);
        uint32_t stored_after = shared.counter[0];
        CHECK_BETWEEN(registers.r[5], stored_before, stored_after + 1);
        CHECK(registers.r[5] >= previous);
        previous = registers.r[5];
        CHECK_PROGRESS(&shared.counter[0]);   /* and it runs on after each read */
    }
}

static volatile uint32_t recorded[4];

/* Where WriteRegisters sends a worker (started directly, no trampoline):
 * it records r0-r3 as written, then counts in shared.counter[1]. */
static void record_and_count(uint32_t r0, uint32_t r1, uint32_t r2, uint32_t r3)
{
    recorded[0] = r0;
    recorded[1] = r1;
    recorded[2] = r2;
    recorded[3] = r3;
    count_forever(1);
}

/* record_and_count saw base, base + 1, base + 2, base + 3. */
static void check_recorded(uint32_t base)
{
    for (uint32_t i = 0; i < 4; i++)
        CHECK_EQ(recorded[i], base + i);
}

/* WriteRegisters of a thread spinning on core 1 takes effect: it was
 * stalled first, so core 1 does not save its old registers over the new
 * ones; it starts at the new pc with the new r0-r3 and never goes back. */
TEST(multicore, write_registers_of_a_thread_running_on_another_core)
{
    require_cores(2);
    reset_shared();
    struct test_thread worker;
    spawn_on(&worker, PRIORITY_SAME, 1, count_forever, 0);
    CHECK_PROGRESS(&shared.counter[0]);
    CHECK_OK(opal_tcb_write_registers(worker.tcb, (uint32_t)record_and_count,
                                      (uint32_t)worker.stack_high, 0xa0, 0xa1, 0xa2, 0xa3));
    uint32_t at_return = shared.counter[0];
    CHECK_PROGRESS(&shared.counter[1]);
    check_recorded(0xa0);
    CHECK_EQ(CHECK_STILL(&shared.counter[0]), at_return);
}

/* Suspended while it ran on core 2, written, resumed: it starts there at
 * the written pc. */
TEST(multicore, write_registers_of_a_thread_suspended_on_another_core)
{
    require_cores(3);
    reset_shared();
    struct test_thread worker;
    spawn_on(&worker, PRIORITY_SAME, 2, count_forever, 0);
    CHECK_PROGRESS(&shared.counter[0]);
    CHECK_OK(opal_tcb_suspend(worker.tcb));
    CHECK_OK(opal_tcb_write_registers(worker.tcb, (uint32_t)record_and_count,
                                      (uint32_t)worker.stack_high, 0xb0, 0xb1, 0xb2, 0xb3));
    uint32_t stopped_at = CHECK_STILL(&shared.counter[0]);
    CHECK_EQ(shared.counter[1], 0);
    CHECK_OK(opal_tcb_resume(worker.tcb));
    CHECK_PROGRESS(&shared.counter[1]);
    check_recorded(0xb0);
    CHECK_EQ(shared.counter[0], stopped_at);
}

/* --- Memory taken away under a thread on another core --------------------- */

#define FAULT_BADGE 0x4du

/* The worker reads page A in a loop on core 1 and counts its reads in page
 * B. Once Unmap(A) returns no core may reach A: the worker's next read
 * faults (at the load, for A), and it reads no more; at most the read
 * already done when the unmap came is still counted. */
TEST(multicore, unmap_under_a_reader_on_another_core_faults_its_next_read)
{
    require_cores(2);
    uint32_t frame, page = test_new_mapped_frame(&frame);
    uint32_t count_frame, count_page = test_new_mapped_frame(&count_frame);
    volatile uint32_t *reads = (volatile uint32_t *)count_page;
    uint32_t endpoint = test_endpoint(), reply = test_object(OPAL_OBJECT_REPLY, 0);
    struct test_thread worker;
    thread_create(&worker, PRIORITY_SAME);
    CHECK_OK(opal_tcb_configure(worker.tcb, test_mint(endpoint, OPAL_RIGHTS_ALL, FAULT_BADGE),
                                ROOT_CNODE, ROOT_VSPACE, worker.ipc_address, worker.ipc_frame));
    CHECK_OK(opal_tcb_set_core(worker.tcb, 1));
    CHECK_OK(opal_tcb_write_registers(worker.tcb, (uint32_t)mc_read_loop,
                                      (uint32_t)worker.stack_high, page, count_page, 0, 0));
    CHECK_OK(opal_tcb_resume(worker.tcb));
    CHECK_PROGRESS(reads);
    CHECK_OK(opal_frame_unmap(frame));
    uint32_t at_return = *reads;
    struct opal_message message;
    uint64_t deadline = opal_counter() + PROGRESS_MS * test_ticks_per_ms();
    int error;
    while ((error = opal_nbrecv(endpoint, reply, &message)) == OPAL_ERR_WOULD_BLOCK &&
           opal_counter() < deadline)
        relax();
    uint32_t at_fault = *reads;
    CHECK_OK(error);
    CHECK_EQ(message.badge, FAULT_BADGE);
    CHECK_EQ(OPAL_TAG_LABEL(message.tag), OPAL_FAULT_VM);
    CHECK_EQ(message.mr[0], (uint32_t)mc_read_loop_load);
    CHECK_EQ(message.mr[1], page);
    CHECK_EQ(message.mr[3], 0); /* a read */
    CHECK_BETWEEN(at_fault, at_return, at_return + 1);
    CHECK_EQ(CHECK_STILL(reads), at_fault);
    /* mapped again, the handler's reply on core 0 resumes it on core 1 */
    CHECK_OK(opal_frame_map(frame, ROOT_VSPACE, page, OPAL_MAP_READ | OPAL_MAP_WRITE,
                            OPAL_MAP_CACHED));
    struct opal_message resume = { .tag = OPAL_TAG(OPAL_FAULT_REPLY_RESUME, 0, 0) };
    CHECK_OK(opal_reply(reply, &resume));
    CHECK_PROGRESS(reads);
}

/* A VSpace of its own for a worker: one frame holding mc_count_code at
 * CODE_ADDRESS and its counter at CODE_ADDRESS + COUNTER_OFFSET, also mapped
 * in the root's window (returned) so the root can watch the counter. */
#define CODE_ADDRESS 0x00600000u
#define COUNTER_OFFSET 0x800u

struct private_space {
    uint32_t vspace;
    volatile uint32_t *counter;
    struct test_thread thread;
};

/* A frame with mc_count_code, mapped at CODE_ADDRESS in `vspace`; returns
 * its counter as the root sees it. */
static volatile uint32_t *counting_code_in(uint32_t vspace)
{
    uint32_t frame, window = test_new_mapped_frame(&frame);
    uint8_t *code = (uint8_t *)window;
    for (const char *from = mc_count_code; from < mc_count_code_end; from++)
        *code++ = (uint8_t)*from;
    CHECK_OK(test_map_with_tables(test_copy(frame, OPAL_RIGHTS_ALL), vspace, CODE_ADDRESS,
                                  OPAL_MAP_READ | OPAL_MAP_WRITE | OPAL_MAP_EXECUTE));
    return (volatile uint32_t *)(window + COUNTER_OFFSET);
}

/* A thread on `core` running mc_count_code in `vspace`, its only space. */
static void private_space_create(struct private_space *space, uint32_t vspace, uint32_t core)
{
    space->vspace = vspace;
    space->counter = counting_code_in(vspace);
    thread_create(&space->thread, PRIORITY_SAME);
    CHECK_OK(opal_tcb_configure(space->thread.tcb, 0, ROOT_CNODE, vspace, 0, 0));
    CHECK_OK(opal_tcb_set_core(space->thread.tcb, core));
    CHECK_OK(opal_tcb_write_registers(space->thread.tcb, CODE_ADDRESS, 0,
                                      CODE_ADDRESS + COUNTER_OFFSET, 0, 0, 0));
    CHECK_OK(opal_tcb_resume(space->thread.tcb));
}

/* The VSpace object destroyed (its untyped revoked) while its thread runs
 * on core 1: after the revoke returns the thread never runs again (the
 * kernel logs "its VSpace was deleted; thread stopped"). */
TEST(multicore, vspace_destroyed_under_a_thread_on_another_core_stops_it)
{
    require_cores(2);
    uint32_t untyped = test_untyped(OPAL_VSPACE_BITS + 1), vspace = test_slot();
    CHECK_OK(opal_cnode_delete(ROOT_CNODE, vspace));
    CHECK_OK(opal_untyped_retype(untyped, OPAL_OBJECT_VSPACE, 0, ROOT_CNODE, vspace, 1));
    struct private_space space;
    private_space_create(&space, vspace, 1);
    CHECK_PROGRESS(space.counter);
    CHECK_OK(opal_cnode_revoke(ROOT_CNODE, untyped));
    CHECK(test_slot_empty(vspace));
    uint32_t at_return = *space.counter;
    CHECK_EQ(CHECK_STILL(space.counter), at_return);
    CHECK_OK(opal_debug_check_invariants(OPAL_CAP_DEBUG));
}

/* After a call that should have stopped a thread on another core returned
 * (at `returned`, the counter then at `at_return`): the thread may finish
 * the one step it was in (a store the host delayed), no more. Watched for
 * STOP_WINDOW_MS; a failure gives how long after the return it was last
 * seen counting, in µs. */
static void check_stopped_at_return(volatile uint32_t *counter, uint32_t at_return,
                                    uint64_t returned, const char *what, int line)
{
    uint64_t end = returned + STOP_WINDOW_MS * test_ticks_per_ms(), last = returned;
    uint32_t seen = at_return;
    for (uint64_t now = opal_counter(); now < end; now = opal_counter()) {
        if (*counter != seen) {
            seen = *counter;
            last = now;
        }
        relax();
    }
    if (seen - at_return > 1)
        test_fail(__FILE__, line, what, (uint32_t)((last - returned) * 1000 / test_ticks_per_ms()),
                  0);
}
#define CHECK_STOPPED_AT_RETURN(counter, at_return, returned, what)                     \
    check_stopped_at_return(counter, at_return, returned, what, __LINE__)

/* Revoking the VSpace cap a thread was configured with takes its address
 * space away (docs/api.md, TCB Configure) though the object lives on: the
 * thread on core 1 stops. First whether it stops at all, then whether it
 * had stopped when the revoke returned (as it has on one core, where the
 * revoker holds the CPU). */
TEST(multicore, vspace_cap_revoked_under_a_thread_on_another_core_stops_it)
{
    require_cores(2);
    uint32_t vspace = test_object(OPAL_OBJECT_VSPACE, 0);
    struct private_space space;
    private_space_create(&space, vspace, 1);
    CHECK_PROGRESS(space.counter);
    CHECK_OK(opal_cnode_revoke(ROOT_CNODE, vspace));
    uint64_t returned = opal_counter();
    uint32_t at_return = *space.counter;
    CHECK_STOPPED_AT_RETURN(space.counter, at_return, returned,
                            "us it ran on after the revoke returned");
    CHECK_STILL(space.counter);
}

/* Configure with another VSpace while the thread runs on core 1 (the code
 * is at the same address in both): once the call returns it runs in the
 * new one only. */
TEST(multicore, configure_moves_a_thread_on_another_core_to_its_new_vspace)
{
    require_cores(2);
    struct private_space space;
    private_space_create(&space, test_object(OPAL_OBJECT_VSPACE, 0), 1);
    uint32_t other = test_object(OPAL_OBJECT_VSPACE, 0);
    volatile uint32_t *other_counter = counting_code_in(other);
    CHECK_PROGRESS(space.counter);
    CHECK_OK(opal_tcb_configure(space.thread.tcb, 0, ROOT_CNODE, other, 0, 0));
    uint64_t returned = opal_counter();
    uint32_t at_return = *space.counter;
    CHECK_STOPPED_AT_RETURN(space.counter, at_return, returned,
                            "us it ran on in the old VSpace after Configure returned");
    CHECK_STILL(space.counter);
    CHECK_PROGRESS(other_counter);
}

/* A thread without a scheduling context does not run (docs/api.md): taking
 * it from a thread spinning on core 1 stops it, binding it again restarts
 * it. */
TEST(multicore, unbinding_the_sched_context_of_a_thread_on_another_core_stops_it)
{
    require_cores(2);
    reset_shared();
    struct test_thread worker;
    spawn_on(&worker, PRIORITY_SAME, 1, count_forever, 0);
    for (uint32_t round = 0; round < 5; round++) {
        CHECK_PROGRESS(&shared.counter[0]);
        CHECK_OK(opal_tcb_set_sched_context(worker.tcb, 0));
        uint64_t returned = opal_counter();
        uint32_t at_return = shared.counter[0];
        CHECK_STOPPED_AT_RETURN(&shared.counter[0], at_return, returned,
                                "us it ran on after SetSchedContext(0) returned");
        CHECK_STILL(&shared.counter[0]);
        CHECK_OK(opal_tcb_set_sched_context(worker.tcb, worker.sched_context));
    }
    CHECK_PROGRESS(&shared.counter[0]);
}

/* --- Budgets on another core ---------------------------------------------- */

#define BUDGET_US 2000u
#define PERIOD_US 10000u
#define MEASURE_MS 100u
#define GAP_US 200u   /* a longer gap between two counter reads: it was not running */

/* Adds up, in shared.counter[0] (ticks), the time between consecutive
 * counter reads that are close together: the time it ran. */
static void measure_running(uint32_t unused)
{
    (void)unused;
    uint64_t gap = GAP_US * test_ticks_per_ms() / 1000, last = opal_counter();
    for (;;) {
        uint64_t now = opal_counter();
        if (now - last < gap)
            shared.counter[0] += (uint32_t)(now - last);
        last = now;
        relax();
    }
}

/* The share of MEASURE_MS the worker ran, in percent. */
static uint32_t running_percent(void)
{
    uint32_t before = shared.counter[0];
    spin_ms(MEASURE_MS);
    uint32_t ran = shared.counter[0] - before;
    return (uint32_t)(ran * 100ull / (MEASURE_MS * test_ticks_per_ms()));
}

/* A thread with a 2 ms budget every 10 ms runs about a fifth of the time on
 * core 1, and its context moves with it to core 2 and 3: still about a
 * fifth there (not all the time: unlimited; not never: no refill on the
 * new core). */
TEST(multicore, budget_limits_a_thread_on_another_core_and_moves_with_it)
{
    require_cores(4);
    reset_shared();
    struct test_thread worker;
    thread_create(&worker, PRIORITY_SAME);
    CHECK_OK(opal_sched_control_configure(OPAL_CAP_SCHED_CONTROL, worker.sched_context,
                                          BUDGET_US, PERIOD_US));
    CHECK_OK(opal_tcb_set_core(worker.tcb, 1));
    thread_start(&worker, measure_running, 0);
    for (uint32_t core = 1; core < 4; core++) {
        CHECK_OK(opal_tcb_set_core(worker.tcb, core));
        uint32_t percent = running_percent();
        if (percent < 10 || percent > 35)
            test_fail(__FILE__, __LINE__, "percent of the time it ran on core (expected)",
                      percent, core);
    }
}

static volatile uint32_t last_ran; /* the counter's low word when it last ran */

/* Notes the time, all the time it runs. */
static void note_time(uint32_t unused)
{
    (void)unused;
    for (;;) {
        last_ran = (uint32_t)opal_counter();
        relax();
    }
}

/* Spin up to `ms` until the worker has not run for `idle_us`: its budget
 * is spent and it waits for its refill. */
static bool waits_for_refill(uint32_t idle_us, uint32_t ms)
{
    uint64_t deadline = opal_counter() + ms * test_ticks_per_ms();
    uint32_t idle = (uint32_t)(idle_us * test_ticks_per_ms() / 1000);
    while (opal_counter() < deadline) {
        if ((uint32_t)opal_counter() - last_ran > idle)
            return true;
        relax();
    }
    return false;
}

/* Moved while its budget is spent (waiting for a refill its old core's
 * timer was set for), the thread runs again on its new core: its refill
 * comes there. */
TEST(multicore, thread_moved_while_its_budget_is_spent_runs_on_its_new_core)
{
    require_cores(4);
    struct test_thread worker;
    thread_create(&worker, PRIORITY_SAME);
    CHECK_OK(opal_sched_control_configure(OPAL_CAP_SCHED_CONTROL, worker.sched_context,
                                          BUDGET_US, PERIOD_US));
    CHECK_OK(opal_tcb_set_core(worker.tcb, 1));
    last_ran = (uint32_t)opal_counter();
    thread_start(&worker, note_time, 0);
    for (uint32_t round = 0; round < 9; round++) {
        CHECK_PROGRESS(&last_ran);
        CHECK(waits_for_refill(1000, 2 * PERIOD_US / 1000));
        uint32_t core = 1 + (round + 1) % 3;
        CHECK_OK(opal_tcb_set_core(worker.tcb, core));
        uint32_t at_move = last_ran;
        if (!progresses(&last_ran, at_move, 3 * PERIOD_US / 1000))
            test_fail(__FILE__, __LINE__, "it ran again after the move to core", core, 0);
    }
}

/* --- The domain schedule on other cores ----------------------------------- */

#define DOMAIN_WINDOW_US 2000u
#define DOMAIN_RUN_MS 60u     /* 15 windows each */
#define DOMAIN_GUARD_US 200u  /* left out at each end of a window: timer latency */

struct domain_time {
    volatile uint32_t own, foreign; /* ticks run in its domain's windows, in the other's */
    volatile uint32_t done;
};
static struct domain_time domain_time[2];
static volatile uint64_t domain_origin, domain_end;

/* Spins until domain_end adding up the time it ran (between counter reads
 * less than GAP_US apart) by the window it fell in: window k is domain
 * 1 + k % 2's, so `which` (0 or 1) is the parity of its own. */
static void run_in_domain(uint32_t which)
{
    struct domain_time *time = &domain_time[which];
    uint64_t window = DOMAIN_WINDOW_US * test_ticks_per_ms() / 1000;
    uint64_t guard = DOMAIN_GUARD_US * test_ticks_per_ms() / 1000;
    uint64_t gap = GAP_US * test_ticks_per_ms() / 1000, last = opal_counter();
    for (uint64_t now = last; now < domain_end; now = opal_counter()) {
        uint64_t since = now - domain_origin, offset = since % window;
        if (now - last < gap && offset >= guard && offset < window - guard) {
            if ((since / window) % 2 == which)
                time->own += (uint32_t)(now - last);
            else
                time->foreign += (uint32_t)(now - last);
        }
        last = now;
        relax();
    }
    time->done = 1;
}

/* Windows of domains 1 and 2; a thread of each alone on cores 1 and 2.
 * Each core follows the schedule with its own timer: each thread runs in
 * its own windows and its core idles in the other's. */
TEST(multicore, domain_windows_hold_on_other_cores)
{
    require_cores(3);
    domain_time[0] = domain_time[1] = (struct domain_time){ 0 };
    struct test_thread worker[2];
    for (uint32_t i = 0; i < 2; i++) {
        thread_create(&worker[i], PRIORITY_SAME);
        CHECK_OK(opal_sched_control_set_domain(OPAL_CAP_SCHED_CONTROL, worker[i].tcb, 1 + i));
        CHECK_OK(opal_tcb_set_core(worker[i].tcb, 1 + i));
        CHECK_OK(opal_tcb_write_registers(worker[i].tcb, (uint32_t)thread_trampoline,
                                          (uint32_t)worker[i].stack_high, i,
                                          (uint32_t)run_in_domain, 0, 0));
    }
    /* No check may fail from here until domains are off again. */
    static const uint32_t windows[] = { 1, DOMAIN_WINDOW_US, 2, DOMAIN_WINDOW_US };
    uint64_t before = 0, after = 0;
    int set = OPAL_OK;
    for (uint32_t attempt = 0; attempt < 20; attempt++) { /* a tight bracket: the origin */
        before = opal_counter();
        set = opal_sched_control_set_domain_schedule(OPAL_CAP_SCHED_CONTROL, 2, windows);
        after = opal_counter();
        if (set != OPAL_OK || after - before < test_ticks_per_ms() / 20)
            break;
    }
    domain_origin = before;
    domain_end = after + DOMAIN_RUN_MS * test_ticks_per_ms();
    int resumed[2] = { opal_tcb_resume(worker[0].tcb), opal_tcb_resume(worker[1].tcb) };
    await(&domain_time[1].done, 1, DOMAIN_RUN_MS + PROGRESS_MS);
    await(&domain_time[0].done, 1, PROGRESS_MS);
    int off = opal_sched_control_set_domain_schedule(OPAL_CAP_SCHED_CONTROL, 0, NULL);
    CHECK_OK(set);
    CHECK_OK(off);
    CHECK_OK(resumed[0]);
    CHECK_OK(resumed[1]);
    CHECK(after - before < test_ticks_per_ms() / 20); /* the origin is known to 50 us */
    for (uint32_t i = 0; i < 2; i++) {
        CHECK_EQ(domain_time[i].done, 1);
        /* about 24 ms of its windows' middles; a quarter of that at least */
        CHECK(domain_time[i].own >= 6 * test_ticks_per_ms());
        CHECK_EQ_TEXT(domain_time[i].foreign * 10 <= domain_time[i].own, 1,
                      "time in the other domain's windows <= a tenth of its own");
    }
}

/* --- Blocked threads on another core --------------------------------------- */

/* Recv on r0 (reply object none); returns the error. The pc a blocked
 * caller's registers show is mc_recv_return: how the root knows the thread
 * waits in the kernel, not just before its system call. */
int mc_recv(uint32_t cap);
extern char mc_recv_return[];
_Static_assert(OPAL_SYS_RECV == 5, "mc_recv's system-call number");
__asm__(".arm\n"
        ".global mc_recv, mc_recv_return\n"
        "mc_recv:\n"
        "    push {r4-r7}\n"
        "    mov r1, #0\n"
        "    mov r6, #0\n"
        "    mov r7, #5\n"
        "    svc #0\n"
        "mc_recv_return:\n"
        "    pop {r4-r7}\n"
        "    bx lr\n");

/* One Recv on `cap`; its error in shared.value, then shared.done. */
static void recv_and_record(uint32_t cap)
{
    shared.value = (uint32_t)mc_recv(cap);
    shared.done = 1;
}

/* Poll the thread's registers until it waits in mc_recv's system call. */
static bool waits_in_recv(uint32_t tcb)
{
    uint64_t deadline = opal_counter() + PROGRESS_MS * test_ticks_per_ms();
    while (opal_counter() < deadline) {
        struct opal_registers registers;
        if (opal_tcb_read_registers(tcb, &registers) == OPAL_OK &&
            registers.pc == (uint32_t)mc_recv_return && shared.done == 0)
            return true;
        spin_ms(1);
    }
    return false;
}

/* Deleting the object a thread on core 1 waits on wakes it there with
 * DELETED: an endpoint, then a notification. */
static void check_woken_by_deletion(uint32_t object)
{
    reset_shared();
    struct test_thread worker;
    spawn_on(&worker, PRIORITY_SAME, 1, recv_and_record, object);
    CHECK(waits_in_recv(worker.tcb));
    CHECK_OK(opal_cnode_delete(ROOT_CNODE, object));
    CHECK(await(&shared.done, 1, PROGRESS_MS));
    CHECK_EQ(shared.value, OPAL_ERR_DELETED);
}

TEST(multicore, deleting_what_a_thread_on_another_core_waits_on_wakes_it)
{
    require_cores(2);
    check_woken_by_deletion(test_endpoint());
    check_woken_by_deletion(test_notification());
}

/* A client on core 2 waits for the reply to a Call the root received;
 * deleting the reply object wakes it there with DELETED. */
/* One Call on `endpoint`; its error in shared.value, then shared.done. */
static void call_and_record(uint32_t endpoint)
{
    struct opal_message message = { .tag = OPAL_TAG(7, 0, 1), .mr = { 1 } };
    shared.value = (uint32_t)opal_call(endpoint, &message);
    shared.done = 1;
}

TEST(multicore, deleting_the_reply_wakes_a_caller_on_another_core)
{
    require_cores(3);
    reset_shared();
    uint32_t endpoint = test_endpoint(), reply = test_object(OPAL_OBJECT_REPLY, 0);
    struct test_thread client;
    spawn_on(&client, PRIORITY_SAME, 2, call_and_record, endpoint);
    struct opal_message message;
    uint64_t deadline = opal_counter() + PROGRESS_MS * test_ticks_per_ms();
    int error;
    while ((error = opal_nbrecv(endpoint, reply, &message)) == OPAL_ERR_WOULD_BLOCK &&
           opal_counter() < deadline)
        relax();
    CHECK_OK(error);
    CHECK_EQ(shared.done, 0);
    CHECK_OK(opal_cnode_delete(ROOT_CNODE, reply));
    CHECK(await(&shared.done, 1, PROGRESS_MS));
    CHECK_EQ(shared.value, OPAL_ERR_DELETED);
}

/* A thread waiting in Recv on core 1 is moved to core 2 and suspended and
 * resumed there; a message then still reaches it (Suspend took it off the
 * endpoint: resumed, it makes its Recv again). */
TEST(multicore, thread_blocked_on_another_core_moved_then_messaged)
{
    require_cores(3);
    reset_shared();
    uint32_t endpoint = test_endpoint();
    struct test_thread worker;
    spawn_on(&worker, PRIORITY_SAME, 1, recv_and_record, endpoint);
    CHECK(waits_in_recv(worker.tcb));
    CHECK_OK(opal_tcb_set_core(worker.tcb, 2));
    CHECK(waits_in_recv(worker.tcb));
    struct opal_message message = { .tag = OPAL_TAG(9, 0, 1), .mr = { 5 } };
    CHECK_OK(opal_send(endpoint, &message));
    CHECK(await(&shared.done, 1, PROGRESS_MS));
    CHECK_EQ(shared.value, OPAL_OK);
}

/* --- A bound notification across cores ------------------------------------ */

/* Serves Calls on server.endpoint; a signal of its bound notification ends
 * a Recv with tag 0 and the word as badge, which it records. */
static void serve_calls_and_signals(uint32_t unused)
{
    (void)unused;
    for (;;) {
        struct opal_message message;
        if (opal_recv(server.endpoint, server.reply, &message) != OPAL_OK) {
            shared.errors++;
            continue;
        }
        if (message.tag == 0) {
            shared.value = message.badge;
            shared.rounds++;
            continue;
        }
        message.mr[0] = answer_to(message.mr[0]);
        message.mr[1] = ~message.mr[1];
        message.tag = OPAL_TAG(0, 0, 2);
        opal_reply(server.reply, &message);
    }
}

/* The server on core 1 waits in an endpoint Recv with a notification bound:
 * signals from core 0 reach it through the Recv, each with its word, and
 * Calls between them are answered. */
TEST(multicore, bound_notification_and_calls_reach_a_server_on_another_core)
{
    require_cores(2);
    reset_shared();
    uint32_t notification = test_notification();
    server.endpoint = test_endpoint();
    server.reply = test_object(OPAL_OBJECT_REPLY, 0);
    uint32_t badged[32];
    for (uint32_t bit = 0; bit < 32; bit++)
        badged[bit] = test_mint(notification, OPAL_RIGHTS_ALL, 1u << bit);
    struct test_thread thread;
    thread_create(&thread, PRIORITY_SAME);
    CHECK_OK(opal_tcb_bind_notification(thread.tcb, notification));
    CHECK_OK(opal_tcb_set_core(thread.tcb, 1));
    thread_start(&thread, serve_calls_and_signals, 0);
    for (uint32_t i = 0; i < 100; i++) {
        CHECK_OK(opal_signal(badged[i % 32]));
        if (!await(&shared.rounds, i + 1, 1000))
            test_fail(__FILE__, __LINE__, "the signal of round (got) arrived", i, i + 1);
        CHECK_EQ(shared.value, 1u << (i % 32));
        struct opal_message message = { .tag = OPAL_TAG(7, 0, 2), .mr = { i, i } };
        CHECK_OK(opal_call(server.endpoint, &message));
        CHECK_EQ(message.mr[0], answer_to(i));
        CHECK_EQ(message.mr[1], ~i);
    }
    CHECK_EQ(shared.errors, 0);
}

/* --- vCPUs on another core ------------------------------------------------- */

struct guest_report {
    volatile uint32_t count;      /* loop iterations, or wake-ups from WFI */
    volatile uint32_t tpidrprw;   /* the PL1 register as the guest reads it */
    volatile uint32_t r5;         /* a general register it never changes */
};
static struct guest_report report;

/* Guest code (SVC mode, MMU off, so addresses are the root VSpace's): r0
 * points at the report. mc_guest_loop reports TPIDRPRW and r5 and counts;
 * mc_guest_wfi counts, then waits for an interrupt, again and again. */
void mc_guest_loop(void);
void mc_guest_wfi(void);
__asm__(".arm\n"
        ".global mc_guest_loop, mc_guest_wfi\n"
        "mc_guest_loop:\n"
        "    mrc p15, 0, r2, c13, c0, 4\n"
        "    str r2, [r0, #4]\n"
        "    str r5, [r0, #8]\n"
        "    ldr r3, [r0]\n"
        "    add r3, r3, #1\n"
        "    str r3, [r0]\n"
        "    tst r3, #0xff\n"
        "    bne mc_guest_loop\n"
        "    yield\n"
        "    b mc_guest_loop\n"
        "mc_guest_wfi:\n"
        "    ldr r3, [r0]\n"
        "    add r3, r3, #1\n"
        "    str r3, [r0]\n"
        "    wfi\n"
        "    b mc_guest_wfi\n");

/* A thread bound to a new vCPU, placed on `core`, entering `code` with r0 =
 * &report and r5 = MAGIC; not resumed. Returns the vCPU. */
static uint32_t guest_create(struct test_thread *thread, uint32_t core, void (*code)(void))
{
    report = (struct guest_report){ 0 };
    uint32_t vcpu = test_object(OPAL_OBJECT_VCPU, 0);
    thread_create(thread, PRIORITY_SAME);
    CHECK_OK(opal_vcpu_bind_tcb(vcpu, thread->tcb));
    CHECK_OK(opal_tcb_set_core(thread->tcb, core));
    CHECK_OK(opal_vcpu_write_register(vcpu, OPAL_VCPU_PC, (uint32_t)code));
    CHECK_OK(opal_vcpu_write_register(vcpu, OPAL_VCPU_R0, (uint32_t)&report));
    CHECK_OK(opal_vcpu_write_register(vcpu, OPAL_VCPU_R0 + 5, MAGIC));
    return vcpu;
}

/* A vCPU register's value, checked to be readable. */
static uint32_t vcpu_register(uint32_t vcpu, uint32_t index)
{
    uint32_t value = 0;
    CHECK_OK(opal_vcpu_read_register(vcpu, index, &value));
    return value;
}

/* A guest running on core 1 is written to (TPIDRPRW, which only the vCPU's
 * state holds) and moved round cores 1-3: each value written reaches the
 * guest wherever it runs, reads back the same after the move, and r5 keeps
 * its value all along. */
TEST(multicore, guest_keeps_its_registers_when_moved_between_cores)
{
    require_cores(4);
    struct test_thread thread;
    uint32_t vcpu = guest_create(&thread, 1, mc_guest_loop);
    CHECK_OK(opal_vcpu_write_register(vcpu, OPAL_VCPU_TPIDRPRW, 0x7000));
    CHECK_OK(opal_tcb_resume(thread.tcb));
    CHECK_PROGRESS(&report.count);
    CHECK_EQ(report.tpidrprw, 0x7000);
    for (uint32_t round = 1; round <= 9; round++) {
        uint32_t value = 0x7000 + round;
        CHECK_OK(opal_vcpu_write_register(vcpu, OPAL_VCPU_TPIDRPRW, value));
        if (!await(&report.tpidrprw, value, PROGRESS_MS))
            test_fail(__FILE__, __LINE__, "the guest sees the value written", report.tpidrprw,
                      value);
        CHECK_OK(opal_tcb_set_core(thread.tcb, 1 + round % 3));
        CHECK_EQ(vcpu_register(vcpu, OPAL_VCPU_TPIDRPRW), value);
        CHECK_EQ(vcpu_register(vcpu, OPAL_VCPU_R0 + 5), MAGIC);
        report.tpidrprw = 0;
        if (!await(&report.tpidrprw, value, PROGRESS_MS))
            test_fail(__FILE__, __LINE__, "after the move the guest sees", report.tpidrprw,
                      value);
        CHECK_EQ(report.r5, MAGIC);
    }
}

/* A guest idle in WFI on core 2 wakes when an interrupt is injected from
 * core 0, and while it is pending WFI no longer waits: the guest passes
 * WFI_PASSES of them (one pass would be a wake-up with the interrupt lost,
 * left behind in memory while core 2's list registers lack it). Taking
 * the list register back lets it idle again. */
#define WFI_PASSES 100u
TEST(multicore, injected_interrupt_wakes_a_guest_idle_on_another_core)
{
    require_cores(3);
    struct test_thread thread;
    uint32_t vcpu = guest_create(&thread, 2, mc_guest_wfi);
    CHECK_OK(opal_tcb_resume(thread.tcb));
    CHECK(await(&report.count, 1, PROGRESS_MS));
    for (uint32_t round = 0; round < 10; round++) {
        CHECK_STILL(&report.count);
        uint32_t used = 0xff;
        CHECK_OK(opal_vcpu_inject_irq(vcpu, 40, 0x80, OPAL_VIRQ_ANY_SLOT, 0, &used));
        CHECK(used < OPAL_VCPU_LIST_REGISTERS);
        uint32_t woken_from = report.count;
        if (!progresses_by(&report.count, woken_from, WFI_PASSES, PROGRESS_MS))
            test_fail(__FILE__, __LINE__, "WFI passes with the interrupt pending",
                      report.count - woken_from, WFI_PASSES);
        CHECK_OK(opal_vcpu_write_register(vcpu, OPAL_VCPU_GICH_LR0 + used, 0));
        settle(&report.count); /* the pass it was in when the list register went */
    }
}

/* --- A guest's virtual timer on another core ------------------------------- */

#define LR_VIRTUAL_ID 0x3ffu   /* GICH_LRn bits 9:0 */
#define VTIMER_MS 5u

/* Arm the vCPU's virtual timer VTIMER_MS from now (as the guest would: CVAL
 * in its view, the physical count less CNTVOFF) and enable it. */
static void vtimer_arm(uint32_t vcpu)
{
    uint64_t offset = (uint64_t)vcpu_register(vcpu, OPAL_VCPU_CNTVOFF_HIGH) << 32 |
                      vcpu_register(vcpu, OPAL_VCPU_CNTVOFF_LOW);
    uint64_t compare = opal_counter() - offset + VTIMER_MS * test_ticks_per_ms();
    CHECK_OK(opal_vcpu_write_register(vcpu, OPAL_VCPU_CNTV_CVAL_LOW, (uint32_t)compare));
    CHECK_OK(opal_vcpu_write_register(vcpu, OPAL_VCPU_CNTV_CVAL_HIGH,
                                      (uint32_t)(compare >> 32)));
    CHECK_OK(opal_vcpu_write_register(vcpu, OPAL_VCPU_CNTV_CTL, 1));
}

/* Empty the list register holding the timer's interrupt; false if none
 * does. */
static bool vtimer_taken_back(uint32_t vcpu)
{
    for (uint32_t n = 0; n < OPAL_VCPU_LIST_REGISTERS; n++) {
        if ((vcpu_register(vcpu, OPAL_VCPU_GICH_LR0 + n) & LR_VIRTUAL_ID) == OPAL_VTIMER_IRQ) {
            CHECK_OK(opal_vcpu_write_register(vcpu, OPAL_VCPU_GICH_LR0 + n, 0));
            return true;
        }
    }
    return false;
}

/* A guest idle in WFI on core 1 with its virtual timer armed (by the root,
 * on core 0) wakes when it expires; and so it does when it is moved to core
 * 2, then 3, while it sleeps: its parked timer still wakes it there. */
TEST(multicore, virtual_timer_wakes_a_guest_idle_on_another_core)
{
    require_cores(4);
    struct test_thread thread;
    uint32_t vcpu = guest_create(&thread, 1, mc_guest_wfi);
    CHECK_OK(opal_vcpu_set_vtimer_irq(vcpu, OPAL_VTIMER_IRQ, 0x80));
    CHECK_OK(opal_tcb_resume(thread.tcb));
    CHECK(await(&report.count, 1, PROGRESS_MS));
    for (uint32_t core = 1; core < 4; core++) {
        CHECK_STILL(&report.count);
        vtimer_arm(vcpu);
        CHECK_OK(opal_tcb_set_core(thread.tcb, core));
        uint32_t asleep = report.count;
        spin_ms(VTIMER_MS / 2);
        CHECK_EQ(report.count, asleep);   /* not before its time */
        if (!progresses_by(&report.count, asleep, WFI_PASSES, PROGRESS_MS))
            test_fail(__FILE__, __LINE__, "the timer woke the guest on core (expected)",
                      report.count - asleep, core);
        CHECK(vtimer_taken_back(vcpu));
        settle(&report.count); /* the pass it was in when the list register went */
    }
}

/* --- System calls interrupted by stalls ------------------------------------ */

#define ROUNDS_HAMMER 500u

/* Answers each Call with its MR0, checking they come in order 0, 1, 2...:
 * a Call made twice or lost shows (first_bad: the number it expected). */
static void serve_in_order(uint32_t unused)
{
    (void)unused;
    struct opal_message message;
    opal_recv(server.endpoint, server.reply, &message);
    for (uint32_t expected = 0;; expected++) {
        if (message.mr[0] != expected && shared.first_bad == UINT32_MAX)
            shared.first_bad = expected;
        shared.value = expected + 1;
        message.tag = OPAL_TAG(0, 0, 1);
        opal_reply_recv(server.endpoint, server.reply, &message);
    }
}

/* Calls 0, 1, 2... and counts the answers that match. */
static void call_in_order(uint32_t count)
{
    for (uint32_t i = 0; i < count; i++) {
        struct opal_message message = { .tag = OPAL_TAG(7, 0, 1), .mr = { i } };
        if (opal_call(server.endpoint, &message) == OPAL_OK && message.mr[0] == i)
            shared.rounds++;
        else
            shared.errors++;
    }
    shared.done = 1;
}

/* A client on core 1 calls a server on core 2 while the root keeps reading
 * its registers and moving it between cores 1 and 3: a stall that catches
 * its Call on the way into the kernel drops that entry and the Call is
 * made again later, so each is made exactly once. */
TEST(multicore, calls_interrupted_by_stalls_are_made_exactly_once)
{
    require_cores(4);
    reset_shared();
    server.endpoint = test_endpoint();
    server.reply = test_object(OPAL_OBJECT_REPLY, 0);
    struct test_thread server_thread, client_thread;
    spawn_on(&server_thread, PRIORITY_SAME, 2, serve_in_order, 0);
    spawn_on(&client_thread, PRIORITY_SAME, 1, call_in_order, ROUNDS_HAMMER);
    /* Until done, or no Call completes for five PROGRESS_MS (one was lost,
     * or made twice and the server is out of step): a slow host is fine. */
    uint64_t patience = 5 * PROGRESS_MS * test_ticks_per_ms(), deadline = opal_counter() + patience;
    uint32_t answered = 0;
    for (uint32_t i = 0; shared.done == 0 && opal_counter() < deadline; i++) {
        if (shared.rounds != answered) {
            answered = shared.rounds;
            deadline = opal_counter() + patience;
        }
        struct opal_registers registers;
        CHECK_OK(opal_tcb_read_registers(client_thread.tcb, &registers));
        if (i % 8 == 0)
            CHECK_OK(opal_tcb_set_core(client_thread.tcb, i % 16 ? 1 : 3));
        relax();
    }
    CHECK_EQ(shared.first_bad, UINT32_MAX);
    CHECK_EQ(shared.errors, 0);
    CHECK_EQ(shared.rounds, ROUNDS_HAMMER);
    CHECK_EQ(shared.done, 1);
    CHECK_EQ(shared.value, ROUNDS_HAMMER);
}
