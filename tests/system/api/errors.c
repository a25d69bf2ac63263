/* The detail of refused invocations as a program sees it through libopal
 * (opal_last_error_detail): the argument that failed and a RANGE's bounds. */
#include "test.h"

#define ADDRESS 0x10000000u

/* The last failure's detail is `argument` with bounds [low, high]. */
#define CHECK_DETAIL(argument_, low_, high_)                                            \
    do {                                                                                \
        struct opal_error_detail detail_ = opal_last_error_detail();                    \
        CHECK_EQ(detail_.argument, argument_);                                          \
        CHECK_EQ(detail_.low, low_);                                                    \
        CHECK_EQ(detail_.high, high_);                                                  \
    } while (0)

TEST(errors, retype_size_names_size_bits_and_bounds)
{
    uint32_t untyped = test_untyped(16);
    CHECK_EQ(opal_untyped_retype(untyped, OPAL_OBJECT_CNODE, 20, ROOT_CNODE, test_slot(), 1),
             OPAL_ERR_RANGE);
    CHECK_DETAIL(1, OPAL_CNODE_MIN_BITS, OPAL_CNODE_MAX_BITS);
    CHECK_EQ(opal_untyped_retype(untyped, OPAL_OBJECT_ENDPOINT, 0, ROOT_CNODE, test_slot(),
                                 OPAL_RETYPE_MAX_COUNT + 1),
             OPAL_ERR_RANGE);
    CHECK_DETAIL(4, 1, OPAL_RETYPE_MAX_COUNT);
}

TEST(errors, cnode_copy_into_occupied_slot_names_the_index)
{
    uint32_t endpoint = test_endpoint();
    CHECK_EQ(opal_cnode_copy(ROOT_CNODE, endpoint, endpoint, OPAL_RIGHTS_ALL),
             OPAL_ERR_DELETE_FIRST);
    CHECK_DETAIL(0, 0, 0);
    CHECK_EQ(opal_cnode_copy(ROOT_CNODE, test_slot(), test_slot(), OPAL_RIGHTS_ALL),
             OPAL_ERR_INVALID_CAPABILITY);
    CHECK_DETAIL(1, 0, 0);
}

TEST(errors, frame_map_names_each_check)
{
    uint32_t vspace = test_object(OPAL_OBJECT_VSPACE, 0);
    uint32_t frame = test_object(OPAL_OBJECT_FRAME, OPAL_FRAME_SMALL_BITS);
    CHECK_EQ(opal_frame_map(frame, vspace, ADDRESS, OPAL_MAP_READ, OPAL_MAP_CACHED),
             OPAL_ERR_FAILED_LOOKUP); /* no page tables there: the address */
    CHECK_DETAIL(1, 0, 0);
    CHECK_EQ(opal_frame_map(frame, vspace, ADDRESS + 4, OPAL_MAP_READ, OPAL_MAP_CACHED),
             OPAL_ERR_ALIGNMENT);
    CHECK_DETAIL(1, 0, 0);
    CHECK_EQ(opal_frame_map(frame, test_endpoint(), ADDRESS, OPAL_MAP_READ, OPAL_MAP_CACHED),
             OPAL_ERR_INVALID_CAPABILITY);
    CHECK_DETAIL(0, 0, 0);
    uint32_t read_only = test_copy(frame, OPAL_RIGHT_READ);
    CHECK_EQ(opal_frame_map(read_only, vspace, ADDRESS, OPAL_MAP_READ | OPAL_MAP_WRITE,
                            OPAL_MAP_CACHED),
             OPAL_ERR_ILLEGAL_OPERATION); /* rights the cap lacks: the rights argument */
    CHECK_DETAIL(2, 0, 0);
    CHECK_EQ(opal_frame_remap(frame, OPAL_MAP_READ, OPAL_MAP_CACHED),
             OPAL_ERR_ILLEGAL_OPERATION); /* not mapped: the frame itself */
    CHECK_DETAIL(OPAL_ERROR_ARGUMENT_INVOKED, 0, 0);
    /* the raw reply, as the ABI carries it: a VSpace has no methods */
    struct opal_message message = { .tag = OPAL_TAG(OPAL_FRAME_MAP, 0, 0) };
    CHECK_EQ(opal_call(vspace, &message), OPAL_ERR_ILLEGAL_OPERATION);
    CHECK_EQ(OPAL_TAG_LENGTH(message.tag), OPAL_ERROR_DETAIL_LENGTH);
    CHECK_EQ(message.mr[0], OPAL_ERROR_ARGUMENT_LABEL);
}

TEST(errors, set_priority_names_the_mcp_bound)
{
    uint32_t tcb = test_object(OPAL_OBJECT_TCB, 0);
    CHECK_EQ(opal_tcb_set_priority(tcb, OPAL_CAP_INIT_TCB, OPAL_PRIORITY_MAX + 1),
             OPAL_ERR_RANGE);
    struct opal_error_detail detail = opal_last_error_detail();
    CHECK_EQ(detail.argument, 1);
    CHECK_EQ(detail.low, 0);
    CHECK(detail.high <= OPAL_PRIORITY_MAX); /* the root thread's MCP */
}

TEST(errors, a_failed_read_leaves_the_results_alone)
{
    uint32_t physical = 0x1234;
    CHECK_EQ(opal_frame_address(test_notification(), &physical), OPAL_ERR_INVALID_CAPABILITY);
    CHECK_DETAIL(OPAL_ERROR_ARGUMENT_INVOKED, 0, 0); /* a notification has no methods */
    CHECK_EQ(physical, 0x1234);
    CHECK_EQ(opal_cnode_delete(ROOT_CNODE, 1u << OPAL_ROOT_CNODE_BITS), OPAL_ERR_RANGE);
    CHECK_DETAIL(0, 0, (1u << OPAL_ROOT_CNODE_BITS) - 1);
}
