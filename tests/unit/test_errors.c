/* The detail of refused invocations (include/opal/error.h), through the
 * system-call decode on the fake arch: r0 the error as always, and MR0-MR2
 * the failed argument and, for a RANGE, its bounds, with a tag of three words. */
#define UNIT_SUITE "errors"
#include "unit.h"
#include "kernel_fixture.h"
#include "opal/limits.h"
#include "opal/syscall.h"

#define IRQ_CONTROL 4        /* boot caps of the kinds only init holds */
#define SCHED_CONTROL 5
#define DEBUG_CAP 9
#define CALLER_TCB 10        /* a cap to fx.caller itself */
#define DEVICE_UNTYPED 11
#define TCB 20               /* objects under test */
#define NTFN 21
#define SCHED_CONTEXT 22
#define VCPU 23
#define FREE 30              /* empty slots from here */
#define POISON FIXTURE_POISON
#define USER_IRQ 40          /* an interrupt the fake GIC lets user level own */

static struct opal_ipc_buffer *buffer; /* fx.caller's, for words past MR3 */

static int call(uint32_t cptr, uint32_t label, const uint32_t *arguments, uint32_t length)
{
    return fixture_call(cptr, label, arguments, length, buffer);
}

#define CALL(cptr, label, ...) \
    call(cptr, label, FIXTURE_ARGS(__VA_ARGS__), FIXTURE_COUNT(__VA_ARGS__))
#define CALL_NO_ARGUMENTS(cptr, label) call(cptr, label, NULL, 0)

/* The reply's tag length and message register i (r2 + i). */
static uint32_t reply_length(void)
{
    return OPAL_TAG_LENGTH(fx.caller->context.r[1]);
}

static uint32_t reply_mr(uint32_t i)
{
    return fx.caller->context.r[2 + i];
}

/* The call is refused with `error`, naming `argument`, with no bounds. */
#define CHECK_REFUSED(call_, error, argument)                                           \
    do {                                                                                \
        CHECK_EQ(call_, error);                                                         \
        CHECK_EQ(reply_length(), OPAL_ERROR_DETAIL_LENGTH);                             \
        CHECK_EQ(reply_mr(0), argument);                                                \
        CHECK_EQ(reply_mr(1), 0);                                                       \
        CHECK_EQ(reply_mr(2), 0);                                                       \
    } while (0)

/* The call is refused with RANGE: `argument` had to lie in [low, high]. */
#define CHECK_OUT_OF_RANGE(call_, argument, low, high)                                  \
    do {                                                                                \
        CHECK_EQ(call_, OPAL_ERR_RANGE);                                                \
        CHECK_EQ(reply_length(), OPAL_ERROR_DETAIL_LENGTH);                             \
        CHECK_EQ(reply_mr(0), argument);                                                \
        CHECK_EQ(reply_mr(1), low);                                                     \
        CHECK_EQ(reply_mr(2), high);                                                    \
    } while (0)

static void setup(void)
{
    fixture_setup();
    buffer = fixture_ipc_buffer(fx.caller);
    fixture_boot_cap(IRQ_CONTROL, (struct cap){ .type = OPAL_OBJECT_IRQ_CONTROL,
                                                .rights = OPAL_RIGHTS_ALL });
    fixture_boot_cap(SCHED_CONTROL, (struct cap){ .type = OPAL_OBJECT_SCHED_CONTROL,
                                                  .rights = OPAL_RIGHTS_ALL });
    fixture_boot_cap(DEBUG_CAP, (struct cap){ .type = OPAL_OBJECT_DEBUG,
                                              .rights = OPAL_RIGHTS_ALL });
    fixture_boot_cap(CALLER_TCB, (struct cap){ .type = OPAL_OBJECT_TCB,
                                               .rights = OPAL_RIGHTS_ALL,
                                               .object = fixture_address(fx.caller) });
    fixture_untyped(DEVICE_UNTYPED, 16, true);
    if (fixture_retype(FIXTURE_UNTYPED, OPAL_OBJECT_TCB, 0, TCB, 1) != OPAL_OK ||
        fixture_retype(FIXTURE_UNTYPED, OPAL_OBJECT_NOTIFICATION, 0, NTFN, 1) != OPAL_OK ||
        fixture_retype(FIXTURE_UNTYPED, OPAL_OBJECT_SCHED_CONTEXT, 0, SCHED_CONTEXT, 1) != OPAL_OK ||
        fixture_retype(FIXTURE_UNTYPED, OPAL_OBJECT_VCPU, OPAL_VCPU_BITS, VCPU, 1) != OPAL_OK)
        fixture_die("errors world");
}

