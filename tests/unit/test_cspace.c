/* CPtr resolution (kernel/cspace.c) through guarded CNode trees built by
 * hand: guards, radix, early ends at non-CNode caps, and exact slot identity. */
#define UNIT_SUITE "cspace"
#include "unit.h"
#include "kernel_fixture.h"

static struct cap endpoint_cap(uint32_t object)
{
    return (struct cap){ .type = OPAL_OBJECT_ENDPOINT, .rights = OPAL_RIGHTS_ALL,
                         .object = object };
}

/* A zeroed CNode of 2^size_bits slots and a cap to it. */
static struct slot *new_cnode(uint32_t size_bits, uint32_t guard_bits, uint32_t guard,
                              struct cap *cap)
{
    struct slot *slots = fixture_alloc(size_bits + OPAL_SLOT_BITS);
    *cap = fixture_cnode_cap(slots, size_bits, guard_bits, guard);
    return slots;
}

/* cspace_lookup_slot must succeed and land exactly on `expected`. */
#define CHECK_RESOLVES(root, cptr, expected)                                             \
    do {                                                                                 \
        struct slot *found_ = NULL;                                                      \
        CHECK_EQ(cspace_lookup_slot(root, cptr, &found_), OPAL_OK);                      \
        CHECKF(found_ == (expected), "cptr 0x%08x: slot %p, expected %p", (unsigned)(cptr), \
               (void *)found_, (void *)(expected));                                     \
    } while (0)

#define CHECK_FAILS(root, cptr)                                                          \
    do {                                                                                 \
        struct slot *found_ = NULL;                                                      \
        CHECK_EQ(cspace_lookup_slot(root, cptr, &found_), OPAL_ERR_FAILED_LOOKUP);       \
        CHECK(found_ == NULL);                                                           \
    } while (0)

TEST(root_task_layout_cptr_is_slot_index)
{
    fixture_setup();
    const struct cap *root = &fx.root[FIXTURE_ROOT_CPTR].cap;
    static const uint32_t indices[] = { 0, 1, 2, 5, 0x7ff, 0x800, 0xfff };
    for (unsigned i = 0; i < sizeof indices / sizeof indices[0]; i++)
        CHECK_RESOLVES(root, indices[i], &fx.root[indices[i]]);
}

TEST(root_task_layout_guard_must_be_zero)
{
    fixture_setup();
    const struct cap *root = &fx.root[FIXTURE_ROOT_CPTR].cap;
    CHECK_FAILS(root, 0x1000);       /* lowest guard bit */
    CHECK_FAILS(root, 0x80000000u);  /* highest */
    CHECK_FAILS(root, 0xffffffffu);
    CHECK_FAILS(root, 0x00101005u);
}

TEST(root_cap_must_be_a_cnode)
{
    struct cap endpoint = endpoint_cap(0x1000), empty = { 0 };
    CHECK_FAILS(&endpoint, 0);
    CHECK_FAILS(&empty, 0);
}

/* Level 1: 8-bit guard 0xa5, 256 slots; slot 3: level 2 with guard 0x123
 * (12 bits), 16 slots: together all 32 bits. */
struct two_levels {
    struct cap root;
    struct slot *level1, *level2;
};

static void build_two_levels(struct two_levels *tree)
{
    fixture_setup();
    tree->level1 = new_cnode(8, 8, 0xa5, &tree->root);
    tree->level2 = new_cnode(4, 12, 0x123, &tree->level1[3].cap);
    tree->level1[7].cap = endpoint_cap(0x7000);
}

static uint32_t two_level_cptr(uint32_t index1, uint32_t guard2, uint32_t index2)
{
    return 0xa5u << 24 | index1 << 16 | guard2 << 4 | index2;
}

TEST(two_levels_every_slot_exactly)
{
    struct two_levels tree;
    build_two_levels(&tree);
    for (uint32_t i = 0; i < 16; i++)
        CHECK_RESOLVES(&tree.root, two_level_cptr(3, 0x123, i), &tree.level2[i]);
}

TEST(two_levels_guard_mismatch_at_each_level)
{
    struct two_levels tree;
    build_two_levels(&tree);
    CHECK_FAILS(&tree.root, 0xa4u << 24 | 3 << 16 | 0x123 << 4);
    CHECK_FAILS(&tree.root, two_level_cptr(3, 0x122, 0));
    CHECK_FAILS(&tree.root, two_level_cptr(3, 0x923, 0)); /* top guard bit */
}

