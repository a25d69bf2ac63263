/* Address spaces: page-table levels, Frame.Map and its errors, Unmap and
 * Remap, memory seen through mappings, and VMID exhaustion. */
#include "test.h"

#define ADDRESS 0x10000000u
#define SMALL OPAL_FRAME_SMALL_BITS
#define LARGE OPAL_FRAME_LARGE_BITS
#define RW (OPAL_MAP_READ | OPAL_MAP_WRITE)

static uint32_t new_frame(uint32_t bits)
{
    return test_object(OPAL_OBJECT_FRAME, bits);
}

static int map(uint32_t frame, uint32_t vspace, uint32_t address, uint32_t rights)
{
    return opal_frame_map(frame, vspace, address, rights, OPAL_MAP_CACHED);
}

/* A fresh VSpace with `levels` page tables mapped around ADDRESS. */
static uint32_t vspace_with_tables(unsigned levels)
{
    uint32_t vspace = test_object(OPAL_OBJECT_VSPACE, 0);
    for (unsigned i = 0; i < levels; i++)
        CHECK_OK(opal_page_table_map(test_object(OPAL_OBJECT_PAGE_TABLE, 0), vspace, ADDRESS));
    return vspace;
}

TEST(vspace, frame_map_without_tables_fails_lookup)
{
    CHECK_EQ(map(new_frame(SMALL), vspace_with_tables(0), ADDRESS, RW), OPAL_ERR_FAILED_LOOKUP);
}

TEST(vspace, large_frame_needs_level_2_only)
{
    uint32_t vspace = vspace_with_tables(0);
    CHECK_EQ(map(new_frame(LARGE), vspace, ADDRESS, RW), OPAL_ERR_FAILED_LOOKUP);
    CHECK_OK(opal_page_table_map(test_object(OPAL_OBJECT_PAGE_TABLE, 0), vspace, ADDRESS));
    CHECK_OK(map(new_frame(LARGE), vspace, ADDRESS, RW));
}

TEST(vspace, small_frame_needs_both_levels)
{
    uint32_t vspace = vspace_with_tables(1);
    CHECK_EQ(map(new_frame(SMALL), vspace, ADDRESS, RW), OPAL_ERR_FAILED_LOOKUP);
    CHECK_OK(opal_page_table_map(test_object(OPAL_OBJECT_PAGE_TABLE, 0), vspace, ADDRESS));
    CHECK_OK(map(new_frame(SMALL), vspace, ADDRESS, RW));
}

TEST(vspace, level_3_table_covers_2_mib)
{
    uint32_t vspace = vspace_with_tables(2);
    CHECK_OK(map(new_frame(SMALL), vspace, ADDRESS + 0x1ff000, RW));
    CHECK_EQ(map(new_frame(SMALL), vspace, ADDRESS + 0x200000, RW), OPAL_ERR_FAILED_LOOKUP);
}

TEST(vspace, third_page_table_in_same_region)
{
    uint32_t vspace = vspace_with_tables(2);
    CHECK_EQ(opal_page_table_map(test_object(OPAL_OBJECT_PAGE_TABLE, 0), vspace, ADDRESS),
             OPAL_ERR_DELETE_FIRST);
}

TEST(vspace, page_table_map_needs_a_vspace)
{
    CHECK_EQ(opal_page_table_map(test_object(OPAL_OBJECT_PAGE_TABLE, 0), test_endpoint(),
                                 ADDRESS), OPAL_ERR_INVALID_CAPABILITY);
}

TEST(vspace, page_table_unmap_removes_it)
{
    uint32_t vspace = test_object(OPAL_OBJECT_VSPACE, 0);
    uint32_t table = test_object(OPAL_OBJECT_PAGE_TABLE, 0);
    CHECK_OK(opal_page_table_map(table, vspace, ADDRESS));
    CHECK_OK(opal_page_table_unmap(table));
    CHECK_EQ(map(new_frame(LARGE), vspace, ADDRESS, RW), OPAL_ERR_FAILED_LOOKUP);
}

TEST(vspace, frame_map_misaligned)
{
    uint32_t vspace = vspace_with_tables(2);
    CHECK_EQ(map(new_frame(SMALL), vspace, ADDRESS + 0x800, RW), OPAL_ERR_ALIGNMENT);
    CHECK_EQ(map(new_frame(LARGE), vspace, ADDRESS + 0x1000, RW), OPAL_ERR_ALIGNMENT);
}

