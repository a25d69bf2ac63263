/* CNode invocations (kernel/object/cnode.c) and deletion (kernel/delete.c)
 * through cnode_invoke: copy, mint, move, mutate, delete, revoke. */
#define UNIT_SUITE "cnode"
#include "unit.h"
#include "kernel_fixture.h"

#define EP 20           /* an endpoint retyped from the fixture's untyped */
#define FREE 30         /* free destination slots from here */

/* The fixture plus an endpoint in slot EP. */
static void setup(void)
{
    fixture_setup();
    if (fixture_retype(FIXTURE_UNTYPED, OPAL_OBJECT_ENDPOINT, 0, EP, 1) != OPAL_OK)
        fixture_die("no endpoint");
}

static struct slot *new_in(uint32_t index, uint32_t type, uint32_t size_bits)
{
    if (fixture_retype(FIXTURE_UNTYPED, type, size_bits, index, 1) != OPAL_OK)
        fixture_die("retype of type %u", type);
    return &fx.root[index];
}

/* A thread blocked receiving on the endpoint in root slot `index`. */
static struct thread *blocked_receiver(uint32_t index)
{
    struct thread *thread = fixture_thread(10);
    ipc_receive(thread, cap_object(&fx.root[index].cap), NULL, true);
    if (thread->state != THREAD_BLOCKED_RECEIVE)
        fixture_die("receiver did not block");
    return thread;
}

static int count_children(const struct slot *slot)
{
    int count = 0;
    for (const struct slot *child = slot->first_child; child; child = child->next_sibling)
        count++;
    return count;
}

static bool slots_empty(const struct slot *slots, uint32_t count)
{
    for (uint32_t i = 0; i < count; i++)
        if (!cap_is_null(&slots[i].cap) || slots[i].parent || slots[i].first_child)
            return false;
    return true;
}

TEST(labels_outside_cnode_methods_are_illegal)
{
    setup();
    static const uint32_t labels[] = { 0, OPAL_CNODE_COPY - 1, OPAL_CNODE_REVOKE + 1,
                                       OPAL_UNTYPED_RETYPE };
    for (unsigned i = 0; i < sizeof labels / sizeof labels[0]; i++)
        CHECK_FAILS_CLEANLY(OPAL_ERR_ILLEGAL_OPERATION,
                            CNODE(labels[i], FREE, EP, OPAL_RIGHTS_ALL, 0));
}

TEST(each_method_needs_its_arguments)
{
    setup();
    static const uint32_t needed[][2] = {
        { OPAL_CNODE_COPY, 3 }, { OPAL_CNODE_MINT, 4 }, { OPAL_CNODE_MOVE, 2 },
        { OPAL_CNODE_MUTATE, 3 }, { OPAL_CNODE_DELETE, 1 }, { OPAL_CNODE_REVOKE, 1 },
    };
    uint32_t arguments[] = { EP, EP, OPAL_RIGHTS_ALL, 5 }; /* would act on EP if read */
    for (unsigned i = 0; i < sizeof needed / sizeof needed[0]; i++)
        CHECK_FAILS_CLEANLY(OPAL_ERR_TRUNCATED,
                            fixture_invoke(cnode_invoke, &fx.root[FIXTURE_ROOT_CPTR],
                                           needed[i][0], arguments, needed[i][1] - 1));
}

TEST(index_outside_the_cnode_is_range)
{
    setup();
    for (uint32_t label = OPAL_CNODE_COPY; label <= OPAL_CNODE_REVOKE; label++) {
        CHECK_FAILS_CLEANLY(OPAL_ERR_RANGE,
                            CNODE(label, FIXTURE_ROOT_SLOTS, EP, OPAL_RIGHTS_ALL, 0));
        CHECK_FAILS_CLEANLY(OPAL_ERR_RANGE, CNODE(label, 0xffffffffu, EP, OPAL_RIGHTS_ALL, 0));
    }
}

