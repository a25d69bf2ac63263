/* LPAE descriptor encoding (arch/arm/mmu/lpae.c), checked bit by bit against
 * the ARM ARM's long-descriptor format. */
#define UNIT_SUITE "lpae"
#include "unit.h"
#include "lpae.h"

#define BIT(n) (1ull << (n))

TEST(indices_split_a_32_bit_address)
{
    uint32_t address = 0xc0000000u | (0x1a5u << 21) | (0x0f3u << 12) | 0x123;
    CHECK_EQ(lpae_index(address, 1), 3);
    CHECK_EQ(lpae_index(address, 2), 0x1a5);
    CHECK_EQ(lpae_index(address, 3), 0x0f3);
    CHECK_EQ(lpae_index(0xffffffffu, 2), 511);
    CHECK_EQ(lpae_index(0, 3), 0);
}

TEST(table_descriptor)
{
    uint64_t entry = lpae_table(0x4012f000u);
    CHECK_EQ(entry & 3, 3);
    CHECK_EQ(entry & 0x000000fffffff000ull, 0x4012f000u);
    CHECK_EQ(entry & ~0x000000fffffff003ull, 0);
    CHECK(lpae_is_table(entry, 1));
    CHECK(lpae_is_table(entry, 2));
    CHECK(!lpae_is_table(entry, 3));
    CHECK_EQ(lpae_table(0x40000fffu) & 0xfff, 3); /* low bits never leak in */
}

TEST(hyp_normal_block)
{
    uint64_t entry = lpae_hyp_block(0x40000000u, LPAE_HYP_NORMAL, true);
    CHECK_EQ(entry & 3, 1);              /* block */
    CHECK_EQ((entry >> 2) & 7, 2);       /* AttrIndx 2: normal in HMAIR0 */
    CHECK_EQ((entry >> 6) & 3, 1);       /* AP[2:1] = 01: read/write, AP[1] SBO */
    CHECK_EQ((entry >> 8) & 3, 3);       /* inner shareable */
    CHECK(entry & BIT(10));              /* access flag */
    CHECK(!(entry & BIT(54)));           /* executable */
    CHECK_EQ(lpae_output_address(entry), 0x40000000u);
}

TEST(hyp_device_block_is_never_executable)
{
    uint64_t entry = lpae_hyp_block(0x00000000u, LPAE_HYP_DEVICE, false);
    CHECK_EQ((entry >> 2) & 7, 1);
    CHECK_EQ((entry >> 8) & 3, 0);
    CHECK(entry & BIT(54));
    CHECK(entry & BIT(10));
}

TEST(stage2_normal_page_rights)
{
    uint64_t rw = lpae_stage2_page(0x40321000u, LPAE_S2_READ | LPAE_S2_WRITE, false);
    CHECK_EQ(rw & 3, 3);                 /* page */
    CHECK_EQ((rw >> 2) & 0xf, 0xf);      /* MemAttr: outer and inner write-back */
    CHECK_EQ((rw >> 6) & 3, 3);          /* S2AP read/write */
    CHECK_EQ((rw >> 8) & 3, 3);
    CHECK(rw & BIT(10));
    CHECK(rw & BIT(54));                 /* no execute asked: XN */
    CHECK_EQ(lpae_output_address(rw), 0x40321000u);
    CHECK_EQ(lpae_stage2_rights(rw), LPAE_S2_READ | LPAE_S2_WRITE);

    uint64_t rx = lpae_stage2_page(0x40322000u, LPAE_S2_READ | LPAE_S2_EXECUTE, false);
    CHECK_EQ((rx >> 6) & 3, 1);          /* read-only */
    CHECK(!(rx & BIT(54)));
    CHECK_EQ(lpae_stage2_rights(rx), LPAE_S2_READ | LPAE_S2_EXECUTE);

    uint64_t none = lpae_stage2_page(0x40323000u, 0, false);
    CHECK_EQ((none >> 6) & 3, 0);
    CHECK_EQ(lpae_stage2_rights(none), 0);
    CHECK(lpae_is_page(none));
}

TEST(stage2_device_page_is_device_and_never_executable)
{
    uint64_t entry = lpae_stage2_page(0x09000000u, LPAE_S2_READ | LPAE_S2_WRITE | LPAE_S2_EXECUTE,
                                      true);
    CHECK_EQ((entry >> 2) & 0xf, 0x1);   /* Device-nGnRE */
    CHECK_EQ((entry >> 8) & 3, 0);
    CHECK(entry & BIT(54));
    CHECK_EQ(lpae_stage2_rights(entry), LPAE_S2_READ | LPAE_S2_WRITE);
}

TEST(output_address_keeps_40_bits_and_drops_attributes)
{
    uint64_t entry = lpae_stage2_page(0xff12345000ull, LPAE_S2_READ, false);
    CHECK_EQ(lpae_output_address(entry), 0xff12345000ull);
    CHECK_EQ(lpae_output_address(lpae_stage2_page(0x40000abcu, LPAE_S2_READ, false)),
             0x40000000u);
}

TEST(invalid_entries_are_neither_table_nor_page)
{
    CHECK(!lpae_is_table(0, 1));
    CHECK(!lpae_is_page(0));
    CHECK(!lpae_is_page(lpae_hyp_block(0x40000000u, LPAE_HYP_NORMAL, true)));
}