TEST(vspace, frame_map_slot_in_use)
{
    uint32_t vspace = vspace_with_tables(2);
    CHECK_OK(map(new_frame(SMALL), vspace, ADDRESS, RW));
    CHECK_EQ(map(new_frame(SMALL), vspace, ADDRESS, RW), OPAL_ERR_DELETE_FIRST);
}

TEST(vspace, large_frame_over_page_table_in_use)
{
    uint32_t vspace = vspace_with_tables(2);
    CHECK_EQ(map(new_frame(LARGE), vspace, ADDRESS, RW), OPAL_ERR_DELETE_FIRST);
}

TEST(vspace, frame_cap_maps_once)
{
    uint32_t vspace = vspace_with_tables(2), frame = new_frame(SMALL);
    CHECK_OK(map(frame, vspace, ADDRESS, RW));
    CHECK_EQ(map(frame, vspace, ADDRESS + 0x1000, RW), OPAL_ERR_ILLEGAL_OPERATION);
    CHECK_OK(map(test_copy(frame, OPAL_RIGHTS_ALL), vspace, ADDRESS + 0x1000, RW));
}

TEST(vspace, write_mapping_needs_write_right)
{
    uint32_t vspace = vspace_with_tables(2);
    uint32_t read_only = test_copy(new_frame(SMALL), OPAL_RIGHT_READ);
    CHECK_EQ(map(read_only, vspace, ADDRESS, RW), OPAL_ERR_ILLEGAL_OPERATION);
    CHECK_OK(map(read_only, vspace, ADDRESS, OPAL_MAP_READ));
}

TEST(vspace, frame_map_needs_a_vspace)
{
    CHECK_EQ(map(new_frame(SMALL), test_cnode(2), ADDRESS, RW), OPAL_ERR_INVALID_CAPABILITY);
}

TEST(vspace, mapped_frame_is_memory_and_aliases)
{
    uint32_t frame = new_frame(SMALL), copy = test_copy(frame, OPAL_RIGHTS_ALL);
    uint32_t first = test_window_address(), second = test_window_address();
    CHECK_OK(test_map_with_tables(frame, ROOT_VSPACE, first, RW));
    CHECK_OK(test_map_with_tables(copy, ROOT_VSPACE, second, RW));
    *(volatile uint32_t *)(first + 0x10) = 0x12345678;
    CHECK_EQ(*(volatile uint32_t *)(second + 0x10), 0x12345678);
}

TEST(vspace, unmap_then_map_elsewhere_keeps_contents)
{
    uint32_t frame = new_frame(SMALL);
    uint32_t first = test_window_address(), second = test_window_address();
    CHECK_OK(test_map_with_tables(frame, ROOT_VSPACE, first, RW));
    *(volatile uint32_t *)first = 0xcafe;
    CHECK_OK(opal_frame_unmap(frame));
    CHECK_OK(test_map_with_tables(frame, ROOT_VSPACE, second, RW));
    CHECK_EQ(*(volatile uint32_t *)second, 0xcafe);
}

TEST(vspace, unmap_flushes_the_tlb)
{
    uint32_t first = new_frame(SMALL), second = new_frame(SMALL);
    uint32_t address = test_window_address(), other = test_window_address();
    CHECK_OK(test_map_with_tables(second, ROOT_VSPACE, other, RW));
    *(volatile uint32_t *)other = 2;
    CHECK_OK(opal_frame_unmap(second));
    CHECK_OK(test_map_with_tables(first, ROOT_VSPACE, address, RW));
    *(volatile uint32_t *)address = 1;
    CHECK_EQ(*(volatile uint32_t *)address, 1);
    CHECK_OK(opal_frame_unmap(first));
    CHECK_OK(test_map_with_tables(second, ROOT_VSPACE, address, RW));
    CHECK_EQ(*(volatile uint32_t *)address, 2);
}

TEST(vspace, deleting_the_cap_unmaps)
{
    uint32_t frame = new_frame(SMALL), address = test_window_address();
    CHECK_OK(test_map_with_tables(frame, ROOT_VSPACE, address, RW));
    CHECK_OK(opal_cnode_delete(ROOT_CNODE, frame));
    CHECK_OK(test_map_with_tables(new_frame(SMALL), ROOT_VSPACE, address, RW));
}