TEST(copy_masks_rights_and_derives_a_child)
{
    setup();
    CHECK_EQ(CNODE(OPAL_CNODE_COPY, FREE, EP, OPAL_RIGHT_READ | OPAL_RIGHT_GRANT), OPAL_OK);
    const struct slot *copy = &fx.root[FREE];
    CHECK_EQ(copy->cap.type, OPAL_OBJECT_ENDPOINT);
    CHECK_EQ(copy->cap.object, fx.root[EP].cap.object);
    CHECK_EQ(copy->cap.rights, OPAL_RIGHT_READ | OPAL_RIGHT_GRANT);
    CHECK(copy->parent == &fx.root[EP]);
    CHECK_EQ(CNODE(OPAL_CNODE_COPY, FREE + 1, FREE, OPAL_RIGHT_WRITE | OPAL_RIGHT_READ), OPAL_OK);
    CHECK_EQ(fx.root[FREE + 1].cap.rights, OPAL_RIGHT_READ); /* rights only shrink */
    CHECK(fx.root[FREE + 1].parent == copy);
    CHECK_INVARIANTS();
}

TEST(copy_errors)
{
    setup();
    CHECK_FAILS_CLEANLY(OPAL_ERR_INVALID_ARGUMENT, CNODE(OPAL_CNODE_COPY, FREE, EP, 0x10));
    CHECK_FAILS_CLEANLY(OPAL_ERR_INVALID_CAPABILITY,
                        CNODE(OPAL_CNODE_COPY, FREE, FREE + 1, OPAL_RIGHTS_ALL));
    CHECK_FAILS_CLEANLY(OPAL_ERR_FAILED_LOOKUP,
                        CNODE(OPAL_CNODE_COPY, FREE, 0x100000 | EP, OPAL_RIGHTS_ALL));
    CHECK_FAILS_CLEANLY(OPAL_ERR_DELETE_FIRST,
                        CNODE(OPAL_CNODE_COPY, FIXTURE_UNTYPED, EP, OPAL_RIGHTS_ALL));
}

/* Two caps to one untyped region would each carve from it. */
TEST(untyped_reply_and_control_caps_cannot_be_copied_or_minted)
{
    setup();
    new_in(21, OPAL_OBJECT_REPLY, 0);
    fixture_boot_cap(22, (struct cap){ .type = OPAL_OBJECT_IRQ_CONTROL, .rights = OPAL_RIGHTS_ALL });
    fixture_boot_cap(23, (struct cap){ .type = OPAL_OBJECT_SCHED_CONTROL, .rights = OPAL_RIGHTS_ALL });
    static const uint32_t sources[] = { FIXTURE_UNTYPED, 21, 22, 23 };
    for (unsigned i = 0; i < sizeof sources / sizeof sources[0]; i++) {
        CHECK_FAILS_CLEANLY(OPAL_ERR_ILLEGAL_OPERATION,
                            CNODE(OPAL_CNODE_COPY, FREE, sources[i], OPAL_RIGHTS_ALL));
        CHECK_FAILS_CLEANLY(OPAL_ERR_ILLEGAL_OPERATION,
                            CNODE(OPAL_CNODE_MINT, FREE, sources[i], OPAL_RIGHTS_ALL, 0));
    }
}

TEST(mint_badges_endpoints_and_notifications_once)
{
    setup();
    new_in(21, OPAL_OBJECT_NOTIFICATION, 0);
    CHECK_EQ(CNODE(OPAL_CNODE_MINT, FREE, EP, OPAL_RIGHT_WRITE, 0xbad9e), OPAL_OK);
    CHECK_EQ(cap_badge(&fx.root[FREE].cap), 0xbad9e);
    CHECK_EQ(fx.root[FREE].cap.rights, OPAL_RIGHT_WRITE);
    CHECK(fx.root[FREE].parent == &fx.root[EP]);
    CHECK_EQ(CNODE(OPAL_CNODE_MINT, FREE + 1, 21, OPAL_RIGHTS_ALL, 0x80000000u), OPAL_OK);
    CHECK_EQ(cap_badge(&fx.root[FREE + 1].cap), 0x80000000u);
    CHECK_FAILS_CLEANLY(OPAL_ERR_ILLEGAL_OPERATION,
                        CNODE(OPAL_CNODE_MINT, FREE + 2, FREE, OPAL_RIGHTS_ALL, 7));
    CHECK_FAILS_CLEANLY(OPAL_ERR_ILLEGAL_OPERATION,
                        CNODE(OPAL_CNODE_MINT, FREE + 2, FREE + 1, OPAL_RIGHTS_ALL, 0));
    CHECK_EQ(CNODE(OPAL_CNODE_COPY, FREE + 2, FREE, OPAL_RIGHTS_ALL), OPAL_OK);
    CHECK_EQ(cap_badge(&fx.root[FREE + 2].cap), 0xbad9e); /* a copy keeps the badge */
    CHECK_EQ(CNODE(OPAL_CNODE_MINT, FREE + 3, EP, OPAL_RIGHTS_ALL, 0), OPAL_OK);
    CHECK_EQ(CNODE(OPAL_CNODE_MINT, FREE + 4, FREE + 3, OPAL_RIGHTS_ALL, 5), OPAL_OK);
    CHECK_EQ(cap_badge(&fx.root[FREE + 4].cap), 5); /* badge 0 is no badge */
    CHECK_INVARIANTS();
}

