/* The Debug cap: the root task's works (and so does a copy), anything else
 * in its place — an empty slot, a cap of another type, a CSpace without it
 * — gets an error and nothing happens: no output (tests/system/test_api.py
 * checks the console never shows REFUSED_TEXT's start, "debug: t"), no
 * power-off (the suite goes on). */
#include "core/string.h"
#include "runtime/mem.h"
#include "test.h"

#define UNMAPPED 0x30000000u
#define WORKER_CNODE_BITS 4
#define REFUSED_TEXT "debug: this line must never appear\n"
#define WRITTEN_TEXT "debug: written through the Debug cap\n"

/* What a worker in a CSpace of its own saw. */
static volatile uint32_t worker_done;
static volatile int worker_write, worker_invariants, worker_off;
static volatile uint32_t worker_taken;

static uint32_t text_length(const char *text)
{
    return (uint32_t)core_strlen(text);
}

/* Each debug call through OPAL_CAP_DEBUG as the worker's CSpace has it. */
static void try_debug_calls(uint32_t with_off)
{
    uint32_t taken = 0;
    worker_write = opal_debug_write_some(OPAL_CAP_DEBUG, with_off ? REFUSED_TEXT : WRITTEN_TEXT,
                                         text_length(with_off ? REFUSED_TEXT : WRITTEN_TEXT),
                                         &taken);
    worker_taken = taken;
    worker_invariants = opal_debug_check_invariants(OPAL_CAP_DEBUG);
    worker_off = with_off ? opal_debug_system_off(OPAL_CAP_DEBUG) : OPAL_OK;
    worker_done = 1;
}

/* A worker whose CSpace is a fresh guarded CNode (CPtr = slot number),
 * holding a copy of the Debug cap at OPAL_CAP_DEBUG or nothing. */
static void run_worker(bool with_cap)
{
    uint32_t cnode = test_cnode(WORKER_CNODE_BITS);
    uint32_t root = test_mint(cnode, OPAL_RIGHTS_ALL,
                              OPAL_CNODE_GUARD(32 - WORKER_CNODE_BITS, 0));
    if (with_cap)
        CHECK_OK(opal_cnode_copy(cnode, OPAL_CAP_DEBUG, OPAL_CAP_DEBUG, OPAL_RIGHTS_ALL));
    struct test_thread worker;
    thread_create(&worker, PRIORITY_HIGH);
    CHECK_OK(opal_tcb_configure(worker.tcb, 0, root, ROOT_VSPACE, worker.ipc_address,
                                worker.ipc_frame));
    worker_done = 0;
    thread_start(&worker, try_debug_calls, !with_cap);
    CHECK(test_wait_for(&worker_done, 1, 1000));
}

TEST(debug, write_with_the_cap)
{
    uint32_t taken = 0, length = text_length(WRITTEN_TEXT);
    CHECK_OK(opal_debug_write_some(OPAL_CAP_DEBUG, WRITTEN_TEXT, length, &taken));
    CHECK_BETWEEN(taken, 1, length);
    CHECK_OK(opal_debug_write(WRITTEN_TEXT + taken, length - taken));
    CHECK_OK(opal_debug_write_some(OPAL_CAP_DEBUG, "", 0, &taken));
    CHECK_EQ(taken, 0);
}

TEST(debug, check_invariants_with_the_cap)
{
    CHECK_OK(opal_debug_check_invariants(OPAL_CAP_DEBUG));
    CHECK_OK(opal_check_invariants());
}

