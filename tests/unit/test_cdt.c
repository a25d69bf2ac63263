/* The derivation tree (kernel/cdt.c): insert, move, remove, the boot caps'
 * sentinel, cdt_is_final, and seeded random sequences against a model. */
#define UNIT_SUITE "cdt"
#include "unit.h"
#include "cap.h"

#define SLOTS 48
#define NONE (-1)   /* model: a boot cap (the sentinel's child) */
#define EMPTY (-2)  /* model: empty slot */
#define NO_PARENT (-3) /* a NULL parent link: never right for a cap */

static struct slot slots[SLOTS];

static void reset(void)
{
    memset(slots, 0, sizeof slots);
    cdt_sentinel = (struct slot){ 0 };
}

static struct cap cap_of(uint8_t type, uint32_t object)
{
    uint8_t size_bits = type == OPAL_OBJECT_UNTYPED ? 12 : 0;
    return (struct cap){ .type = type, .rights = OPAL_RIGHTS_ALL, .size_bits = size_bits,
                         .object = object };
}

static void insert(struct slot *parent, struct slot *child, uint8_t type, uint32_t object)
{
    struct cap cap = cap_of(type, object);
    cdt_insert_child(parent, child, &cap);
}

/* A copy of `source`'s cap as its child (what CNode Copy does). */
static void copy(struct slot *source, struct slot *child)
{
    cdt_insert_child(source, child, &source->cap);
}

static int index_of(const struct slot *slot)
{
    return slot == &cdt_sentinel ? NONE : slot ? (int)(slot - slots) : NO_PARENT;
}

/* The sibling list `member` is in, head first; its length. */
static int sibling_list(const struct slot *member, int *list)
{
    int count = 0;
    const struct slot *slot = member;
    while (slot->prev_sibling && count++ < SLOTS)
        slot = slot->prev_sibling;
    for (count = 0; slot && count < SLOTS; slot = slot->next_sibling)
        list[count++] = index_of(slot);
    return count;
}

static int children(const struct slot *parent, int *list)
{
    return parent->first_child ? sibling_list(parent->first_child, list) : 0;
}

static bool same_object(const struct cap *a, const struct cap *b)
{
    return a->type == b->type && a->object == b->object && a->size_bits == b->size_bits;
}

/* Same-object caps must be adjacent among siblings (cdt_is_final relies on it). */
static const char *list_error(const struct slot *head)
{
    const struct slot *slot = head;
    for (int n = 0; slot; slot = slot->next_sibling, n++) {
        if (n == SLOTS)
            return "sibling cycle";
        if (slot->parent != head->parent)
            return "siblings with different parents";
        const struct slot *later = slot->next_sibling;
        for (int m = n + 1; later && m < SLOTS; later = later->next_sibling, m++) {
            if (same_object(&later->cap, &slot->cap) && !same_object(&later->prev_sibling->cap,
                                                                     &slot->cap))
                return "same-object caps not adjacent";
        }
    }
    return NULL;
}

static const char *slot_error(const struct slot *slot)
{
    if (cap_is_null(&slot->cap))
        return slot->parent || slot->first_child || slot->next_sibling || slot->prev_sibling
                   ? "empty slot with links" : NULL;
    if (slot->next_sibling && slot->next_sibling->prev_sibling != slot)
        return "next/prev disagree";
    if (slot->prev_sibling && slot->prev_sibling->next_sibling != slot)
        return "prev/next disagree";
    if (slot->parent && !slot->prev_sibling && slot->parent->first_child != slot)
        return "head of children is not first_child";
    if (slot->parent == NULL)
        return "cap without a parent";
    if (slot->parent != &cdt_sentinel && cap_is_null(&slot->parent->cap))
        return "parent is empty";
    if (slot->first_child && (slot->first_child->parent != slot || slot->first_child->prev_sibling))
        return "first_child's parent or prev";
    const struct slot *ancestor = slot->parent;
    for (int depth = 0; ancestor; ancestor = ancestor->parent)
        if (++depth > SLOTS || ancestor == slot)
            return "parent cycle";
    return !slot->prev_sibling ? list_error(slot) : NULL;
}

/* Every link in the array agrees with its counterpart. */
static const char *structure_error(int *where)
{
    for (*where = 0; *where < SLOTS; (*where)++) {
        const char *error = slot_error(&slots[*where]);
        if (error)
            return error;
    }
    return NULL;
}