TEST(mint_sets_cnode_guard)
{
    setup();
    new_in(21, OPAL_OBJECT_CNODE, 4);
    CHECK_EQ(CNODE(OPAL_CNODE_MINT, FREE, 21, OPAL_RIGHTS_ALL, 8u << 24 | 0xab), OPAL_OK);
    const struct cap *minted = &fx.root[FREE].cap;
    CHECK_EQ(cap_cnode_guard_bits(minted), 8);
    CHECK_EQ(cap_cnode_guard(minted), 0xab);
    CHECK_EQ(minted->size_bits, 4);
    struct slot *found;
    CHECK_EQ(cspace_lookup_slot(minted, 0xab300000u, &found), OPAL_OK);
    CHECK(found == &cnode_slots(minted)[3]);
    CHECK_EQ(cspace_lookup_slot(minted, 0xac300000u, &found), OPAL_ERR_FAILED_LOOKUP);
    CHECK_EQ(CNODE(OPAL_CNODE_MINT, FREE + 1, 21, OPAL_RIGHTS_ALL, 28u << 24 | 0xffffff), OPAL_OK);
    CHECK_EQ(cap_cnode_guard_bits(&fx.root[FREE + 1].cap), 28);
}

TEST(mint_guard_out_of_range)
{
    setup();
    new_in(21, OPAL_OBJECT_CNODE, 4);
    static const uint32_t words[] = { 29u << 24, 0xffu << 24, 4u << 24 | 0x10, 0u << 24 | 1 };
    for (unsigned i = 0; i < sizeof words / sizeof words[0]; i++)
        CHECK_FAILS_CLEANLY(OPAL_ERR_RANGE, CNODE(OPAL_CNODE_MINT, FREE, 21, OPAL_RIGHTS_ALL,
                                                  words[i]));
}

/* A frame cap's mapping words stay with the mapped cap. */
TEST(copy_of_a_mapped_frame_is_unmapped)
{
    setup();
    struct slot *frame = new_in(21, OPAL_OBJECT_FRAME, 12);
    cap_set_mapping(&frame->cap, 0x1234, ua_make(0x80000000u), 1); /* as if mapped */
    CHECK_EQ(CNODE(OPAL_CNODE_COPY, FREE, 21, OPAL_RIGHTS_ALL), OPAL_OK);
    CHECK_EQ(CNODE(OPAL_CNODE_MINT, FREE + 1, 21, OPAL_RIGHT_READ, 99), OPAL_OK);
    for (uint32_t i = FREE; i <= FREE + 1; i++) {
        const struct cap *copy = &fx.root[i].cap;
        CHECK(ua_value(cap_mapping_address(copy)) == 0 && cap_mapping_vmid(copy) == 0 &&
              !cap_is_mapped(copy) && cap_mapping_level(copy) == 0);
        CHECK_EQ(copy->object, frame->cap.object);
        CHECK_EQ(copy->size_bits, 12);
    }
}

