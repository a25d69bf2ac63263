/* Untyped Retype (kernel/object/untyped.c) through untyped_invoke: every
 * error of docs/api.md, placement and alignment, zeroing, the watermark. */
#define UNIT_SUITE "untyped"
#include "unit.h"
#include "kernel_fixture.h"

#define SMALL 17        /* root slot of a test's own untyped */
#define DEST 100        /* first destination slot */

static int retype(uint32_t type, uint32_t size_bits, uint32_t index, uint32_t count)
{
    return fixture_retype(SMALL, type, size_bits, index, count);
}

/* Its own untyped of 2^bits bytes in slot SMALL, filled with 0xaa so
 * zeroing and untouched bytes show. */
static uint8_t *small_untyped(uint32_t bits, bool device)
{
    fixture_setup();
    uint8_t *arena = fixture_untyped(SMALL, bits, device);
    memset(arena, 0xaa, (size_t)1 << bits);
    return arena;
}

static bool all_bytes(const uint8_t *bytes, size_t size, uint8_t value)
{
    for (size_t i = 0; i < size; i++)
        if (bytes[i] != value)
            return false;
    return true;
}

TEST(wrong_label_is_illegal)
{
    small_untyped(12, false);
    static const uint32_t labels[] = { 0, OPAL_UNTYPED_RETYPE + 1, OPAL_CNODE_COPY };
    for (unsigned i = 0; i < sizeof labels / sizeof labels[0]; i++)
        CHECK_FAILS_CLEANLY(OPAL_ERR_ILLEGAL_OPERATION,
                            INVOKE(untyped_invoke, &fx.root[SMALL], labels[i],
                                   OPAL_OBJECT_ENDPOINT, 0, FIXTURE_ROOT_CPTR, DEST, 1));
}

TEST(fewer_than_five_arguments_is_truncated)
{
    small_untyped(12, false);
    CHECK_FAILS_CLEANLY(OPAL_ERR_TRUNCATED,
                        INVOKE(untyped_invoke, &fx.root[SMALL], OPAL_UNTYPED_RETYPE,
                               OPAL_OBJECT_ENDPOINT, 0, FIXTURE_ROOT_CPTR, DEST));
    CHECK_FAILS_CLEANLY(OPAL_ERR_TRUNCATED,
                        fixture_invoke(untyped_invoke, &fx.root[SMALL], OPAL_UNTYPED_RETYPE,
                                       NULL, 0));
}

TEST(unknown_type_is_invalid_argument)
{
    small_untyped(12, false);
    static const uint32_t types[] = { OPAL_OBJECT_NULL, OPAL_OBJECT_TYPE_COUNT,
                                      OPAL_OBJECT_IRQ_CONTROL, OPAL_OBJECT_IRQ_HANDLER,
                                      OPAL_OBJECT_SCHED_CONTROL, 0xffffffffu };
    for (unsigned i = 0; i < sizeof types / sizeof types[0]; i++)
        CHECK_FAILS_CLEANLY(OPAL_ERR_INVALID_ARGUMENT, retype(types[i], 12, DEST, 1));
}

struct size_case {
    uint32_t type, size_bits;
    int error;               /* NOT_ENOUGH_MEMORY: accepted, but bigger than 2^20 */
};