/* Bits remain but the slot holds no CNode: resolution stops there. */
TEST(non_cnode_or_empty_slot_ends_resolution)
{
    struct two_levels tree;
    build_two_levels(&tree);
    CHECK_RESOLVES(&tree.root, two_level_cptr(7, 0xfff, 0xf), &tree.level1[7]);
    CHECK_RESOLVES(&tree.root, two_level_cptr(7, 0, 0), &tree.level1[7]);
    CHECK_RESOLVES(&tree.root, two_level_cptr(200, 0x5a5, 3), &tree.level1[200]);
}

TEST(too_few_bits_left_for_next_cnode)
{
    struct two_levels tree;
    build_two_levels(&tree);
    new_cnode(4, 13, 0x123, &tree.level1[4].cap); /* 17 bits; 16 are left */
    CHECK_FAILS(&tree.root, two_level_cptr(4, 0x123, 0));
    cap_cnode_set_guard(&tree.level1[4].cap, 12, 0x123); /* exactly 16: fine */
    CHECK_RESOLVES(&tree.root, two_level_cptr(4, 0x123, 9),
                   &cnode_slots(&tree.level1[4].cap)[9]);
}

/* 4 + 12 + (guard 0b101 + 5) bits = 24; the last 8 bits are left over and
 * ignored, as the level-3 slots hold no CNode. */
TEST(three_levels_with_guards)
{
    fixture_setup();
    struct cap root;
    struct slot *level1 = new_cnode(4, 0, 0, &root);
    struct slot *level2 = new_cnode(12, 0, 0, &level1[9].cap);
    struct slot *level3 = new_cnode(5, 3, 5, &level2[0xabc].cap);
    uint32_t base = 9u << 28 | 0xabcu << 16 | 5u << 13;
    CHECK_RESOLVES(&root, base | 0, &level3[0]);
    CHECK_RESOLVES(&root, base | 31u << 8 | 0xff, &level3[31]);
    CHECK_RESOLVES(&root, base | 17u << 8, &level3[17]);
    CHECK_FAILS(&root, (base ^ 1u << 14) | 17u << 8);
    /* the guard checked is the one in the cap naming the CNode */
    cap_cnode_set_guard(&level2[0xabc].cap, 3, 4);
    CHECK_FAILS(&root, base | 17u << 8);
}

/* Guard-only levels: the whole 32 bits may be guard and radix. */
TEST(full_width_guard)
{
    fixture_setup();
    struct cap root;
    struct slot *slots = new_cnode(8, 24, 0xabcdef, &root);
    CHECK_RESOLVES(&root, 0xabcdef42u, &slots[0x42]);
    CHECK_FAILS(&root, 0xabcdee42u);
    cap_cnode_set_guard(&root, 25, 0xabcdef); /* 33 bits: never resolves */
    CHECK_FAILS(&root, 0xabcdef42u);
}

/* A CNode whose slot 1 holds a cap to itself: each level eats 4 bits. */
TEST(cnode_referring_to_itself_terminates)
{
    fixture_setup();
    struct cap root;
    struct slot *slots = new_cnode(3, 1, 0, &root);
    slots[1].cap = root;
    CHECK_RESOLVES(&root, 0x11111111u, &slots[1]);    /* 8 levels, all through slot 1 */
    CHECK_RESOLVES(&root, 0x11111112u, &slots[2]);
    CHECK_RESOLVES(&root, 0x11113000u, &slots[3]);    /* ends early at an empty slot */
    CHECK_FAILS(&root, 0x11181111u);                  /* a guard bit set at level 4 */
    slots[1].cap.size_bits = 4;                       /* 5-bit levels: 2 bits left over */
    CHECK_FAILS(&root, 0x10842108u);
}

TEST(lookup_cap_through_a_thread)
{
    fixture_setup();
    struct slot *slot;
    fx.root[9].cap = endpoint_cap(0x9000);
    CHECK_EQ(cspace_lookup_cap(fx.caller, 9, &slot), OPAL_OK);
    CHECK(slot == &fx.root[9]);
    CHECK_EQ(cspace_lookup_cap(fx.caller, 10, &slot), OPAL_ERR_INVALID_CAPABILITY);
    CHECK_EQ(cspace_lookup_cap(fx.caller, 0x10009, &slot), OPAL_ERR_FAILED_LOOKUP);
    cap_delete(&fx.caller->cspace_root);
    CHECK_EQ(cspace_lookup_cap(fx.caller, 9, &slot), OPAL_ERR_FAILED_LOOKUP);
}
