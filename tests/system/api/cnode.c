/* CNode invocations: Copy, Mint, Move, Mutate, Delete, Revoke, with rights,
 * badges, guards and the derivation tree. */
#include "test.h"

#define READ_ONLY OPAL_RIGHT_READ
#define WRITE_ONLY OPAL_RIGHT_WRITE

static int nbsend_empty(uint32_t cptr)
{
    struct opal_message message = { 0 };
    return opal_nbsend(cptr, &message);
}

static int nbrecv_any(uint32_t cptr)
{
    struct opal_message message;
    return opal_nbrecv(cptr, 0, &message);
}

/* The notification word after signalling through `cptr` (0 if none came). */
static uint32_t signalled_badge(uint32_t notification, uint32_t cptr)
{
    uint32_t word = 0;
    CHECK_OK(opal_signal(cptr));
    int error = opal_poll(notification, &word);
    CHECK(error == OPAL_OK || error == OPAL_ERR_WOULD_BLOCK);
    return word;
}

TEST(cnode, copy_works_like_the_original)
{
    uint32_t copy = test_copy(test_endpoint(), OPAL_RIGHTS_ALL);
    CHECK_OK(nbsend_empty(copy));
    CHECK_EQ(nbrecv_any(copy), OPAL_ERR_WOULD_BLOCK);
}

TEST(cnode, copy_with_read_only_cannot_send)
{
    uint32_t copy = test_copy(test_endpoint(), READ_ONLY);
    CHECK_EQ(nbsend_empty(copy), OPAL_ERR_ILLEGAL_OPERATION);
    CHECK_EQ(nbrecv_any(copy), OPAL_ERR_WOULD_BLOCK);
}

TEST(cnode, copy_with_write_only_cannot_receive)
{
    uint32_t copy = test_copy(test_endpoint(), WRITE_ONLY);
    CHECK_EQ(nbrecv_any(copy), OPAL_ERR_ILLEGAL_OPERATION);
    CHECK_OK(nbsend_empty(copy));
}

TEST(cnode, rights_never_grow)
{
    uint32_t reduced = test_copy(test_endpoint(), READ_ONLY);
    uint32_t again = test_copy(reduced, OPAL_RIGHTS_ALL);
    CHECK_EQ(nbsend_empty(again), OPAL_ERR_ILLEGAL_OPERATION);
}

TEST(cnode, copy_bad_rights_bits)
{
    CHECK_EQ(opal_cnode_copy(ROOT_CNODE, test_slot(), test_endpoint(), 0x10),
             OPAL_ERR_INVALID_ARGUMENT);
}

TEST(cnode, copy_from_empty_slot)
{
    CHECK_EQ(opal_cnode_copy(ROOT_CNODE, test_slot(), test_slot(), OPAL_RIGHTS_ALL),
             OPAL_ERR_INVALID_CAPABILITY);
}

TEST(cnode, copy_to_occupied_slot)
{
    uint32_t endpoint = test_endpoint(), other = test_endpoint();
    CHECK_EQ(opal_cnode_copy(ROOT_CNODE, other, endpoint, OPAL_RIGHTS_ALL), OPAL_ERR_DELETE_FIRST);
}

TEST(cnode, copy_index_out_of_range)
{
    uint32_t endpoint = test_endpoint();
    CHECK_EQ(opal_cnode_copy(ROOT_CNODE, 1u << OPAL_ROOT_CNODE_BITS, endpoint, OPAL_RIGHTS_ALL),
             OPAL_ERR_RANGE);
    CHECK_EQ(opal_cnode_copy(test_cnode(2), 4, endpoint, OPAL_RIGHTS_ALL), OPAL_ERR_RANGE);
}

TEST(cnode, copy_source_lookup_fails)
{
    CHECK_EQ(opal_cnode_copy(ROOT_CNODE, test_slot(), 0x00100000u | OPAL_CAP_INIT_TCB,
                             OPAL_RIGHTS_ALL), OPAL_ERR_FAILED_LOOKUP);
}

TEST(cnode, untyped_cannot_be_copied_or_minted_but_moves)
{
    uint32_t untyped = test_untyped(12), destination = test_slot();
    CHECK_EQ(opal_cnode_copy(ROOT_CNODE, test_slot(), untyped, OPAL_RIGHTS_ALL),
             OPAL_ERR_ILLEGAL_OPERATION);
    CHECK_EQ(opal_cnode_mint(ROOT_CNODE, test_slot(), untyped, OPAL_RIGHTS_ALL, 5),
             OPAL_ERR_ILLEGAL_OPERATION);
    CHECK_OK(opal_cnode_move(ROOT_CNODE, destination, untyped));
    CHECK_OK(opal_untyped_retype(destination, OPAL_OBJECT_ENDPOINT, 0, ROOT_CNODE, test_slot(), 1));
}