static const struct size_case size_cases[] = {
    { OPAL_OBJECT_UNTYPED, 3, OPAL_ERR_RANGE },
    { OPAL_OBJECT_UNTYPED, 4, OPAL_OK },
    { OPAL_OBJECT_UNTYPED, 29, OPAL_ERR_NOT_ENOUGH_MEMORY },
    { OPAL_OBJECT_UNTYPED, 30, OPAL_ERR_RANGE },
    { OPAL_OBJECT_CNODE, 0, OPAL_ERR_RANGE },
    { OPAL_OBJECT_CNODE, 1, OPAL_OK },
    { OPAL_OBJECT_CNODE, 16, OPAL_ERR_NOT_ENOUGH_MEMORY },
    { OPAL_OBJECT_CNODE, 17, OPAL_ERR_RANGE },
    { OPAL_OBJECT_FRAME, 11, OPAL_ERR_RANGE },
    { OPAL_OBJECT_FRAME, 12, OPAL_OK },
    { OPAL_OBJECT_FRAME, 13, OPAL_ERR_RANGE },
    { OPAL_OBJECT_FRAME, 20, OPAL_ERR_RANGE },
    { OPAL_OBJECT_FRAME, 21, OPAL_ERR_NOT_ENOUGH_MEMORY },
    { OPAL_OBJECT_FRAME, 22, OPAL_ERR_RANGE },
    { OPAL_OBJECT_TCB, 99, OPAL_OK },                /* fixed sizes ignore size_bits */
    { OPAL_OBJECT_ENDPOINT, 0xffffffffu, OPAL_OK },
    { OPAL_OBJECT_SCHED_CONTEXT, 3, OPAL_OK },
};

TEST(size_bits_checked_per_type)
{
    small_untyped(20, false);
    for (unsigned i = 0; i < sizeof size_cases / sizeof size_cases[0]; i++) {
        const struct size_case *c = &size_cases[i];
        int error = retype(c->type, c->size_bits, DEST + i, 1);
        CHECKF(error == c->error, "type %u size_bits %u: %s, expected %s", c->type,
               c->size_bits, opal_error_name(error), opal_error_name(c->error));
    }
    CHECK_INVARIANTS();
}

TEST(count_must_be_1_to_256)
{
    small_untyped(12, false);
    CHECK_FAILS_CLEANLY(OPAL_ERR_RANGE, retype(OPAL_OBJECT_ENDPOINT, 0, DEST, 0));
    CHECK_FAILS_CLEANLY(OPAL_ERR_RANGE, retype(OPAL_OBJECT_ENDPOINT, 0, DEST, 257));
    CHECK_EQ(retype(OPAL_OBJECT_ENDPOINT, 0, DEST, 256), OPAL_OK); /* exactly 4 KiB */
    CHECK_EQ(fx.root[DEST + 255].cap.type, OPAL_OBJECT_ENDPOINT);
    CHECK_INVARIANTS();
}

TEST(destination_cnode_must_resolve_to_a_cnode)
{
    small_untyped(12, false);
    fixture_boot_cap(5, (struct cap){ .type = OPAL_OBJECT_ENDPOINT, .object = 0x1000 });
    static const struct { uint32_t cptr; int error; } cases[] = {
        { 0x1000 | FIXTURE_ROOT_CPTR, OPAL_ERR_FAILED_LOOKUP }, /* guard bits set */
        { 4, OPAL_ERR_INVALID_CAPABILITY },                     /* empty */
        { 5, OPAL_ERR_INVALID_CAPABILITY },                     /* an endpoint */
        { SMALL, OPAL_ERR_INVALID_CAPABILITY },                 /* the untyped itself */
    };
    for (unsigned i = 0; i < sizeof cases / sizeof cases[0]; i++)
        CHECK_FAILS_CLEANLY(cases[i].error,
                            INVOKE(untyped_invoke, &fx.root[SMALL], OPAL_UNTYPED_RETYPE,
                                   OPAL_OBJECT_ENDPOINT, 0, cases[i].cptr, DEST, 1));
}

TEST(destination_slots_must_lie_inside_the_cnode)
{
    small_untyped(12, false);
    static const struct { uint32_t index, count; } cases[] = {
        { FIXTURE_ROOT_SLOTS, 1 }, { FIXTURE_ROOT_SLOTS - 1, 2 }, { FIXTURE_ROOT_SLOTS - 200, 256 },
        { 0xffffffffu, 1 }, { 0xffffff00u, 256 },
    };
    for (unsigned i = 0; i < sizeof cases / sizeof cases[0]; i++)
        CHECK_FAILS_CLEANLY(OPAL_ERR_RANGE,
                            retype(OPAL_OBJECT_ENDPOINT, 0, cases[i].index, cases[i].count));
    CHECK_EQ(retype(OPAL_OBJECT_ENDPOINT, 0, FIXTURE_ROOT_SLOTS - 1, 1), OPAL_OK);
}