TEST(move_keeps_place_in_the_tree)
{
    setup();
    CHECK_EQ(CNODE(OPAL_CNODE_COPY, FREE, EP, OPAL_RIGHTS_ALL), OPAL_OK);
    CHECK_EQ(CNODE(OPAL_CNODE_COPY, FREE + 1, EP, OPAL_RIGHTS_ALL), OPAL_OK);
    struct cap moved = fx.root[EP].cap;
    CHECK_EQ(CNODE(OPAL_CNODE_MOVE, FREE + 5, EP), OPAL_OK);
    CHECK(cap_is_null(&fx.root[EP].cap) && fx.root[EP].first_child == NULL);
    CHECK(memcmp(&fx.root[FREE + 5].cap, &moved, sizeof moved) == 0);
    CHECK(fx.root[FREE + 5].parent == &fx.root[FIXTURE_UNTYPED]);
    CHECK(fx.root[FREE].parent == &fx.root[FREE + 5]);
    CHECK(fx.root[FREE + 1].parent == &fx.root[FREE + 5]);
    CHECK_EQ(count_children(&fx.root[FREE + 5]), 2);
    CHECK_INVARIANTS();
}

TEST(move_untyped_keeps_children_and_watermark)
{
    setup();
    uint32_t watermark = cap_untyped_watermark(&fx.root[FIXTURE_UNTYPED].cap);
    CHECK_EQ(CNODE(OPAL_CNODE_MOVE, FREE, FIXTURE_UNTYPED), OPAL_OK);
    CHECK(fx.root[EP].parent == &fx.root[FREE]);
    CHECK_EQ(cap_untyped_watermark(&fx.root[FREE].cap), watermark);
    CHECK_EQ(fixture_retype(FREE, OPAL_OBJECT_ENDPOINT, 0, FREE + 1, 1), OPAL_OK);
    CHECK_EQ(fx.root[FREE + 1].cap.object, fx.root[EP].cap.object + 16);
    CHECK_INVARIANTS();
}

TEST(move_errors)
{
    setup();
    CHECK_FAILS_CLEANLY(OPAL_ERR_INVALID_CAPABILITY, CNODE(OPAL_CNODE_MOVE, FREE, FREE + 1));
    CHECK_FAILS_CLEANLY(OPAL_ERR_FAILED_LOOKUP, CNODE(OPAL_CNODE_MOVE, FREE, 0x7000000));
    CHECK_FAILS_CLEANLY(OPAL_ERR_DELETE_FIRST, CNODE(OPAL_CNODE_MOVE, FIXTURE_UNTYPED, EP));
    CHECK_FAILS_CLEANLY(OPAL_ERR_DELETE_FIRST, CNODE(OPAL_CNODE_MOVE, EP, EP));
}

TEST(mutate_moves_and_sets_badge_or_guard)
{
    setup();
    new_in(21, OPAL_OBJECT_CNODE, 6);
    CHECK_EQ(CNODE(OPAL_CNODE_MUTATE, FREE, EP, 0x42), OPAL_OK);
    CHECK_EQ(cap_badge(&fx.root[FREE].cap), 0x42);
    CHECK(cap_is_null(&fx.root[EP].cap));
    CHECK(fx.root[FREE].parent == &fx.root[FIXTURE_UNTYPED]);
    CHECK_FAILS_CLEANLY(OPAL_ERR_ILLEGAL_OPERATION, CNODE(OPAL_CNODE_MUTATE, FREE + 1, FREE, 1));
    CHECK_FAILS_CLEANLY(OPAL_ERR_RANGE, CNODE(OPAL_CNODE_MUTATE, FREE + 1, 21, 27u << 24));
    CHECK_FAILS_CLEANLY(OPAL_ERR_RANGE, CNODE(OPAL_CNODE_MUTATE, FREE + 1, 21, 20u << 24 | 1u << 20));
    CHECK_EQ(CNODE(OPAL_CNODE_MUTATE, FREE + 1, 21, 26u << 24 | 0xfffff), OPAL_OK);
    CHECK_EQ(cap_cnode_guard_bits(&fx.root[FREE + 1].cap), 26);
    CHECK_EQ(cap_cnode_guard(&fx.root[FREE + 1].cap), 0xfffff);
    CHECK_INVARIANTS();
}

TEST(delete_empty_slot_is_ok)
{
    setup();
    CHECK_FAILS_CLEANLY(OPAL_OK, CNODE(OPAL_CNODE_DELETE, FREE));
}