TEST(cnode, control_caps_cannot_be_copied)
{
    CHECK_EQ(opal_cnode_copy(ROOT_CNODE, test_slot(), OPAL_CAP_IRQ_CONTROL, OPAL_RIGHTS_ALL),
             OPAL_ERR_ILLEGAL_OPERATION);
    CHECK_EQ(opal_cnode_copy(ROOT_CNODE, test_slot(), OPAL_CAP_SCHED_CONTROL, OPAL_RIGHTS_ALL),
             OPAL_ERR_ILLEGAL_OPERATION);
}

TEST(cnode, mint_sets_notification_badge)
{
    uint32_t notification = test_notification();
    uint32_t badged = test_mint(notification, OPAL_RIGHTS_ALL, 0x1234);
    CHECK_EQ(signalled_badge(notification, badged), 0x1234);
}

TEST(cnode, copy_keeps_the_badge)
{
    uint32_t notification = test_notification();
    uint32_t badged = test_mint(notification, OPAL_RIGHTS_ALL, 0x40);
    CHECK_EQ(signalled_badge(notification, test_copy(badged, OPAL_RIGHTS_ALL)), 0x40);
}

TEST(cnode, mint_from_badged_cap_is_illegal)
{
    uint32_t badged = test_mint(test_notification(), OPAL_RIGHTS_ALL, 1);
    CHECK_EQ(opal_cnode_mint(ROOT_CNODE, test_slot(), badged, OPAL_RIGHTS_ALL, 2),
             OPAL_ERR_ILLEGAL_OPERATION);
}

TEST(cnode, mint_reduces_rights)
{
    uint32_t minted = test_mint(test_endpoint(), READ_ONLY, 5);
    CHECK_EQ(nbsend_empty(minted), OPAL_ERR_ILLEGAL_OPERATION);
}

TEST(cnode, mint_guard_too_wide)
{
    uint32_t cnode = test_cnode(4);
    CHECK_EQ(opal_cnode_mint(ROOT_CNODE, test_slot(), cnode, OPAL_RIGHTS_ALL,
                             OPAL_CNODE_GUARD(29, 0)), OPAL_ERR_RANGE);
    CHECK_OK(opal_cnode_mint(ROOT_CNODE, test_slot(), cnode, OPAL_RIGHTS_ALL,
                             OPAL_CNODE_GUARD(28, 0)));
}

TEST(cnode, move_empties_the_source)
{
    uint32_t endpoint = test_endpoint(), destination = test_slot();
    CHECK_OK(opal_cnode_move(ROOT_CNODE, destination, endpoint));
    CHECK(test_slot_empty(endpoint));
    CHECK_OK(nbsend_empty(destination));
}

TEST(cnode, move_from_empty_slot)
{
    CHECK_EQ(opal_cnode_move(ROOT_CNODE, test_slot(), test_slot()), OPAL_ERR_INVALID_CAPABILITY);
}

TEST(cnode, move_to_occupied_slot)
{
    uint32_t endpoint = test_endpoint();
    CHECK_EQ(opal_cnode_move(ROOT_CNODE, test_endpoint(), endpoint), OPAL_ERR_DELETE_FIRST);
    CHECK(!test_slot_empty(endpoint));
}

TEST(cnode, move_keeps_derivation)
{
    uint32_t endpoint = test_endpoint();
    uint32_t child = test_copy(endpoint, OPAL_RIGHTS_ALL), moved = test_slot();
    CHECK_OK(opal_cnode_move(ROOT_CNODE, moved, child));
    CHECK_OK(opal_cnode_revoke(ROOT_CNODE, endpoint));
    CHECK(test_slot_empty(moved));
    CHECK(!test_slot_empty(endpoint));
}

TEST(cnode, mutate_sets_badge)
{
    uint32_t notification = test_notification();
    uint32_t copy = test_copy(notification, OPAL_RIGHTS_ALL), mutated = test_slot();
    CHECK_OK(opal_cnode_mutate(ROOT_CNODE, mutated, copy, 0x99));
    CHECK(test_slot_empty(copy));
    CHECK_EQ(signalled_badge(notification, mutated), 0x99);
}

