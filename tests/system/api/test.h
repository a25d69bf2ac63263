/* The in-QEMU API test framework: TEST(suite, name) registration in a linker
 * section, checks that end a test at its first failure, per-test resources
 * that are deleted after the test, and worker threads. */
#ifndef API_TEST_H
#define API_TEST_H

#include <stdbool.h>
#include <stddef.h>
#include "opal.h"

/* --- Registration ---------------------------------------------------------
 * Each TEST puts a struct test_case in section "opal_tests" (lib/user.ld
 * keeps it whole between __start_opal_tests and __stop_opal_tests); main.c
 * runs them by suite (in main.c's order) and line. */
struct test_case {
    const char *suite;
    const char *name;
    const char *file;
    uint32_t line;
    void (*run)(void);
};

#define TEST(suite, name)                                                               \
    static void test_##suite##_##name(void);                                            \
    static const struct test_case test_case_##suite##_##name                           \
        __attribute__((used, section("opal_tests"), aligned(4))) = {                     \
            #suite, #name, __FILE__, __LINE__, test_##suite##_##name };                 \
    static void test_##suite##_##name(void)

/* --- Checks ---------------------------------------------------------------
 * A failed check records where and what, and jumps back to the runner,
 * which cleans up and prints the one FAIL line. Only the root thread may
 * check: worker threads store what they saw in shared variables. */
__attribute__((noreturn)) void test_fail(const char *file, int line, const char *expression,
                                         uint32_t got, uint32_t expected);

#define CHECK_EQ_TEXT(actual, expected, text)                                           \
    do {                                                                                \
        uint32_t got_ = (uint32_t)(actual), expected_ = (uint32_t)(expected);           \
        if (got_ != expected_)                                                          \
            test_fail(__FILE__, __LINE__, text, got_, expected_);                       \
    } while (0)
#define CHECK_EQ(actual, expected) CHECK_EQ_TEXT(actual, expected, #actual)
#define CHECK_OK(call) CHECK_EQ_TEXT(call, OPAL_OK, #call)
#define CHECK_BETWEEN(actual, low, high)                                                \
    do {                                                                                \
        uint32_t got_ = (uint32_t)(actual);                                             \
        if (got_ < (uint32_t)(low) || got_ > (uint32_t)(high))                          \
            test_fail(__FILE__, __LINE__, #actual " in [" #low ", " #high "]", got_, low); \
    } while (0)
#define CHECK(condition)                                                                \
    do {                                                                                \
        if (!(condition))                                                               \
            test_fail(__FILE__, __LINE__, #condition, 0, 1);                            \
    } while (0)

/* --- Per-test resources (resources.c) -------------------------------------
 * Everything here is deleted (revoked, then deleted, newest first) when the
 * test ends, whether it passed or not. */
#define ROOT_CNODE OPAL_CAP_INIT_CNODE
#define ROOT_VSPACE OPAL_CAP_INIT_VSPACE

/* An empty root-CNode slot. */
uint32_t test_slot(void);
/* Track a slot the test filled itself. */
void test_track(uint32_t slot);
/* A new object from the allocator. */
uint32_t test_object_at(const char *file, int line, uint32_t type, uint32_t size_bits);
#define test_object(type, size_bits) test_object_at(__FILE__, __LINE__, type, size_bits)
#define test_untyped(size_bits) test_object(OPAL_OBJECT_UNTYPED, size_bits)
#define test_endpoint() test_object(OPAL_OBJECT_ENDPOINT, 0)
#define test_notification() test_object(OPAL_OBJECT_NOTIFICATION, 0)
#define test_cnode(slot_bits) test_object(OPAL_OBJECT_CNODE, slot_bits)
/* A copy / mint of `source` in a new slot. */
uint32_t test_copy(uint32_t source, uint32_t rights);
uint32_t test_mint(uint32_t source, uint32_t rights, uint32_t badge);
/* Is the slot empty? (a Copy from it fails with INVALID_CAPABILITY) */
bool test_slot_empty(uint32_t slot);
/* Is slot `index` of a CNode the root cannot address into in use? (a Copy
 * into it fails with DELETE_FIRST; a successful probe is deleted again) */
bool test_cnode_slot_used(uint32_t cnode, uint32_t index);
/* An invocation with any label and MR0-MR3: for wrong-label tests. */
int test_invoke_label(uint32_t cap, uint32_t label);
/* The boot info, always mapped at the same place. */
#define BOOTINFO ((const struct opal_bootinfo *)OPAL_BOOTINFO_ADDRESS)

/* The root VSpace's test window: addresses handed out per test from
 * TEST_WINDOW (page tables installed once and kept). */
#define TEST_WINDOW 0x20000000u
#define TEST_WINDOW_SIZE 0x00200000u
uint32_t test_window_address(void);
/* Map `frame` at `address` of `vspace`, retyping and mapping page tables
 * (tracked for this test) until the map stops failing the lookup. */
int test_map_with_tables(uint32_t frame, uint32_t vspace, uint32_t address, uint32_t rights);
/* A new 4 KiB frame mapped read-write in the test window; returns its address. */
uint32_t test_new_mapped_frame(uint32_t *frame);

/* Run the per-test cleanup; the first error of a Delete, or OPAL_OK. */
int test_cleanup(void);
void test_resources_init(const struct opal_bootinfo *bootinfo);

/* --- Time (resources.c) --------------------------------------------------- */
uint64_t test_ticks_per_ms(void);
/* Yield until *where == value or `ms` pass; true if it got there. */
bool test_wait_for(volatile uint32_t *where, uint32_t value, uint32_t ms);
/* Busy-wait (no yield) for `ms`. */
void test_spin(uint32_t ms);

/* --- Worker threads (thread.c) --------------------------------------------
 * Workers run in the root VSpace and CSpace, with a stack from a static pool
 * and an IPC buffer frame in the test window. Their TCB, scheduling context
 * and frame are test resources: the thread is gone after the test. */
#define PRIORITY_ROOT 100 /* main sets the root thread's priority to this */
#define PRIORITY_HIGH 110 /* runs as soon as it can */
#define PRIORITY_LOW 90   /* runs only when the root thread blocks */
#define PRIORITY_SAME PRIORITY_ROOT

struct test_thread {
    uint32_t tcb;
    uint32_t sched_context;
    uint32_t ipc_frame;
    uint32_t ipc_address;
    uint8_t *stack_low, *stack_high;
};

/* A configured thread (root CSpace and VSpace, IPC buffer, scheduling context
 * bound, priority set), not started. */
void thread_create(struct test_thread *thread, uint32_t priority);
/* Set pc/sp/r0 so it runs entry(argument) then exits, and resume it. */
void thread_start(struct test_thread *thread, void (*entry)(uint32_t), uint32_t argument);
void thread_spawn(struct test_thread *thread, uint32_t priority, void (*entry)(uint32_t),
                  uint32_t argument);
/* The address a new thread starts at (it calls r1(r0), then exits). */
void thread_trampoline(uint32_t argument, void (*entry)(uint32_t));
void thread_stacks_release(void);

#endif