TEST(debug, write_checks_its_arguments)
{
    uint32_t taken = 7, frame;
    uint32_t address = test_new_mapped_frame(&frame);
    CHECK_EQ(opal_debug_write_some(OPAL_CAP_DEBUG, REFUSED_TEXT, OPAL_DEBUG_WRITE_MAX + 1,
                                   &taken), OPAL_ERR_RANGE);
    CHECK_EQ(taken, 0);
    CHECK_EQ(opal_debug_write_some(OPAL_CAP_DEBUG, (const char *)UNMAPPED, 4, &taken),
             OPAL_ERR_INVALID_ARGUMENT);
    CHECK_EQ(opal_debug_write_some(OPAL_CAP_DEBUG, (const char *)0xfffffff0u, 32, &taken),
             OPAL_ERR_INVALID_ARGUMENT);
    /* Readable up to the page's last byte, the next page unmapped: nothing
     * goes out, not even the readable part. */
    CHECK_EQ(test_window_address(), address + 4096);
    char *end = (char *)(address + 4096 - 8);
    memcpy(end, REFUSED_TEXT, 8);
    CHECK_EQ(opal_debug_write_some(OPAL_CAP_DEBUG, end, 16, &taken), OPAL_ERR_INVALID_ARGUMENT);
    CHECK_EQ(test_invoke_label(OPAL_CAP_DEBUG, OPAL_DEBUG_WRITE), OPAL_ERR_TRUNCATED);
    CHECK_EQ(test_invoke_label(OPAL_CAP_DEBUG, OPAL_DEBUG_CHECK_INVARIANTS + 1),
             OPAL_ERR_ILLEGAL_OPERATION);
}

TEST(debug, an_empty_slot_or_another_cap_is_refused)
{
    uint32_t taken = 7, empty = test_slot(), notification = test_notification();
    uint32_t cnode = test_cnode(2);
    CHECK_EQ(opal_debug_write_some(empty, REFUSED_TEXT, text_length(REFUSED_TEXT), &taken),
             OPAL_ERR_INVALID_CAPABILITY);
    CHECK_EQ(taken, 0);
    CHECK_EQ(opal_debug_check_invariants(empty), OPAL_ERR_INVALID_CAPABILITY);
    CHECK_EQ(opal_debug_system_off(empty), OPAL_ERR_INVALID_CAPABILITY);
    CHECK_EQ(opal_debug_system_off(notification), OPAL_ERR_INVALID_CAPABILITY);
    CHECK_EQ(opal_debug_write_some(notification, REFUSED_TEXT, text_length(REFUSED_TEXT),
                                   &taken), OPAL_ERR_INVALID_CAPABILITY);
    /* A cap with methods of its own refuses the debug labels. */
    CHECK_EQ(opal_debug_system_off(cnode), OPAL_ERR_ILLEGAL_OPERATION);
    CHECK_EQ(opal_debug_write_some(cnode, REFUSED_TEXT, text_length(REFUSED_TEXT), &taken),
             OPAL_ERR_ILLEGAL_OPERATION);
    CHECK_EQ(opal_debug_system_off(OPAL_CAP_SCHED_CONTROL), OPAL_ERR_ILLEGAL_OPERATION);
}

TEST(debug, a_thread_without_the_cap_is_refused)
{
    run_worker(false);
    CHECK_EQ(worker_write, OPAL_ERR_INVALID_CAPABILITY);
    CHECK_EQ(worker_taken, 0);
    CHECK_EQ(worker_invariants, OPAL_ERR_INVALID_CAPABILITY);
    CHECK_EQ(worker_off, OPAL_ERR_INVALID_CAPABILITY);
}

TEST(debug, a_copy_works_like_the_original)
{
    run_worker(true);
    CHECK_OK(worker_write);
    CHECK_BETWEEN(worker_taken, 1, text_length(WRITTEN_TEXT));
    CHECK_OK(worker_invariants);
    uint32_t copy = test_copy(OPAL_CAP_DEBUG, OPAL_RIGHTS_ALL);
    CHECK_OK(opal_debug_check_invariants(copy));
}

/* The longest write, timed: how long the kernel held the CPU for it here
 * (QEMU's PL011 never reports its FIFO full, so it takes every byte). The
 * bound on hardware is in docs/api.md. */
TEST(debug, longest_write_is_timed)
{
    static char line[OPAL_DEBUG_WRITE_MAX];
    memset(line, '-', sizeof line);
    line[sizeof line - 1] = '\n';
    uint32_t taken = 0;
    uint64_t start = opal_counter();
    CHECK_OK(opal_debug_write_some(OPAL_CAP_DEBUG, line, sizeof line, &taken));
    uint64_t ticks = opal_counter() - start;
    CHECK_BETWEEN(taken, 1, sizeof line);
    CHECK_OK(opal_debug_write(line + taken, sizeof line - taken));
    printf("debug: a %u-byte write: %u taken in %u us\n", (unsigned)sizeof line,
           (unsigned)taken, (unsigned)(ticks * 1000 / test_ticks_per_ms()));
}