TEST(cnode, mutate_from_badged_cap_is_illegal)
{
    uint32_t badged = test_mint(test_notification(), OPAL_RIGHTS_ALL, 1);
    CHECK_EQ(opal_cnode_mutate(ROOT_CNODE, test_slot(), badged, 2), OPAL_ERR_ILLEGAL_OPERATION);
    CHECK(!test_slot_empty(badged));
}

TEST(cnode, delete_empties_slot)
{
    uint32_t endpoint = test_endpoint();
    CHECK_OK(opal_cnode_delete(ROOT_CNODE, endpoint));
    CHECK(test_slot_empty(endpoint));
    CHECK_EQ(nbsend_empty(endpoint), OPAL_ERR_INVALID_CAPABILITY);
}

TEST(cnode, delete_empty_slot_is_ok)
{
    CHECK_OK(opal_cnode_delete(ROOT_CNODE, test_slot()));
}

TEST(cnode, delete_index_out_of_range)
{
    CHECK_EQ(opal_cnode_delete(test_cnode(2), 4), OPAL_ERR_RANGE);
}

TEST(cnode, delete_a_copy_keeps_the_object)
{
    uint32_t notification = test_notification();
    uint32_t badged = test_mint(notification, OPAL_RIGHTS_ALL, 7);
    CHECK_OK(opal_cnode_delete(ROOT_CNODE, notification));
    uint32_t word = 0;
    CHECK_OK(opal_signal(badged));
    CHECK_OK(opal_poll(badged, &word));
    CHECK_EQ(word, 7);
}

TEST(cnode, delete_parent_keeps_children)
{
    uint32_t endpoint = test_endpoint();
    uint32_t child = test_copy(endpoint, OPAL_RIGHTS_ALL);
    CHECK_OK(opal_cnode_delete(ROOT_CNODE, endpoint));
    CHECK_OK(nbsend_empty(child));
}

TEST(cnode, revoke_removes_all_descendants)
{
    uint32_t endpoint = test_endpoint();
    uint32_t child = test_copy(endpoint, OPAL_RIGHTS_ALL);
    uint32_t grandchild = test_copy(child, READ_ONLY);
    uint32_t minted = test_mint(endpoint, OPAL_RIGHTS_ALL, 3);
    CHECK_OK(opal_cnode_revoke(ROOT_CNODE, endpoint));
    CHECK(test_slot_empty(child));
    CHECK(test_slot_empty(grandchild));
    CHECK(test_slot_empty(minted));
    CHECK_OK(nbsend_empty(endpoint));
}

TEST(cnode, revoke_child_keeps_parent_and_siblings)
{
    uint32_t endpoint = test_endpoint();
    uint32_t child = test_copy(endpoint, OPAL_RIGHTS_ALL);
    uint32_t sibling = test_copy(endpoint, OPAL_RIGHTS_ALL);
    uint32_t grandchild = test_copy(child, OPAL_RIGHTS_ALL);
    CHECK_OK(opal_cnode_revoke(ROOT_CNODE, child));
    CHECK(test_slot_empty(grandchild));
    CHECK(!test_slot_empty(child));
    CHECK(!test_slot_empty(sibling));
    CHECK(!test_slot_empty(endpoint));
}

TEST(cnode, revoke_reaches_into_other_cnodes)
{
    uint32_t endpoint = test_endpoint(), cnode = test_cnode(2);
    CHECK_OK(opal_cnode_copy(cnode, 1, endpoint, OPAL_RIGHTS_ALL));
    CHECK(test_cnode_slot_used(cnode, 1));
    CHECK_OK(opal_cnode_revoke(ROOT_CNODE, endpoint));
    CHECK(!test_cnode_slot_used(cnode, 1));
}

TEST(cnode, operations_in_a_retyped_cnode)
{
    uint32_t cnode = test_cnode(4), notification = test_notification();
    CHECK_OK(opal_cnode_mint(cnode, 5, notification, OPAL_RIGHTS_ALL, 8));
    CHECK(test_cnode_slot_used(cnode, 5));
    CHECK_EQ(opal_cnode_copy(cnode, 5, notification, OPAL_RIGHTS_ALL), OPAL_ERR_DELETE_FIRST);
    CHECK_OK(opal_cnode_delete(cnode, 5));
    CHECK(!test_cnode_slot_used(cnode, 5));
    CHECK_EQ(opal_cnode_revoke(cnode, 16), OPAL_ERR_RANGE);
}

TEST(cnode, wrong_label_on_cnode_is_illegal)
{
    CHECK_EQ(test_invoke_label(test_cnode(2), OPAL_TCB_RESUME), OPAL_ERR_ILLEGAL_OPERATION);
}
