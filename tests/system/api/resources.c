/* Per-test resources: tracked slots and objects deleted after each test,
 * the root VSpace's test window, and time helpers. */
#include "test.h"

#define MAX_TRACKED 512
#define PAGE_SIZE 4096u

static uint32_t tracked[MAX_TRACKED];
static unsigned tracked_count;
static uint32_t window_next = TEST_WINDOW;
static uint64_t ticks_per_ms;

void test_resources_init(const struct opal_bootinfo *bootinfo)
{
    opal_alloc_init(bootinfo);
    ticks_per_ms = bootinfo->timer_frequency / 1000;
    if (ticks_per_ms == 0)
        ticks_per_ms = 62500;
}

void test_track(uint32_t slot)
{
    if (tracked_count == MAX_TRACKED)
        test_fail(__FILE__, __LINE__, "tracked_count < MAX_TRACKED", tracked_count, 0);
    tracked[tracked_count++] = slot;
}

uint32_t test_slot(void)
{
    uint32_t slot = opal_alloc_slot();
    CHECK(slot != 0);
    test_track(slot);
    return slot;
}

uint32_t test_object_at(const char *file, int line, uint32_t type, uint32_t size_bits)
{
    uint32_t cptr = 0;
    int error = opal_alloc_object(type, size_bits, &cptr);
    if (error != OPAL_OK)
        test_fail(file, line, "opal_alloc_object(type, size_bits, &cptr)", (uint32_t)error, 0);
    test_track(cptr);
    return cptr;
}

uint32_t test_copy(uint32_t source, uint32_t rights)
{
    uint32_t slot = test_slot();
    CHECK_OK(opal_cnode_copy(ROOT_CNODE, slot, source, rights));
    return slot;
}

uint32_t test_mint(uint32_t source, uint32_t rights, uint32_t badge)
{
    uint32_t slot = test_slot();
    CHECK_OK(opal_cnode_mint(ROOT_CNODE, slot, source, rights, badge));
    return slot;
}

/* Copying from an empty slot is INVALID_CAPABILITY; the probe copy is
 * deleted again at once. */
bool test_slot_empty(uint32_t slot)
{
    uint32_t probe = test_slot();
    int error = opal_cnode_copy(ROOT_CNODE, probe, slot, OPAL_RIGHTS_ALL);
    if (error == OPAL_OK)
        CHECK_OK(opal_cnode_delete(ROOT_CNODE, probe));
    else if (error != OPAL_ERR_INVALID_CAPABILITY && error != OPAL_ERR_ILLEGAL_OPERATION &&
             error != OPAL_ERR_REVOKE_FIRST)
        test_fail(__FILE__, __LINE__, "copy probe", (uint32_t)error,
                  OPAL_ERR_INVALID_CAPABILITY);
    return error == OPAL_ERR_INVALID_CAPABILITY;
}

bool test_cnode_slot_used(uint32_t cnode, uint32_t index)
{
    int error = opal_cnode_copy(cnode, index, OPAL_CAP_INIT_TCB, OPAL_RIGHTS_ALL);
    if (error == OPAL_OK)
        CHECK_OK(opal_cnode_delete(cnode, index));
    else if (error != OPAL_ERR_DELETE_FIRST)
        test_fail(__FILE__, __LINE__, "slot probe", (uint32_t)error, OPAL_ERR_DELETE_FIRST);
    return error == OPAL_ERR_DELETE_FIRST;
}

int test_invoke_label(uint32_t cap, uint32_t label)
{
    struct opal_message message = { .tag = OPAL_TAG(label, 0, 0) };
    return opal_call(cap, &message);
}

uint32_t test_window_address(void)
{
    CHECK(window_next < TEST_WINDOW + TEST_WINDOW_SIZE);
    uint32_t address = window_next;
    window_next += PAGE_SIZE;
    return address;
}

/* Page tables for the root VSpace's window are kept for the whole run;
 * those of other VSpaces belong to the test. */
static uint32_t new_page_table(uint32_t vspace)
{
    if (vspace != ROOT_VSPACE)
        return test_object(OPAL_OBJECT_PAGE_TABLE, 0);
    uint32_t table = 0;
    CHECK_OK(opal_alloc_object(OPAL_OBJECT_PAGE_TABLE, 0, &table));
    return table;
}

int test_map_with_tables(uint32_t frame, uint32_t vspace, uint32_t address, uint32_t rights)
{
    for (unsigned level = 0;; level++) {
        int error = opal_frame_map(frame, vspace, address, rights, OPAL_MAP_CACHED);
        if (error != OPAL_ERR_FAILED_LOOKUP || level == 2)
            return error;
        CHECK_OK(opal_page_table_map(new_page_table(vspace), vspace, address));
    }
}

uint32_t test_new_mapped_frame(uint32_t *frame)
{
    *frame = test_object(OPAL_OBJECT_FRAME, OPAL_FRAME_SMALL_BITS);
    uint32_t address = test_window_address();
    CHECK_OK(test_map_with_tables(*frame, ROOT_VSPACE, address, OPAL_MAP_READ | OPAL_MAP_WRITE));
    return address;
}

int test_cleanup(void)
{
    int first_error = OPAL_OK;
    while (tracked_count > 0) {
        uint32_t slot = tracked[--tracked_count];
        opal_cnode_revoke(ROOT_CNODE, slot); /* an empty slot may refuse; Delete decides */
        int error = opal_free_slot(slot);
        if (first_error == OPAL_OK)
            first_error = error;
    }
    thread_stacks_release();
    window_next = TEST_WINDOW;
    return first_error;
}

uint64_t test_ticks_per_ms(void)
{
    return ticks_per_ms;
}

bool test_wait_for(volatile uint32_t *where, uint32_t value, uint32_t ms)
{
    uint64_t deadline = opal_counter() + ms * ticks_per_ms;
    while (*where != value) {
        if (opal_counter() >= deadline)
            return false;
        opal_yield();
    }
    return true;
}

void test_spin(uint32_t ms)
{
    uint64_t deadline = opal_counter() + ms * ticks_per_ms;
    while (opal_counter() < deadline)
        ;
}
