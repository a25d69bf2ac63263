/* CSpace lookups: a worker thread whose CSpace is a two-level tree built
 * with Mint guards signals a notification through CPtrs that must resolve
 * (or fail) exactly as docs/api.md says. The root CNode consumes all 32
 * bits, so only such a thread can look up through more than one level. */
#include "test.h"

#define MAX_PROBES 8

/* The tree, as seen by the worker:
 *   top:   8-bit guard 0, 256 slots          (16 bits)
 *   [1]  -> leaf, 8-bit guard 0xab, 256 slots (16 bits): [5] = notification, badge 5
 *   [2]  =  notification, badge 2 (the lookup ends here; low bits ignored)
 *   [3]  -> leaf with a 12-bit guard: 12 + 8 > the 16 bits left
 *   [4]  =  empty
 *   [6]  -> leaf, 4-bit guard 0 (12 bits, 4 left over and ignored) */
struct tree {
    uint32_t top;          /* root slot: the top CNode cap as the worker's CSpace root */
    uint32_t notification;
};

static struct probes {
    uint32_t cptr[MAX_PROBES];
    uint32_t error[MAX_PROBES];
    uint32_t count;
    uint32_t done;
} probes;

static void build_tree(struct tree *tree)
{
    uint32_t top = test_cnode(8), leaf = test_cnode(8);
    tree->notification = test_notification();
    tree->top = test_mint(top, OPAL_RIGHTS_ALL, OPAL_CNODE_GUARD(8, 0));
    CHECK_OK(opal_cnode_mint(top, 1, leaf, OPAL_RIGHTS_ALL, OPAL_CNODE_GUARD(8, 0xab)));
    CHECK_OK(opal_cnode_mint(top, 2, tree->notification, OPAL_RIGHTS_ALL, 2));
    CHECK_OK(opal_cnode_mint(top, 3, leaf, OPAL_RIGHTS_ALL, OPAL_CNODE_GUARD(12, 0)));
    CHECK_OK(opal_cnode_mint(top, 6, leaf, OPAL_RIGHTS_ALL, OPAL_CNODE_GUARD(4, 0)));
    CHECK_OK(opal_cnode_mint(leaf, 5, tree->notification, OPAL_RIGHTS_ALL, 5));
}

static void signal_each(uint32_t unused)
{
    (void)unused;
    for (uint32_t i = 0; i < probes.count; i++)
        probes.error[i] = (uint32_t)opal_signal(probes.cptr[i]);
    probes.done = 1;
}

/* Run the worker in the tree's CSpace over `count` CPtrs. */
static void probe(const struct tree *tree, const uint32_t *cptrs, uint32_t count)
{
    probes = (struct probes){ .count = count };
    for (uint32_t i = 0; i < count; i++) {
        probes.cptr[i] = cptrs[i];
        probes.error[i] = 0xffffffffu;
    }
    struct test_thread worker;
    thread_create(&worker, PRIORITY_HIGH);
    CHECK_OK(opal_tcb_configure(worker.tcb, 0, tree->top, ROOT_VSPACE, worker.ipc_address,
                                worker.ipc_frame));
    thread_start(&worker, signal_each, 0);
    CHECK(test_wait_for(&probes.done, 1, 1000));
}

static uint32_t word_of(uint32_t notification)
{
    uint32_t word = 0;
    int error = opal_poll(notification, &word);
    CHECK(error == OPAL_OK || error == OPAL_ERR_WOULD_BLOCK);
    return word;
}

TEST(cspace, two_levels_resolve)
{
    struct tree tree;
    build_tree(&tree);
    probe(&tree, (const uint32_t[]){ 0x0001ab05u }, 1);
    CHECK_EQ(probes.error[0], OPAL_OK);
    CHECK_EQ(word_of(tree.notification), 5);
}

TEST(cspace, second_level_guard_mismatch)
{
    struct tree tree;
    build_tree(&tree);
    probe(&tree, (const uint32_t[]){ 0x0001ac05u, 0x0001ab05u ^ 0x00000100u }, 2);
    CHECK_EQ(probes.error[0], OPAL_ERR_FAILED_LOOKUP);
    CHECK_EQ(probes.error[1], OPAL_ERR_FAILED_LOOKUP);
    CHECK_EQ(word_of(tree.notification), 0);
}