TEST(retype_with_a_bad_size_names_size_bits_and_its_bounds)
{
    setup();
    CHECK_OUT_OF_RANGE(CALL(FIXTURE_UNTYPED, OPAL_UNTYPED_RETYPE, OPAL_OBJECT_CNODE, 17,
                            FIXTURE_ROOT_CPTR, FREE, 1),
                       1, OPAL_CNODE_MIN_BITS, OPAL_CNODE_MAX_BITS);
    CHECK_OUT_OF_RANGE(CALL(FIXTURE_UNTYPED, OPAL_UNTYPED_RETYPE, OPAL_OBJECT_UNTYPED, 3,
                            FIXTURE_ROOT_CPTR, FREE, 1),
                       1, OPAL_UNTYPED_MIN_BITS, OPAL_UNTYPED_MAX_BITS);
    CHECK_OUT_OF_RANGE(CALL(FIXTURE_UNTYPED, OPAL_UNTYPED_RETYPE, OPAL_OBJECT_FRAME, 13,
                            FIXTURE_ROOT_CPTR, FREE, 1),
                       1, OPAL_FRAME_SMALL_BITS, OPAL_FRAME_LARGE_BITS);
}

TEST(retype_names_each_other_argument)
{
    setup();
    CHECK_REFUSED(CALL(FIXTURE_UNTYPED, OPAL_UNTYPED_RETYPE, 99, 0, FIXTURE_ROOT_CPTR, FREE, 1),
                  OPAL_ERR_INVALID_ARGUMENT, 0);
    CHECK_OUT_OF_RANGE(CALL(FIXTURE_UNTYPED, OPAL_UNTYPED_RETYPE, OPAL_OBJECT_ENDPOINT, 0,
                            FIXTURE_ROOT_CPTR, FREE, 0),
                       4, 1, OPAL_RETYPE_MAX_COUNT);
    CHECK_OUT_OF_RANGE(CALL(FIXTURE_UNTYPED, OPAL_UNTYPED_RETYPE, OPAL_OBJECT_ENDPOINT, 0,
                            FIXTURE_ROOT_CPTR, FIXTURE_ROOT_SLOTS, 1),
                       3, 0, FIXTURE_ROOT_SLOTS - 1);
    CHECK_OUT_OF_RANGE(CALL(FIXTURE_UNTYPED, OPAL_UNTYPED_RETYPE, OPAL_OBJECT_ENDPOINT, 0,
                            FIXTURE_ROOT_CPTR, FIXTURE_ROOT_SLOTS - 2, 3),
                       4, 1, 2);
    CHECK_REFUSED(CALL(FIXTURE_UNTYPED, OPAL_UNTYPED_RETYPE, OPAL_OBJECT_ENDPOINT, 0, NTFN, FREE, 1),
                  OPAL_ERR_INVALID_CAPABILITY, 2);
    CHECK_REFUSED(CALL(FIXTURE_UNTYPED, OPAL_UNTYPED_RETYPE, OPAL_OBJECT_ENDPOINT, 0,
                       FIXTURE_ROOT_CPTR, NTFN, 1),
                  OPAL_ERR_DELETE_FIRST, 3);
    CHECK_REFUSED(CALL(FIXTURE_UNTYPED, OPAL_UNTYPED_RETYPE, OPAL_OBJECT_ENDPOINT, 0),
                  OPAL_ERR_TRUNCATED, 2); /* the first missing word */
    CHECK_REFUSED(CALL(FIXTURE_UNTYPED, OPAL_UNTYPED_RETYPE, OPAL_OBJECT_UNTYPED, 29,
                       FIXTURE_ROOT_CPTR, FREE, 1),
                  OPAL_ERR_NOT_ENOUGH_MEMORY, OPAL_ERROR_ARGUMENT_INVOKED);
}