#define CHECK_STRUCTURE()                                                                \
    do {                                                                                 \
        int where_;                                                                      \
        const char *error_ = structure_error(&where_);                                   \
        CHECKF(error_ == NULL, "slot %d: %s", where_, error_);                           \
    } while (0)

/* CHECK_LIST(list containing slot, expected indices...) */
static bool list_is(const int *actual, int actual_count, const int *expected, int count)
{
    return actual_count == count && memcmp(actual, expected, sizeof(int) * (size_t)count) == 0;
}
#define CHECK_LIST(member, ...)                                                          \
    do {                                                                                 \
        int actual_[SLOTS], expected_[] = { __VA_ARGS__ };                               \
        int n_ = sibling_list(member, actual_);                                          \
        CHECK(list_is(actual_, n_, expected_, (int)(sizeof expected_ / sizeof(int))));   \
    } while (0)

TEST(insert_links_child_under_parent)
{
    reset();
    insert(NULL, &slots[0], OPAL_OBJECT_ENDPOINT, 0x1000);
    copy(&slots[0], &slots[1]);
    CHECK(slots[1].parent == &slots[0]);
    CHECK(slots[0].first_child == &slots[1]);
    CHECK(slots[1].prev_sibling == NULL && slots[1].next_sibling == NULL);
    CHECK(slots[0].parent == &cdt_sentinel && cdt_sentinel.first_child == &slots[0]);
    CHECK(slots[0].next_sibling == NULL && slots[0].prev_sibling == NULL);
    CHECK_EQ(slots[1].cap.type, OPAL_OBJECT_ENDPOINT);
    CHECK_EQ(slots[1].cap.object, 0x1000);
    CHECK(!cdt_has_children(&slots[1]));
    CHECK(cdt_has_children(&slots[0]));
    CHECK_STRUCTURE();
}

TEST(insert_under_untyped_puts_new_object_first)
{
    reset();
    insert(NULL, &slots[0], OPAL_OBJECT_UNTYPED, 0x10000);
    insert(&slots[0], &slots[1], OPAL_OBJECT_ENDPOINT, 0x10000);
    insert(&slots[0], &slots[2], OPAL_OBJECT_ENDPOINT, 0x10010);
    insert(&slots[0], &slots[3], OPAL_OBJECT_NOTIFICATION, 0x10020);
    CHECK_LIST(slots[0].first_child, 3, 2, 1);
    CHECK(slots[2].parent == &slots[0]);
    CHECK_STRUCTURE();
}

TEST(insert_clears_stale_child_link)
{
    reset();
    insert(NULL, &slots[0], OPAL_OBJECT_ENDPOINT, 0x1000);
    slots[1].first_child = &slots[5]; /* garbage a slot may hold before it is filled */
    copy(&slots[0], &slots[1]);
    CHECK(slots[1].first_child == NULL);
    CHECK_STRUCTURE();
}

/* Untyped P(0) with children A(1) B(2) C(3); B is an untyped with children
 * D(4) E(5). New objects go first, so they are inserted last to first. */
static void build_family(void)
{
    reset();
    insert(NULL, &slots[0], OPAL_OBJECT_UNTYPED, 0x20000);
    insert(&slots[0], &slots[3], OPAL_OBJECT_ENDPOINT, 0x20030);
    insert(&slots[0], &slots[2], OPAL_OBJECT_UNTYPED, 0x21000);
    insert(&slots[0], &slots[1], OPAL_OBJECT_ENDPOINT, 0x20010);
    insert(&slots[2], &slots[5], OPAL_OBJECT_ENDPOINT, 0x21010);
    insert(&slots[2], &slots[4], OPAL_OBJECT_ENDPOINT, 0x21000);
}

/* Endpoint X(0) with copies C1(1) and C2(2); C1 has a copy C3(3). */
static void build_copies(void)
{
    reset();
    insert(NULL, &slots[0], OPAL_OBJECT_ENDPOINT, 0x3000);
    copy(&slots[0], &slots[1]);
    copy(&slots[0], &slots[2]);
    copy(&slots[1], &slots[3]);
}

TEST(family_is_built_as_expected)
{
    build_family();
    CHECK_LIST(slots[0].first_child, 1, 2, 3);
    CHECK_LIST(slots[2].first_child, 4, 5);
    CHECK_STRUCTURE();
}