TEST(occupied_destination_is_delete_first)
{
    small_untyped(12, false);
    CHECK_EQ(retype(OPAL_OBJECT_ENDPOINT, 0, DEST + 9, 1), OPAL_OK);
    uint32_t watermark = cap_untyped_watermark(&fx.root[SMALL].cap);
    CHECK_FAILS_CLEANLY(OPAL_ERR_DELETE_FIRST, retype(OPAL_OBJECT_ENDPOINT, 0, DEST, 10));
    CHECK_FAILS_CLEANLY(OPAL_ERR_DELETE_FIRST, retype(OPAL_OBJECT_ENDPOINT, 0, DEST + 9, 1));
    CHECK_FAILS_CLEANLY(OPAL_ERR_DELETE_FIRST, retype(OPAL_OBJECT_ENDPOINT, 0, SMALL, 1));
    CHECK_EQ(cap_untyped_watermark(&fx.root[SMALL].cap), watermark);
    CHECK_EQ(retype(OPAL_OBJECT_ENDPOINT, 0, DEST, 9), OPAL_OK);
}

TEST(not_enough_memory_at_the_exact_limit)
{
    small_untyped(10, false);
    CHECK_FAILS_CLEANLY(OPAL_ERR_NOT_ENOUGH_MEMORY, retype(OPAL_OBJECT_ENDPOINT, 0, DEST, 65));
    CHECK_FAILS_CLEANLY(OPAL_ERR_NOT_ENOUGH_MEMORY, retype(OPAL_OBJECT_CNODE, 6, DEST, 1));
    CHECK_EQ(retype(OPAL_OBJECT_ENDPOINT, 0, DEST, 63), OPAL_OK);
    CHECK_FAILS_CLEANLY(OPAL_ERR_NOT_ENOUGH_MEMORY, retype(OPAL_OBJECT_NOTIFICATION, 0, DEST + 63, 1));
    CHECK_EQ(retype(OPAL_OBJECT_ENDPOINT, 0, DEST + 63, 1), OPAL_OK);
    CHECK_EQ(cap_untyped_watermark(&fx.root[SMALL].cap), 1024);
    CHECK_FAILS_CLEANLY(OPAL_ERR_NOT_ENOUGH_MEMORY, retype(OPAL_OBJECT_ENDPOINT, 0, DEST + 64, 1));
}

TEST(vspaces_need_free_vmids)
{
    fixture_setup();
    CHECK_FAILS_CLEANLY(OPAL_ERR_NOT_ENOUGH_MEMORY,
                        fixture_retype(FIXTURE_UNTYPED, OPAL_OBJECT_VSPACE, 0, DEST, FAKE_VMIDS + 1));
    CHECK_EQ(fixture_retype(FIXTURE_UNTYPED, OPAL_OBJECT_VSPACE, 0, DEST, FAKE_VMIDS), OPAL_OK);
    CHECK_EQ(arch_vmids_available(), 0);
    CHECK_FAILS_CLEANLY(OPAL_ERR_NOT_ENOUGH_MEMORY,
                        fixture_retype(FIXTURE_UNTYPED, OPAL_OBJECT_VSPACE, 0, DEST + 10, 1));
    struct arch_vspace *second = cap_object(&fx.root[DEST + 1].cap);
    CHECK_EQ(second->vmid, 2);
    CHECK_EQ(CNODE(OPAL_CNODE_DELETE, DEST + 1), OPAL_OK);
    CHECK_EQ(fake.vspaces_finalised, 1);
    CHECK_EQ(fixture_retype(FIXTURE_UNTYPED, OPAL_OBJECT_VSPACE, 0, DEST + 10, 1), OPAL_OK);
    CHECK_EQ(((struct arch_vspace *)cap_object(&fx.root[DEST + 10].cap))->vmid, 2);
}