TEST(cspace, first_level_guard_mismatch)
{
    struct tree tree;
    build_tree(&tree);
    probe(&tree, (const uint32_t[]){ 0x0101ab05u, 0x80020000u }, 2);
    CHECK_EQ(probes.error[0], OPAL_ERR_FAILED_LOOKUP);
    CHECK_EQ(probes.error[1], OPAL_ERR_FAILED_LOOKUP);
}

TEST(cspace, lookup_ends_at_a_non_cnode_slot)
{
    struct tree tree;
    build_tree(&tree);
    probe(&tree, (const uint32_t[]){ 0x00020000u, 0x0002ffffu }, 2);
    CHECK_EQ(probes.error[0], OPAL_OK);
    CHECK_EQ(probes.error[1], OPAL_OK);
    CHECK_EQ(word_of(tree.notification), 2);
}

TEST(cspace, too_few_bits_for_a_cnode)
{
    struct tree tree;
    build_tree(&tree);
    probe(&tree, (const uint32_t[]){ 0x00030005u }, 1);
    CHECK_EQ(probes.error[0], OPAL_ERR_FAILED_LOOKUP);
}

TEST(cspace, empty_slot_in_the_tree)
{
    struct tree tree;
    build_tree(&tree);
    probe(&tree, (const uint32_t[]){ 0x00040000u, 0x0001ab06u }, 2);
    CHECK_EQ(probes.error[0], OPAL_ERR_INVALID_CAPABILITY);
    CHECK_EQ(probes.error[1], OPAL_ERR_INVALID_CAPABILITY);
}

TEST(cspace, leftover_bits_after_second_level_ignored)
{
    struct tree tree;
    build_tree(&tree);
    probe(&tree, (const uint32_t[]){ 0x00060050u, 0x0006005fu }, 2);
    CHECK_EQ(probes.error[0], OPAL_OK);
    CHECK_EQ(probes.error[1], OPAL_OK);
    CHECK_EQ(word_of(tree.notification), 5);
}

TEST(cspace, guard_set_by_mutate)
{
    struct tree tree = { .top = test_slot(), .notification = test_notification() };
    uint32_t top = test_cnode(8);
    CHECK_OK(opal_cnode_mint(top, 2, tree.notification, OPAL_RIGHTS_ALL, 2));
    uint32_t plain = test_copy(top, OPAL_RIGHTS_ALL);
    CHECK_OK(opal_cnode_mutate(ROOT_CNODE, tree.top, plain, OPAL_CNODE_GUARD(8, 0x7f)));
    CHECK(test_slot_empty(plain));
    probe(&tree, (const uint32_t[]){ 0x7f020000u, 0x00020000u }, 2);
    CHECK_EQ(probes.error[0], OPAL_OK);
    CHECK_EQ(probes.error[1], OPAL_ERR_FAILED_LOOKUP);
    CHECK_EQ(word_of(tree.notification), 2);
}

TEST(cspace, root_cptr_with_high_bits_fails)
{
    uint32_t notification = test_notification();
    CHECK_EQ(opal_signal(0x00100000u | notification), OPAL_ERR_FAILED_LOOKUP);
    CHECK_EQ(opal_signal(0x80000000u | notification), OPAL_ERR_FAILED_LOOKUP);
    CHECK_OK(opal_signal(notification));
}

TEST(cspace, cptr_zero_is_empty)
{
    CHECK_EQ(opal_signal(OPAL_CAP_NULL), OPAL_ERR_INVALID_CAPABILITY);
}

TEST(cspace, retype_into_cnode_named_by_guarded_cap)
{
    uint32_t cnode = test_cnode(4);
    uint32_t guarded = test_mint(cnode, OPAL_RIGHTS_ALL, OPAL_CNODE_GUARD(4, 3));
    /* From the root's CSpace the guarded cap is just a slot: the guard only
     * matters when a lookup goes through it. */
    CHECK_OK(opal_untyped_retype(test_untyped(12), OPAL_OBJECT_ENDPOINT, 0, guarded, 7, 1));
    CHECK(test_cnode_slot_used(cnode, 7));
}