TEST(move_middle_child_keeps_place_and_children)
{
    build_family();
    cdt_move(&slots[2], &slots[10]);
    CHECK_LIST(slots[0].first_child, 1, 10, 3);
    CHECK_LIST(slots[10].first_child, 4, 5);
    CHECK(slots[4].parent == &slots[10] && slots[5].parent == &slots[10]);
    CHECK(slots[10].parent == &slots[0]);
    CHECK_EQ(slots[10].cap.object, 0x21000);
    CHECK(cap_is_null(&slots[2].cap));
    CHECK_STRUCTURE(); /* includes: the old slot has no links left */
}

TEST(move_first_child_updates_parent)
{
    build_family();
    cdt_move(&slots[1], &slots[11]);
    CHECK(slots[0].first_child == &slots[11]);
    CHECK_LIST(&slots[11], 11, 2, 3);
    cdt_move(&slots[4], &slots[12]);
    CHECK(slots[2].first_child == &slots[12]);
    CHECK_LIST(&slots[12], 12, 5);
    CHECK_STRUCTURE();
}

TEST(move_root_with_children)
{
    build_family();
    cdt_move(&slots[0], &slots[20]);
    CHECK(slots[20].parent == &cdt_sentinel && cdt_sentinel.first_child == &slots[20]);
    CHECK_LIST(slots[20].first_child, 1, 2, 3);
    for (int i = 1; i <= 3; i++)
        CHECKF(slots[i].parent == &slots[20], "child %d", i);
    CHECK_STRUCTURE();
}

TEST(remove_middle_child_splices_children_in_order)
{
    build_family();
    cdt_remove(&slots[2]);
    CHECK_LIST(slots[0].first_child, 1, 4, 5, 3);
    CHECK(slots[4].parent == &slots[0] && slots[5].parent == &slots[0]);
    CHECK(cap_is_null(&slots[2].cap));
    CHECK_STRUCTURE();
}

TEST(remove_first_and_last_children)
{
    build_family();
    insert(&slots[1], &slots[6], OPAL_OBJECT_ENDPOINT, 0x20010);
    insert(&slots[3], &slots[7], OPAL_OBJECT_ENDPOINT, 0x20030);
    cdt_remove(&slots[1]);
    CHECK(slots[0].first_child == &slots[6]);
    CHECK_LIST(&slots[6], 6, 2, 3);
    cdt_remove(&slots[3]);
    CHECK_LIST(&slots[6], 6, 2, 7);
    CHECK(slots[7].next_sibling == NULL);
    CHECK_STRUCTURE();
}

TEST(remove_leaf_and_only_child)
{
    build_family();
    cdt_remove(&slots[5]);
    CHECK_LIST(slots[2].first_child, 4);
    cdt_remove(&slots[4]);
    CHECK(slots[2].first_child == NULL);
    CHECK(!cdt_has_children(&slots[2]));
    CHECK_STRUCTURE();
}

/* A boot cap's children go to the sentinel, in its place among the boot caps. */
TEST(remove_boot_cap_hands_children_to_the_sentinel)
{
    build_family();
    insert(NULL, &slots[9], OPAL_OBJECT_ENDPOINT, 0x9000);
    CHECK_LIST(cdt_sentinel.first_child, 9, 0);
    cdt_remove(&slots[0]);
    CHECK_LIST(cdt_sentinel.first_child, 9, 1, 2, 3);
    CHECK(slots[1].parent == &cdt_sentinel && slots[3].parent == &cdt_sentinel);
    cdt_remove(&slots[2]);
    CHECK_LIST(cdt_sentinel.first_child, 9, 1, 4, 5, 3);
    CHECK(slots[4].parent == &cdt_sentinel);
    CHECK_STRUCTURE();
}

TEST(final_lone_cap_and_untyped_children)
{
    build_family();
    for (int i = 0; i <= 5; i++)
        CHECKF(cdt_is_final(&slots[i]), "slot %d", i); /* untyped children are new objects */
}

TEST(final_with_copies_as_children_and_siblings)
{
    build_copies();
    for (int i = 0; i <= 3; i++)
        CHECKF(!cdt_is_final(&slots[i]), "slot %d", i);
    cdt_remove(&slots[0]);
    CHECK(!cdt_is_final(&slots[1])); /* a sibling and a child are copies */
    CHECK(!cdt_is_final(&slots[2])); /* only a sibling is */
    cdt_remove(&slots[1]);
    CHECK(!cdt_is_final(&slots[2]));
    CHECK(!cdt_is_final(&slots[3]));
    cdt_remove(&slots[3]);
    CHECK(cdt_is_final(&slots[2]));
    CHECK_STRUCTURE();
}

