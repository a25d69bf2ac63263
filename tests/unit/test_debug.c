/* The Debug cap's invocations (kernel/object/debug.c) with the fake arch's
 * UART, whose FIFO a test fills: a write takes what fits and never waits,
 * checks every byte readable before one goes out, and refuses bad calls. */
#define UNIT_SUITE "debug"
#include "unit.h"
#include "kernel_fixture.h"

#define DEBUG_SLOT 40

static struct slot *debug_cap;

/* The fixture, the boot Debug cap, and a VSpace for the caller (the fake
 * translates every address to itself). */
static void setup(void)
{
    fixture_setup();
    debug_cap = fixture_boot_cap(DEBUG_SLOT, (struct cap){ .type = OPAL_OBJECT_DEBUG,
                                                           .rights = OPAL_RIGHTS_ALL });
    struct slot *vspace = fixture_new(OPAL_OBJECT_VSPACE, 0);
    cdt_insert_child(vspace, &fx.caller->vspace_root, &vspace->cap);
    fake_console_clear();
}

static uint32_t taken;

static int write(const char *text, uint32_t length)
{
    uint32_t arguments[] = { fixture_address(text), length };
    struct invocation invocation = { .caller = fx.caller, .slot = debug_cap,
                                     .label = OPAL_DEBUG_WRITE, .length = 2,
                                     .arguments = arguments };
    int error = debug_invoke(&invocation);
    taken = error == OPAL_OK && invocation.result_length == 1 ? invocation.results[0] : 0xdead;
    return error;
}

TEST(write_takes_everything_while_the_fifo_has_room)
{
    setup();
    CHECK_EQ(write("one\ntwo", 7), OPAL_OK);
    CHECK_EQ(taken, 7);
    CHECK_STR(fake_console(), "one\r\ntwo");
}

TEST(write_stops_when_the_fifo_is_full_and_says_how_much)
{
    setup();
    fake.console_room = 5;         /* "ab", then "\r\n", then "c" */
    CHECK_EQ(write("ab\ncd", 5), OPAL_OK);
    CHECK_EQ(taken, 4);
    CHECK_STR(fake_console(), "ab\r\nc");
    fake.console_room = 0;
    CHECK_EQ(write("d", 1), OPAL_OK);
    CHECK_EQ(taken, 0);
    CHECK_STR(fake_console(), "ab\r\nc");
}

TEST(a_newline_cut_after_its_carriage_return_is_sent_whole_again)
{
    setup();
    fake.console_room = 1;
    CHECK_EQ(write("\nx", 2), OPAL_OK);
    CHECK_EQ(taken, 0);
    fake.console_room = UINT32_MAX;
    CHECK_EQ(write("\nx", 2), OPAL_OK);
    CHECK_EQ(taken, 2);
    CHECK_STR(fake_console(), "\r\r\nx");
}

TEST(write_checks_every_page_before_printing)
{
    setup();
    static char text[2 * 4096] __attribute__((aligned(4096)));
    memset(text, 'x', sizeof text);
    fake.unmapped_start = fixture_address(text) + 4096;
    fake.unmapped_size = 4096;
    CHECK_EQ(write(text + 4096 - 4, 8), OPAL_ERR_INVALID_ARGUMENT);
    CHECK_EQ(write(text + 4096 - 4, 4), OPAL_OK);
    CHECK_EQ(taken, 4);
    CHECK_STR(fake_console(), "xxxx");
}

TEST(write_refuses_bad_arguments)
{
    setup();
    static char text[OPAL_DEBUG_WRITE_MAX + 1];
    CHECK_EQ(write(text, OPAL_DEBUG_WRITE_MAX + 1), OPAL_ERR_RANGE);
    CHECK_EQ(write((const char *)(uintptr_t)0xfffffff0u, 32), OPAL_ERR_INVALID_ARGUMENT);
    CHECK_EQ(INVOKE(debug_invoke, debug_cap, OPAL_DEBUG_WRITE, 0x1000), OPAL_ERR_TRUNCATED);
    CHECK_EQ(INVOKE(debug_invoke, debug_cap, OPAL_DEBUG_CHECK_INVARIANTS + 1, 0),
             OPAL_ERR_ILLEGAL_OPERATION);
    cap_delete(&fx.caller->vspace_root);
    CHECK_EQ(write("a", 1), OPAL_ERR_INVALID_ARGUMENT);
    CHECK_STR(fake_console(), "");
}

TEST(check_invariants_answers_the_check)
{
    setup();
    CHECK_EQ(INVOKE(debug_invoke, debug_cap, OPAL_DEBUG_CHECK_INVARIANTS, 0), OPAL_OK);
}

TEST(the_cap_can_be_copied)
{
    setup();
    CHECK(cap_copyable(&debug_cap->cap));
    CHECK_EQ(CNODE(OPAL_CNODE_COPY, DEBUG_SLOT + 1, DEBUG_SLOT, OPAL_RIGHTS_ALL), OPAL_OK);
    CHECK_EQ(fx.root[DEBUG_SLOT + 1].cap.type, OPAL_OBJECT_DEBUG);
    CHECK_INVARIANTS();
}