TEST(device_untyped_makes_only_frames_and_untypeds)
{
    uint8_t *arena = small_untyped(16, true);
    static const uint32_t refused[] = { OPAL_OBJECT_CNODE, OPAL_OBJECT_TCB, OPAL_OBJECT_ENDPOINT,
                                        OPAL_OBJECT_NOTIFICATION, OPAL_OBJECT_REPLY,
                                        OPAL_OBJECT_SCHED_CONTEXT, OPAL_OBJECT_VSPACE,
                                        OPAL_OBJECT_PAGE_TABLE };
    for (unsigned i = 0; i < sizeof refused / sizeof refused[0]; i++)
        CHECK_FAILS_CLEANLY(OPAL_ERR_ILLEGAL_OPERATION, retype(refused[i], 4, DEST, 1));
    CHECK_EQ(retype(OPAL_OBJECT_FRAME, 12, DEST, 2), OPAL_OK);
    CHECK_EQ(retype(OPAL_OBJECT_UNTYPED, 12, DEST + 2, 1), OPAL_OK);
    CHECK(all_bytes(arena, 1u << 16, 0xaa)); /* device memory is never written */
    CHECK_EQ(cap_untyped_is_device(&fx.root[DEST + 2].cap), 1); /* the child is device memory too */
    CHECK_FAILS_CLEANLY(OPAL_ERR_ILLEGAL_OPERATION,
                        fixture_retype(DEST + 2, OPAL_OBJECT_TCB, 0, DEST + 3, 1));
    CHECK_EQ(fixture_retype(DEST + 2, OPAL_OBJECT_FRAME, 12, DEST + 3, 1), OPAL_OK);
    CHECK_INVARIANTS();
}

/* An endpoint at 0, then a TCB aligned up to 1 KiB, then a CNode of 4
 * slots (128 bytes) right after it. Memory is zeroed up to the end of the
 * last object (gaps too: the known-zero mark moves on); past it, untouched. */
TEST(objects_aligned_after_watermark_and_zeroed)
{
    uint8_t *arena = small_untyped(12, false);
    uint32_t base = fx.root[SMALL].cap.object;
    CHECK_EQ(retype(OPAL_OBJECT_ENDPOINT, 0, DEST, 1), OPAL_OK);
    CHECK_EQ(retype(OPAL_OBJECT_TCB, 0, DEST + 1, 1), OPAL_OK);
    CHECK_EQ(retype(OPAL_OBJECT_CNODE, 2, DEST + 2, 1), OPAL_OK);
    CHECK_EQ(fx.root[DEST].cap.object, base);
    CHECK_EQ(fx.root[DEST + 1].cap.object, base + 1024);
    CHECK_EQ(fx.root[DEST + 2].cap.object, base + 2048);
    CHECK_EQ(cap_untyped_watermark(&fx.root[SMALL].cap), 2048 + 128);
    CHECK(all_bytes(arena + 16, 1024 - 16, 0)); /* the gap */
    CHECK(all_bytes(arena + 2048, 128, 0));      /* the CNode */
    CHECK_EQ(cap_untyped_zeroed_to(&fx.root[SMALL].cap), 2048 + 128);
    CHECK(all_bytes(arena + 2048 + 128, 4096 - 2048 - 128, 0xaa));
}

TEST(each_object_zeroed_and_initialised)
{
    uint8_t *arena = small_untyped(12, false);
    CHECK_EQ(retype(OPAL_OBJECT_TCB, 0, DEST, 2), OPAL_OK);
    const struct thread *first = cap_object(&fx.root[DEST].cap);
    const struct thread *second = cap_object(&fx.root[DEST + 1].cap);
    CHECK_EQ(first->state, THREAD_INACTIVE);
    CHECK(first->id != 0 && second->id == first->id + 1);
    CHECK(first->cspace_root.cap.type == OPAL_OBJECT_NULL && first->sched_context == NULL);
    CHECK_EQ(first->context.pc, 0);
    CHECK(all_bytes(arena + 2048, 2048, 0xaa));
}

