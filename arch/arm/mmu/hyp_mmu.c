/* The kernel's own HYP stage-1 translation: 1 GiB blocks mapping the
 * physical address space 1:1, RAM as Normal cacheable memory and the rest
 * as Device memory that is never executed. */
#include "arch/cp15.h"
#include "arm.h"
#include "lpae.h"
#include "platform.h"

/* HMAIR0: attribute 0 strongly ordered, 1 Device, 2 Normal write-back
 * read/write-allocate (inner and outer). Indices match enum lpae_hyp_memory. */
#define HMAIR0_VALUE 0x00ff0400u

/* HTCR: T0SZ 0 (32-bit), walks cacheable write-back, inner shareable. */
#define HTCR_VALUE ((1u << 31) | (1u << 23) | (3u << 12) | (1u << 10) | (1u << 8))

#define HSCTLR_M (1u << 0)
#define HSCTLR_A (1u << 1)
#define HSCTLR_C (1u << 2)
#define HSCTLR_I (1u << 12)
#define HSCTLR_WXN (1u << 19)

static uint64_t hyp_level1[LPAE_LEVEL1_ENTRIES] __attribute__((aligned(64)));

static bool block_holds_ram(uint64_t block)
{
    uint64_t block_end = block + (1ull << LPAE_LEVEL1_SHIFT);
    return block < platform.ram_base + platform.ram_size && platform.ram_base < block_end;
}

void hyp_mmu_init(void)
{
    for (unsigned i = 0; i < LPAE_LEVEL1_ENTRIES; i++) {
        uint64_t block = (uint64_t)i << LPAE_LEVEL1_SHIFT;
        hyp_level1[i] = block_holds_ram(block) ? lpae_hyp_block(block, LPAE_HYP_NORMAL, true)
                                               : lpae_hyp_block(block, LPAE_HYP_DEVICE, false);
    }
    dsb();
}

/* Each core: the same tables (core 0 wrote them with its MMU and caches
 * off, so they are in memory for every core's first table walk). */
void hyp_mmu_enable(void)
{
    hmair0_write(HMAIR0_VALUE);
    hmair1_write(0);
    htcr_write(HTCR_VALUE);
    httbr_write((uint32_t)(uintptr_t)hyp_level1);
    isb();
    tlbiallh();
    dsb();
    isb();
    uint32_t sctlr = hsctlr_read();
    sctlr &= ~(HSCTLR_A | HSCTLR_WXN);
    hsctlr_write(sctlr | HSCTLR_M | HSCTLR_C | HSCTLR_I);
    isb();
}