TEST(vspace, revoking_the_untyped_unmaps)
{
    uint32_t untyped = test_untyped(12), frame = test_slot(), address = test_window_address();
    CHECK_OK(opal_untyped_retype(untyped, OPAL_OBJECT_FRAME, SMALL, ROOT_CNODE, frame, 1));
    CHECK_OK(test_map_with_tables(frame, ROOT_VSPACE, address, RW));
    CHECK_OK(opal_cnode_revoke(ROOT_CNODE, untyped));
    CHECK_OK(test_map_with_tables(new_frame(SMALL), ROOT_VSPACE, address, RW));
}

TEST(vspace, remap_changes_rights)
{
    uint32_t frame = new_frame(SMALL), address = test_window_address();
    CHECK_OK(test_map_with_tables(frame, ROOT_VSPACE, address, RW));
    *(volatile uint32_t *)address = 77;
    CHECK_OK(opal_frame_remap(frame, OPAL_MAP_READ, OPAL_MAP_CACHED));
    CHECK_EQ(*(volatile uint32_t *)address, 77);
    CHECK_OK(opal_frame_remap(frame, RW, OPAL_MAP_CACHED));
    *(volatile uint32_t *)address = 78;
    CHECK_EQ(*(volatile uint32_t *)address, 78);
}

TEST(vspace, frame_address_is_stable_and_page_aligned)
{
    uint32_t frame = new_frame(SMALL), first = 0, second = 1;
    CHECK_OK(opal_frame_address(frame, &first));
    CHECK_OK(opal_frame_address(test_copy(frame, OPAL_RIGHT_READ), &second));
    CHECK_EQ(first, second);
    CHECK_EQ(first % 0x1000, 0);
    CHECK(first >= (uint32_t)BOOTINFO->ram_base);
}

TEST(vspace, large_frame_in_root_vspace)
{
    uint32_t frame = new_frame(LARGE), address = 0x40000000u;
    CHECK_OK(test_map_with_tables(frame, ROOT_VSPACE, address, RW));
    volatile uint32_t *words = (volatile uint32_t *)address;
    words[0] = 0x11;
    words[0x1ffffc / 4] = 0x22;
    CHECK_EQ(words[0], 0x11);
    CHECK_EQ(words[0x1ffffc / 4], 0x22);
}

/* Creates VSpaces one at a time into `cnode` until one is refused. */
static uint32_t create_vspaces_until_refused(uint32_t untyped, uint32_t cnode)
{
    uint32_t created = 0;
    for (; created < 256; created++) {
        int error = opal_untyped_retype(untyped, OPAL_OBJECT_VSPACE, 0, cnode, created, 1);
        if (error == OPAL_ERR_NOT_ENOUGH_MEMORY)
            break;
        CHECK_OK(error);
    }
    return created;
}

TEST(vspace, vmids_run_out_and_come_back)
{
    uint32_t untyped = test_untyped(20), cnode = test_cnode(8);
    uint32_t created = create_vspaces_until_refused(untyped, cnode);
    CHECK_EQ(created, 254); /* 255 VMIDs, one is the root task's */
    CHECK_OK(opal_cnode_delete(cnode, 100));
    CHECK_OK(opal_untyped_retype(untyped, OPAL_OBJECT_VSPACE, 0, cnode, 100, 1));
    CHECK_EQ(opal_untyped_retype(untyped, OPAL_OBJECT_VSPACE, 0, cnode, 254, 1),
             OPAL_ERR_NOT_ENOUGH_MEMORY);
}

TEST(vspace, retype_of_too_many_vspaces_creates_none)
{
    uint32_t untyped = test_untyped(20), cnode = test_cnode(8);
    CHECK_EQ(opal_untyped_retype(untyped, OPAL_OBJECT_VSPACE, 0, cnode, 0, 255),
             OPAL_ERR_NOT_ENOUGH_MEMORY);
    CHECK(!test_cnode_slot_used(cnode, 0));
    CHECK_OK(opal_untyped_retype(untyped, OPAL_OBJECT_VSPACE, 0, cnode, 0, 254));
}

TEST(vspace, wrong_label_on_frame_is_illegal)
{
    CHECK_EQ(test_invoke_label(new_frame(SMALL), OPAL_PAGE_TABLE_MAP), OPAL_ERR_ILLEGAL_OPERATION);
}