TEST(caps_are_children_of_the_untyped)
{
    small_untyped(12, false);
    CHECK_EQ(retype(OPAL_OBJECT_CNODE, 3, DEST, 3), OPAL_OK);
    uint32_t base = fx.root[SMALL].cap.object;
    for (uint32_t i = 0; i < 3; i++) {
        const struct slot *slot = &fx.root[DEST + i];
        CHECKF(slot->parent == &fx.root[SMALL], "cap %u", i);
        CHECK_EQ(slot->cap.type, OPAL_OBJECT_CNODE);
        CHECK_EQ(slot->cap.rights, OPAL_RIGHTS_ALL);
        CHECK_EQ(slot->cap.size_bits, 3);
        CHECK_EQ(cap_cnode_guard_bits(&slot->cap), 0);
        CHECK_EQ(cap_cnode_guard(&slot->cap), 0);
        CHECK_EQ(slot->cap.object, base + i * 256);
    }
    int children = 0;
    for (const struct slot *c = fx.root[SMALL].first_child; c; c = c->next_sibling)
        children++;
    CHECK_EQ(children, 3);
    CHECK_INVARIANTS();
}

TEST(untyped_child_cap_fields)
{
    small_untyped(12, false);
    CHECK_EQ(retype(OPAL_OBJECT_UNTYPED, 8, DEST, 2), OPAL_OK);
    const struct cap *child = &fx.root[DEST + 1].cap;
    CHECK_EQ(child->size_bits, 8);
    CHECK_EQ(child->object, fx.root[SMALL].cap.object + 256);
    CHECK_EQ(cap_untyped_watermark(child), 0);
    CHECK_EQ(cap_untyped_is_device(child), 0);
    CHECK_EQ(cap_untyped_zeroed_to(child), 256); /* carved from zeroed memory: known zero throughout */
    CHECK_EQ(fixture_retype(DEST + 1, OPAL_OBJECT_ENDPOINT, 0, DEST + 2, 16), OPAL_OK);
    CHECK_EQ(fixture_retype(DEST + 1, OPAL_OBJECT_ENDPOINT, 0, DEST + 18, 1),
             OPAL_ERR_NOT_ENOUGH_MEMORY);
    CHECK_INVARIANTS();
}

TEST(watermark_resets_after_revoke)
{
    small_untyped(12, false);
    uint32_t base = fx.root[SMALL].cap.object;
    CHECK_EQ(retype(OPAL_OBJECT_TCB, 0, DEST, 3), OPAL_OK);
    CHECK_EQ(cap_untyped_watermark(&fx.root[SMALL].cap), 3072);
    CHECK_EQ(retype(OPAL_OBJECT_TCB, 0, DEST + 3, 2), OPAL_ERR_NOT_ENOUGH_MEMORY);
    CHECK_EQ(CNODE(OPAL_CNODE_REVOKE, SMALL), OPAL_OK);
    for (uint32_t i = 0; i < 3; i++)
        CHECKF(cap_is_null(&fx.root[DEST + i].cap), "cap %u", i);
    CHECK(fx.root[SMALL].first_child == NULL);
    CHECK_EQ(retype(OPAL_OBJECT_TCB, 0, DEST + 3, 4), OPAL_OK);
    CHECK_EQ(fx.root[DEST + 3].cap.object, base);
    CHECK_INVARIANTS();
}