/* Copies spliced in among other objects' caps still see each other. */
TEST(final_after_copies_move_up_under_untyped)
{
    build_family();
    copy(&slots[1], &slots[6]);
    copy(&slots[1], &slots[7]);
    cdt_remove(&slots[1]);
    int list[SLOTS];
    CHECK_EQ(sibling_list(&slots[2], list), 4);
    CHECK(list[0] + list[1] == 13 && list[2] == 2 && list[3] == 3); /* 6 and 7, either order */
    CHECK(!cdt_is_final(&slots[6]));
    CHECK(!cdt_is_final(&slots[7]));
    CHECK(cdt_is_final(&slots[2]));
    cdt_remove(&slots[7]);
    CHECK(cdt_is_final(&slots[6]));
}

TEST(final_copy_chain_and_badges)
{
    reset();
    insert(NULL, &slots[0], OPAL_OBJECT_ENDPOINT, 0x3000);
    struct cap badged = slots[0].cap;
    cap_set_badge(&badged, 0x77); /* a minted copy: other badge, same object */
    cdt_insert_child(&slots[0], &slots[1], &badged);
    copy(&slots[1], &slots[2]);
    CHECK(!cdt_is_final(&slots[0]));
    CHECK(!cdt_is_final(&slots[1]));
    CHECK(!cdt_is_final(&slots[2]));
    cdt_remove(&slots[1]);
    cdt_remove(&slots[0]);
    CHECK(cdt_is_final(&slots[2]));
}

TEST(final_distinguishes_type_and_size)
{
    reset();
    insert(NULL, &slots[0], OPAL_OBJECT_UNTYPED, 0x40000);
    insert(&slots[0], &slots[1], OPAL_OBJECT_UNTYPED, 0x40000); /* same base and size */
    CHECK(!cdt_is_final(&slots[0]));
    CHECK(!cdt_is_final(&slots[1]));
    cdt_remove(&slots[1]);
    struct cap smaller = cap_of(OPAL_OBJECT_UNTYPED, 0x40000);
    smaller.size_bits = 11;
    cdt_insert_child(&slots[0], &slots[1], &smaller);
    insert(&slots[0], &slots[2], OPAL_OBJECT_FRAME, 0x40800);
    CHECK(cdt_is_final(&slots[0]));
    CHECK(cdt_is_final(&slots[1]));
    CHECK(cdt_is_final(&slots[2]));
}

/* --- seeded random sequences against a model ------------------------------ */

struct model {
    int parent[SLOTS];      /* NONE, EMPTY or the parent's index */
    uint32_t next_object;
    uint32_t random;
};

static uint32_t next_random(struct model *model)
{
    model->random ^= model->random << 13;
    model->random ^= model->random >> 17;
    model->random ^= model->random << 5;
    return model->random;
}

/* A random slot that is empty (want_empty) or not; -1 if none. */
static int pick(struct model *model, bool want_empty)
{
    int start = (int)(next_random(model) % SLOTS);
    for (int i = 0; i < SLOTS; i++) {
        int slot = (start + i) % SLOTS;
        if ((model->parent[slot] == EMPTY) == want_empty)
            return slot;
    }
    return -1;
}

static bool list_without(const int *list, int count, int left_out, const int *other, int other_count)
{
    int n = 0;
    for (int i = 0; i < count; i++) {
        if (list[i] == left_out)
            continue;
        if (n >= other_count || other[n++] != list[i])
            return false;
    }
    return n == other_count;
}

/* Insert: a new object under an untyped or the sentinel, else a copy. */
static bool random_insert(struct model *model)
{
    int child = pick(model, true), parent = next_random(model) % 8 ? pick(model, false) : -1;
    if (child < 0)
        return true;
    struct slot *p = parent >= 0 ? &slots[parent] : NULL; /* NULL: the sentinel */
    int before[SLOTS], after[SLOTS], count = children(p ? p : &cdt_sentinel, before);
    if (p && p->cap.type != OPAL_OBJECT_UNTYPED) {
        copy(p, &slots[child]);
    } else {
        uint8_t type = next_random(model) % 3 ? OPAL_OBJECT_ENDPOINT : OPAL_OBJECT_UNTYPED;
        insert(p, &slots[child], type, 0x100000 + 0x1000 * model->next_object++);
    }
    model->parent[child] = parent >= 0 ? parent : NONE;
    int after_count = sibling_list(&slots[child], after);
    return list_without(after, after_count, child, before, count);
}