TEST(a_refused_retype_leaves_the_untyped_as_it_was)
{
    /* The watermark goes back to 0 when the untyped has no children left; a
     * Retype that is then refused for room must not have moved it already. */
    setup();
    uint32_t small = FREE + 10;
    CHECK_EQ(fixture_retype(FIXTURE_UNTYPED, OPAL_OBJECT_UNTYPED, 12, small, 1), OPAL_OK);
    CHECK_EQ(fixture_retype(small, OPAL_OBJECT_ENDPOINT, 0, FREE, 1), OPAL_OK);
    CHECK_EQ(CNODE(OPAL_CNODE_DELETE, FREE), OPAL_OK);
    CHECK_FAILS_CLEANLY(OPAL_ERR_NOT_ENOUGH_MEMORY,
                        CALL(small, OPAL_UNTYPED_RETYPE, OPAL_OBJECT_UNTYPED, 13,
                             FIXTURE_ROOT_CPTR, FREE, 1));
    CHECK_EQ(reply_mr(0), OPAL_ERROR_ARGUMENT_INVOKED);
}

TEST(cnode_copy_into_an_occupied_slot_names_the_destination_index)
{
    setup();
    CHECK_REFUSED(CALL(FIXTURE_ROOT_CPTR, OPAL_CNODE_COPY, NTFN, TCB, OPAL_RIGHTS_ALL),
                  OPAL_ERR_DELETE_FIRST, 0);
    CHECK_OUT_OF_RANGE(CALL(FIXTURE_ROOT_CPTR, OPAL_CNODE_COPY, FIXTURE_ROOT_SLOTS, TCB,
                            OPAL_RIGHTS_ALL),
                       0, 0, FIXTURE_ROOT_SLOTS - 1);
    CHECK_REFUSED(CALL(FIXTURE_ROOT_CPTR, OPAL_CNODE_COPY, FREE, FREE + 1, OPAL_RIGHTS_ALL),
                  OPAL_ERR_INVALID_CAPABILITY, 1);
    CHECK_REFUSED(CALL(FIXTURE_ROOT_CPTR, OPAL_CNODE_COPY, FREE, TCB, 0x100),
                  OPAL_ERR_INVALID_ARGUMENT, 2);
    /* a guard too wide for the CNode: the bounds are guard_bits' */
    CHECK_OUT_OF_RANGE(CALL(FIXTURE_ROOT_CPTR, OPAL_CNODE_MINT, FREE, FIXTURE_ROOT_CPTR,
                            OPAL_RIGHTS_ALL, 30u << 24),
                       3, 0, 32 - FIXTURE_ROOT_BITS);
}