TEST(delete_a_copy_leaves_the_object_alone)
{
    setup();
    struct thread *receiver = blocked_receiver(EP);
    CHECK_EQ(CNODE(OPAL_CNODE_COPY, FREE, EP, OPAL_RIGHTS_ALL), OPAL_OK);
    CHECK_EQ(CNODE(OPAL_CNODE_DELETE, EP), OPAL_OK);
    CHECK_EQ(receiver->state, THREAD_BLOCKED_RECEIVE);
    CHECK(fx.root[FREE].parent == &fx.root[FIXTURE_UNTYPED]);
    CHECK(cap_is_null(&fx.root[EP].cap));
    CHECK_INVARIANTS();
}

TEST(delete_last_endpoint_cap_wakes_waiters_with_deleted)
{
    setup();
    struct thread *first = blocked_receiver(EP), *second = blocked_receiver(EP);
    struct endpoint *endpoint = cap_object(&fx.root[EP].cap);
    CHECK_EQ(CNODE(OPAL_CNODE_DELETE, EP), OPAL_OK);
    for (struct thread *t = first; t; t = t == first ? second : NULL) {
        CHECK_EQ(t->state, THREAD_RUNNABLE);
        CHECK_EQ(t->context.r[0], OPAL_ERR_DELETED);
        CHECK(t->blocked_on == NULL && t->in_ready_queue);
    }
    CHECK(endpoint->queue.head == NULL && endpoint->queue.tail == NULL);
    CHECK_EQ(endpoint->state, ENDPOINT_IDLE);
    CHECK(sched_highest() == first);
    CHECK_INVARIANTS();
}

TEST(delete_last_notification_cap_wakes_and_unbinds)
{
    setup();
    struct slot *slot = new_in(21, OPAL_OBJECT_NOTIFICATION, 0);
    struct notification *notification = cap_object(&slot->cap);
    struct thread *waiter = fixture_thread(3), *bound = fixture_thread(4);
    notification_wait(waiter, notification, true);
    notification->bound = bound;
    bound->bound_notification = notification;
    CHECK_EQ(CNODE(OPAL_CNODE_DELETE, 21), OPAL_OK);
    CHECK_EQ(waiter->state, THREAD_RUNNABLE);
    CHECK_EQ(waiter->context.r[0], OPAL_ERR_DELETED);
    CHECK(bound->bound_notification == NULL);
    CHECK_INVARIANTS();
}

TEST(delete_last_tcb_cap_stops_the_thread)
{
    setup();
    struct thread *thread = fixture_thread(7);
    uint32_t tcb = fx.next_new - 2;            /* fixture_thread made TCB, then context */
    struct sched_context *context = thread->sched_context;
    cdt_insert_child(&fx.root[FIXTURE_ROOT_CPTR], &thread->cspace_root,
                     &fx.root[FIXTURE_ROOT_CPTR].cap);
    CHECK_EQ(count_children(&fx.root[FIXTURE_ROOT_CPTR]), 2);
    CHECK_EQ(CNODE(OPAL_CNODE_DELETE, tcb), OPAL_OK);
    CHECK_EQ(thread->state, THREAD_INACTIVE);
    CHECK(sched_highest() == NULL);
    CHECK(context->thread == NULL);
    CHECK_EQ(count_children(&fx.root[FIXTURE_ROOT_CPTR]), 1); /* its CSpace copy went */
    CHECK_INVARIANTS();
}

TEST(revoke_deletes_all_derived_caps_but_keeps_the_cap)
{
    setup();
    struct thread *receiver = blocked_receiver(EP);
    CHECK_EQ(CNODE(OPAL_CNODE_COPY, FREE, EP, OPAL_RIGHTS_ALL), OPAL_OK);
    CHECK_EQ(CNODE(OPAL_CNODE_MINT, FREE + 1, EP, OPAL_RIGHTS_ALL, 9), OPAL_OK);
    CHECK_EQ(CNODE(OPAL_CNODE_COPY, FREE + 2, FREE + 1, OPAL_RIGHTS_ALL), OPAL_OK);
    CHECK_EQ(CNODE(OPAL_CNODE_REVOKE, EP), OPAL_OK);
    CHECK(slots_empty(&fx.root[FREE], 3));
    CHECK_EQ(fx.root[EP].cap.type, OPAL_OBJECT_ENDPOINT);
    CHECK(fx.root[EP].first_child == NULL);
    CHECK_EQ(receiver->state, THREAD_BLOCKED_RECEIVE); /* the object lives on */
    CHECK_EQ(CNODE(OPAL_CNODE_REVOKE, FREE), OPAL_OK);  /* empty: nothing to do */
    CHECK_INVARIANTS();
}