/* Move: the destination takes the source's place and children. */
static bool random_move(struct model *model)
{
    int from = pick(model, false), to = pick(model, true);
    if (from < 0 || to < 0)
        return true;
    int siblings[SLOTS], kids[SLOTS], after[SLOTS];
    int sibling_count = sibling_list(&slots[from], siblings), kid_count = children(&slots[from], kids);
    cdt_move(&slots[from], &slots[to]);
    for (int i = 0; i < SLOTS; i++)
        if (model->parent[i] == from)
            model->parent[i] = to;
    model->parent[to] = model->parent[from];
    model->parent[from] = EMPTY;
    for (int i = 0; i < sibling_count; i++)
        siblings[i] = siblings[i] == from ? to : siblings[i];
    return list_is(after, sibling_list(&slots[to], after), siblings, sibling_count) &&
           list_is(after, children(&slots[to], after), kids, kid_count);
}

/* Remove: the children take the slot's place among its siblings, in order. */
static bool random_remove(struct model *model)
{
    int gone = pick(model, false);
    if (gone < 0)
        return true;
    int siblings[SLOTS], kids[SLOTS], expected[SLOTS], after[SLOTS], n = 0;
    int sibling_count = sibling_list(&slots[gone], siblings), kid_count = children(&slots[gone], kids);
    for (int i = 0; i < sibling_count; i++) {
        if (siblings[i] != gone)
            expected[n++] = siblings[i];
        for (int k = 0; siblings[i] == gone && k < kid_count; k++)
            expected[n++] = kids[k];
    }
    cdt_remove(&slots[gone]);
    for (int i = 0; i < SLOTS; i++)
        if (model->parent[i] == gone)
            model->parent[i] = model->parent[gone];
    model->parent[gone] = EMPTY;
    return n == 0 || list_is(after, sibling_list(&slots[expected[0]], after), expected, n);
}

static int caps_to_same_object(const struct slot *slot)
{
    int count = 0;
    for (int i = 0; i < SLOTS; i++)
        count += !cap_is_null(&slots[i].cap) && same_object(&slots[i].cap, &slot->cap);
    return count;
}

/* Parents as the model says, and "final" exactly when no other cap names the object. */
static const char *model_error(const struct model *model, int *where)
{
    for (*where = 0; *where < SLOTS; (*where)++) {
        const struct slot *slot = &slots[*where];
        int parent = model->parent[*where];
        if (parent == EMPTY) {
            if (!cap_is_null(&slot->cap))
                return "slot should be empty";
            continue;
        }
        if (cap_is_null(&slot->cap) || index_of(slot->parent) != parent)
            return "parent differs from the model";
        if (cdt_is_final(slot) != (caps_to_same_object(slot) == 1))
            return "cdt_is_final wrong";
    }
    return NULL;
}

static void run_random(uint32_t seed, int steps)
{
    struct model model = { .random = seed };
    reset();
    for (int i = 0; i < SLOTS; i++)
        model.parent[i] = EMPTY;
    for (int step = 0; step < steps; step++) {
        uint32_t choice = next_random(&model) % 10;
        bool order_ok = choice < 5 ? random_insert(&model)
                        : choice < 7 ? random_move(&model) : random_remove(&model);
        CHECKF(order_ok, "seed %u step %d (op %u): sibling order wrong", seed, step, choice);
        int where;
        const char *error = structure_error(&where);
        CHECKF(error == NULL, "seed %u step %d: slot %d: %s", seed, step, where, error);
        error = model_error(&model, &where);
        CHECKF(error == NULL, "seed %u step %d: slot %d: %s", seed, step, where, error);
    }
}

TEST(random_sequences_match_model)
{
    static const uint32_t seeds[] = { 1, 2, 0x5eed, 0xdeadbeef, 12345 };
    for (unsigned i = 0; i < sizeof seeds / sizeof seeds[0]; i++) {
        run_random(seeds[i], 3000);
        if (unit_failure[0] != '\0')
            return;
    }
}