TEST(each_illegal_operation_names_its_check)
{
    setup();
    /* untyped: a device untyped makes no TCB (the type argument) */
    CHECK_REFUSED(CALL(DEVICE_UNTYPED, OPAL_UNTYPED_RETYPE, OPAL_OBJECT_TCB, 0,
                       FIXTURE_ROOT_CPTR, FREE, 1),
                  OPAL_ERR_ILLEGAL_OPERATION, 0);
    /* CNode: an untyped cannot be copied (the source) */
    CHECK_REFUSED(CALL(FIXTURE_ROOT_CPTR, OPAL_CNODE_COPY, FREE, FIXTURE_UNTYPED, OPAL_RIGHTS_ALL),
                  OPAL_ERR_ILLEGAL_OPERATION, 1);
    /* TCB: not configured (the object's state); writing one's own registers */
    CHECK_REFUSED(CALL_NO_ARGUMENTS(TCB, OPAL_TCB_RESUME), OPAL_ERR_ILLEGAL_OPERATION,
                  OPAL_ERROR_ARGUMENT_INVOKED);
    CHECK_REFUSED(CALL(CALLER_TCB, OPAL_TCB_WRITE_REGISTERS, 0, 0, 0, 0, 0, 0),
                  OPAL_ERR_ILLEGAL_OPERATION, OPAL_ERROR_ARGUMENT_INVOKED);
    CHECK_REFUSED(CALL_NO_ARGUMENTS(TCB, OPAL_TCB_UNBIND_NOTIFICATION),
                  OPAL_ERR_ILLEGAL_OPERATION, OPAL_ERROR_ARGUMENT_INVOKED);
    /* TCB: a notification bound to another thread (argument 0) */
    CHECK_EQ(CALL(CALLER_TCB, OPAL_TCB_BIND_NOTIFICATION, NTFN), OPAL_OK);
    CHECK_REFUSED(CALL(TCB, OPAL_TCB_BIND_NOTIFICATION, NTFN), OPAL_ERR_ILLEGAL_OPERATION, 0);
    /* vCPU: the caller cannot become a guest (the TCB argument) */
    CHECK_REFUSED(CALL(VCPU, OPAL_VCPU_BIND_TCB, CALLER_TCB), OPAL_ERR_ILLEGAL_OPERATION, 0);
    /* every object type: a label it does not have */
    static const uint32_t objects[] = { FIXTURE_UNTYPED, FIXTURE_ROOT_CPTR, TCB, VCPU,
                                        IRQ_CONTROL, SCHED_CONTROL, DEBUG_CAP };
    for (unsigned i = 0; i < sizeof objects / sizeof objects[0]; i++)
        CHECK_REFUSED(CALL_NO_ARGUMENTS(objects[i], 999), OPAL_ERR_ILLEGAL_OPERATION,
                      OPAL_ERROR_ARGUMENT_LABEL);
}

TEST(ranges_name_their_bounds)
{
    setup();
    CHECK_OUT_OF_RANGE(CALL(SCHED_CONTROL, OPAL_SCHED_CONTROL_CONFIGURE, SCHED_CONTEXT, 10, 0),
                       2, 1, OPAL_SCHED_PERIOD_MAX_US);
    CHECK_OUT_OF_RANGE(CALL(SCHED_CONTROL, OPAL_SCHED_CONTROL_CONFIGURE, SCHED_CONTEXT, 600, 500),
                       1, 1, 500);
    CHECK_REFUSED(CALL(SCHED_CONTROL, OPAL_SCHED_CONTROL_CONFIGURE, TCB, 100, 500),
                  OPAL_ERR_INVALID_CAPABILITY, 0);
    fx.caller->mcp = 100;
    CHECK_OUT_OF_RANGE(CALL(TCB, OPAL_TCB_SET_PRIORITY, CALLER_TCB, 101), 1, 0, 100);
    CHECK_OUT_OF_RANGE(CALL(IRQ_CONTROL, OPAL_IRQ_CONTROL_GET, 5, FIXTURE_ROOT_CPTR, FREE),
                       0, 16, 1023);
    CHECK_EQ(CALL(IRQ_CONTROL, OPAL_IRQ_CONTROL_GET, USER_IRQ, FIXTURE_ROOT_CPTR, FREE), OPAL_OK);
    CHECK_REFUSED(CALL(IRQ_CONTROL, OPAL_IRQ_CONTROL_GET, USER_IRQ, FIXTURE_ROOT_CPTR, FREE + 1),
                  OPAL_ERR_REVOKE_FIRST, 0);
    CHECK_REFUSED(CALL(IRQ_CONTROL, OPAL_IRQ_CONTROL_GET, USER_IRQ + 1, FIXTURE_ROOT_CPTR, FREE),
                  OPAL_ERR_DELETE_FIRST, 2);
    CHECK_OUT_OF_RANGE(CALL(DEBUG_CAP, OPAL_DEBUG_WRITE, 0x1000, OPAL_DEBUG_WRITE_MAX + 1),
                       1, 0, OPAL_DEBUG_WRITE_MAX);
    CHECK_OUT_OF_RANGE(CALL(VCPU, OPAL_VCPU_INJECT_IRQ, 32, 0x80, 4, 0), 2, 0,
                       OPAL_VCPU_LIST_REGISTERS - 1);
    CHECK_REFUSED(CALL(VCPU, OPAL_VCPU_INJECT_IRQ, 32, 0x100, 0, 0), OPAL_ERR_INVALID_ARGUMENT, 1);
    CHECK_REFUSED(CALL(VCPU, OPAL_VCPU_WRITE_REGISTER, OPAL_VCPU_REGISTER_COUNT, 0),
                  OPAL_ERR_INVALID_ARGUMENT, 0);
}