/* CNodes A and B from the untyped; A holds B's only cap, B holds a cap to A
 * and others (one in slot 0, where the reap list keeps its link). */
struct nest {
    struct slot *a, *b;
};

static void build_nest(struct nest *nest)
{
    setup();
    nest->a = cnode_slots(&new_in(40, OPAL_OBJECT_CNODE, 4)->cap);
    nest->b = cnode_slots(&new_in(41, OPAL_OBJECT_CNODE, 3)->cap);
    new_in(42, OPAL_OBJECT_NOTIFICATION, 0);
    struct slot *a_cap = &fx.root[40];
    if (INVOKE(cnode_invoke, a_cap, OPAL_CNODE_COPY, 1, EP, OPAL_RIGHTS_ALL) ||
        INVOKE(cnode_invoke, a_cap, OPAL_CNODE_MOVE, 2, 41) ||
        INVOKE(cnode_invoke, &nest->a[2], OPAL_CNODE_COPY, 0, EP, OPAL_RIGHT_READ) ||
        INVOKE(cnode_invoke, &nest->a[2], OPAL_CNODE_MINT, 5, 42, OPAL_RIGHTS_ALL, 3) ||
        INVOKE(cnode_invoke, &nest->a[2], OPAL_CNODE_COPY, 7, 40, OPAL_RIGHTS_ALL))
        fixture_die("cannot build the nested CNodes");
}

TEST(nested_cnodes_are_built_as_intended)
{
    struct nest nest;
    build_nest(&nest);
    CHECK(cap_is_null(&fx.root[41].cap));
    CHECK_EQ(nest.a[2].cap.type, OPAL_OBJECT_CNODE);
    CHECK_EQ(nest.b[0].cap.object, fx.root[EP].cap.object);
    CHECK_EQ(cap_badge(&nest.b[5].cap), 3);
    CHECK_EQ(nest.b[7].cap.object, fx.root[40].cap.object);
    CHECK_INVARIANTS();
}

TEST(revoke_untyped_reaps_nested_cnodes)
{
    struct nest nest;
    build_nest(&nest);
    struct thread *waiter = blocked_receiver(EP);
    uint32_t base = fx.root[FIXTURE_UNTYPED].cap.object;
    CHECK_EQ(CNODE(OPAL_CNODE_REVOKE, FIXTURE_UNTYPED), OPAL_OK);
    CHECK(slots_empty(nest.a, 16));
    CHECK(slots_empty(nest.b, 8));
    CHECK(cap_is_null(&fx.root[EP].cap) && cap_is_null(&fx.root[40].cap));
    CHECK(cap_is_null(&fx.root[42].cap));
    CHECK(fx.root[FIXTURE_UNTYPED].first_child == NULL);
    CHECK_EQ(waiter->state, THREAD_RUNNABLE); /* its TCB is from another untyped */
    CHECK_EQ(waiter->context.r[0], OPAL_ERR_DELETED);
    CHECK_EQ(fixture_retype(FIXTURE_UNTYPED, OPAL_OBJECT_ENDPOINT, 0, FREE, 1), OPAL_OK);
    CHECK_EQ(fx.root[FREE].cap.object, base);
    CHECK_INVARIANTS();
}

TEST(delete_last_outside_cap_of_a_cycle_keeps_it_alive)
{
    struct nest nest;
    build_nest(&nest);
    CHECK_EQ(CNODE(OPAL_CNODE_DELETE, 40), OPAL_OK); /* B[7] still names A */
    CHECK_EQ(nest.a[1].cap.type, OPAL_OBJECT_ENDPOINT);
    CHECK_EQ(nest.a[2].cap.type, OPAL_OBJECT_CNODE);
    CHECK(nest.b[7].parent == &fx.root[FIXTURE_UNTYPED]);
    CHECK_INVARIANTS();
}