TEST(watermark_stays_while_a_child_remains)
{
    small_untyped(12, false);
    uint32_t base = fx.root[SMALL].cap.object;
    CHECK_EQ(retype(OPAL_OBJECT_TCB, 0, DEST, 2), OPAL_OK);
    CHECK_EQ(CNODE(OPAL_CNODE_DELETE, DEST), OPAL_OK);
    CHECK_EQ(retype(OPAL_OBJECT_TCB, 0, DEST, 1), OPAL_OK);
    CHECK_EQ(fx.root[DEST].cap.object, base + 2048);
    CHECK_EQ(CNODE(OPAL_CNODE_DELETE, DEST), OPAL_OK);
    CHECK_EQ(CNODE(OPAL_CNODE_DELETE, DEST + 1), OPAL_OK);
    CHECK_EQ(retype(OPAL_OBJECT_TCB, 0, DEST, 1), OPAL_OK); /* all deleted: from 0 again */
    CHECK_EQ(fx.root[DEST].cap.object, base);
}

/* A copy of a retyped cap keeps the region in use after the original goes. */
TEST(copies_of_objects_keep_the_watermark)
{
    small_untyped(12, false);
    uint32_t base = fx.root[SMALL].cap.object;
    CHECK_EQ(retype(OPAL_OBJECT_ENDPOINT, 0, DEST, 1), OPAL_OK);
    CHECK_EQ(CNODE(OPAL_CNODE_COPY, DEST + 1, DEST, OPAL_RIGHTS_ALL), OPAL_OK);
    CHECK_EQ(CNODE(OPAL_CNODE_DELETE, DEST), OPAL_OK);
    CHECK(fx.root[DEST + 1].parent == &fx.root[SMALL]);
    CHECK_EQ(retype(OPAL_OBJECT_ENDPOINT, 0, DEST, 1), OPAL_OK);
    CHECK_EQ(fx.root[DEST].cap.object, base + 16);
    CHECK_INVARIANTS();
}

/* A retype that must zero more than one chunk stops at a preemption point
 * when an interrupt waits, keeps its progress, and finishes when restarted;
 * nothing is created until it does. */
TEST(large_retype_is_preemptible_and_restartable)
{
    uint8_t *arena = small_untyped(18, false);
    memset(arena, 0xaa, 1u << 18);
    fake.interrupt_pending = true;
    CHECK_EQ(retype(OPAL_OBJECT_FRAME, 12, DEST, 64), KERNEL_PREEMPTED);
    CHECK(cap_is_null(&fx.root[DEST].cap));
    CHECK_EQ(cap_untyped_watermark(&fx.root[SMALL].cap), 0);
    CHECK_EQ(cap_untyped_zeroed_to(&fx.root[SMALL].cap), UNTYPED_ZERO_CHUNK); /* one chunk done */
    CHECK_EQ(retype(OPAL_OBJECT_FRAME, 12, DEST, 64), KERNEL_PREEMPTED);
    CHECK_EQ(cap_untyped_zeroed_to(&fx.root[SMALL].cap), 2 * UNTYPED_ZERO_CHUNK);
    fake.interrupt_pending = false;
    CHECK_EQ(retype(OPAL_OBJECT_FRAME, 12, DEST, 64), OPAL_OK);
    CHECK(all_bytes(arena, 1u << 18, 0));
    CHECK_EQ(fx.root[DEST + 63].cap.type, OPAL_OBJECT_FRAME);
    CHECK_INVARIANTS();
}

/* Revoke stops between two deletions when an interrupt waits; the tree is
 * whole at that point and a second revoke finishes the job. */
TEST(revoke_is_preemptible_and_restartable)
{
    small_untyped(12, false);
    CHECK_EQ(retype(OPAL_OBJECT_ENDPOINT, 0, DEST, 8), OPAL_OK);
    fake.interrupt_pending = true;
    CHECK_EQ(cap_revoke(&fx.root[SMALL]), KERNEL_PREEMPTED);
    unsigned left = 0;
    for (unsigned i = 0; i < 8; i++)
        left += !cap_is_null(&fx.root[DEST + i].cap);
    CHECK_EQ(left, 7);
    CHECK_INVARIANTS();
    fake.interrupt_pending = false;
    CHECK_EQ(cap_revoke(&fx.root[SMALL]), OPAL_OK);
    CHECK(!cdt_has_children(&fx.root[SMALL]));
    CHECK_INVARIANTS();
}