TEST(domain_schedule_names_the_window)
{
    setup();
    /* two windows need five words; a domain 0 (argument 1); a window too short */
    CHECK_REFUSED(CALL(SCHED_CONTROL, OPAL_SCHED_CONTROL_SET_DOMAIN_SCHEDULE, 2, 1, 1000, 0),
                  OPAL_ERR_TRUNCATED, 4);
    CHECK_REFUSED(CALL(SCHED_CONTROL, OPAL_SCHED_CONTROL_SET_DOMAIN_SCHEDULE, 1, 0, 1000),
                  OPAL_ERR_INVALID_ARGUMENT, 1);
    CHECK_OUT_OF_RANGE(CALL(SCHED_CONTROL, OPAL_SCHED_CONTROL_SET_DOMAIN_SCHEDULE, 1, 1, 10),
                       2, OPAL_DOMAIN_WINDOW_MIN_US, OPAL_DOMAIN_SCHEDULE_MAX_US);
    CHECK_OUT_OF_RANGE(CALL(SCHED_CONTROL, OPAL_SCHED_CONTROL_SET_DOMAIN_SCHEDULE,
                            OPAL_DOMAIN_WINDOWS + 1),
                       0, 0, OPAL_DOMAIN_WINDOWS);
    /* the second window takes the total past the limit: its length, with the room left */
    CHECK_OUT_OF_RANGE(CALL(SCHED_CONTROL, OPAL_SCHED_CONTROL_SET_DOMAIN_SCHEDULE, 2, 1, 6000000,
                            2, 6000000),
                       4, OPAL_DOMAIN_WINDOW_MIN_US, OPAL_DOMAIN_SCHEDULE_MAX_US - 6000000);
}

TEST(a_cap_without_methods_or_lookup_names_the_invoked_cap)
{
    setup();
    CHECK_REFUSED(CALL_NO_ARGUMENTS(NTFN, 1), OPAL_ERR_INVALID_CAPABILITY,
                  OPAL_ERROR_ARGUMENT_INVOKED);
    CHECK_REFUSED(CALL_NO_ARGUMENTS(FREE, 1), OPAL_ERR_INVALID_CAPABILITY,
                  OPAL_ERROR_ARGUMENT_INVOKED);
}

TEST(success_returns_results_not_a_detail)
{
    setup();
    CHECK_EQ(CALL(VCPU, OPAL_VCPU_READ_REGISTER, 0), OPAL_OK);
    CHECK_EQ(reply_length(), 1);
    CHECK_EQ(CALL(FIXTURE_ROOT_CPTR, OPAL_CNODE_COPY, FREE, TCB, OPAL_RIGHTS_ALL), OPAL_OK);
    CHECK_EQ(reply_length(), 0);
}