/* C's only cap lives in C itself: deleting it through itself empties C,
 * including an endpoint copy in C[copy_index]. */
static void check_self_delete(uint32_t self_index, uint32_t copy_index)
{
    setup();
    struct slot *c = cnode_slots(&new_in(40, OPAL_OBJECT_CNODE, 3)->cap);
    CHECK_EQ(INVOKE(cnode_invoke, &fx.root[40], OPAL_CNODE_COPY, copy_index, EP, OPAL_RIGHTS_ALL),
             OPAL_OK);
    CHECK_EQ(INVOKE(cnode_invoke, &fx.root[40], OPAL_CNODE_MOVE, self_index, 40), OPAL_OK);
    CHECK(cap_is_null(&fx.root[40].cap));
    CHECK(c[self_index].parent == &fx.root[FIXTURE_UNTYPED]);
    CHECK_EQ(INVOKE(cnode_invoke, &c[self_index], OPAL_CNODE_DELETE, self_index), OPAL_OK);
    CHECK(slots_empty(c, 8));
    CHECK(fx.root[EP].first_child == NULL);
    CHECK_EQ(count_children(&fx.root[FIXTURE_UNTYPED]), 1); /* the endpoint */
    CHECK_INVARIANTS();
}

TEST(delete_cnode_holding_its_only_cap_in_slot_0)
{
    check_self_delete(0, 1);
}

TEST(delete_cnode_holding_its_only_cap_in_slot_5)
{
    check_self_delete(5, 0);
}

/* Deleting a boot untyped cap whose children live on: they go to the
 * sentinel, and the tree stays one the invariant check accepts. */
TEST(delete_original_untyped_with_children_keeps_invariants)
{
    setup();
    new_in(21, OPAL_OBJECT_NOTIFICATION, 0);
    CHECK_EQ(CNODE(OPAL_CNODE_DELETE, FIXTURE_UNTYPED), OPAL_OK);
    CHECK(cap_is_null(&fx.root[FIXTURE_UNTYPED].cap));
    CHECK(fx.root[EP].parent == &cdt_sentinel && fx.root[21].parent == &cdt_sentinel);
    CHECK(cdt_is_final(&fx.root[EP]) && cdt_is_final(&fx.root[21]));
    CHECK_INVARIANTS();
}

/* A chain of `length` CNodes, each holding the next one's only cap in slot 0
 * and the last a frame; returns the stack used to delete the first's cap. */
static uintptr_t stack_to_delete_chain(uint32_t length)
{
    setup();
    uint32_t first = 100, frame = first + length;
    if (fixture_retype(FIXTURE_UNTYPED, OPAL_OBJECT_CNODE, 1, first, length) ||
        fixture_retype(FIXTURE_UNTYPED, OPAL_OBJECT_FRAME, 12, frame, 1) ||
        INVOKE(cnode_invoke, &fx.root[frame - 1], OPAL_CNODE_MOVE, 0, frame))
        fixture_die("chain");
    for (uint32_t i = frame - 1; i > first; i--)
        if (INVOKE(cnode_invoke, &fx.root[i - 1], OPAL_CNODE_MOVE, 0, i))
            fixture_die("chain link %u", i);
    uintptr_t top = (uintptr_t)__builtin_frame_address(0);
    if (CNODE(OPAL_CNODE_DELETE, first) != OPAL_OK || fake.mappings_deleted != 1)
        fixture_die("the frame at the chain's end was not deleted");
    return top - fake.mapping_stack;
}

/* The kernel has one 8 KiB stack: deleting nested CNodes must not recurse
 * once per level (delete.c: "nesting cannot exhaust the kernel stack"). */
TEST(deleting_a_chain_of_cnodes_needs_no_deeper_stack)
{
    uintptr_t short_chain = stack_to_delete_chain(1);
    uintptr_t long_chain = stack_to_delete_chain(64);
    CHECKF(long_chain <= short_chain + 256, "64 nested CNodes took %u bytes of stack, 1 took %u",
           (unsigned)long_chain, (unsigned)short_chain);
    CHECK_INVARIANTS();
}
