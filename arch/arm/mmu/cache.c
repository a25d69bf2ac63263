/* Data cache maintenance by set/way for a guest (HCR.TSW traps it): the
 * operand is checked against this CPU's cache geometry and rebuilt from its
 * fields, so no malformed operand reaches the CPU from HYP mode, and the
 * line is cleaned and invalidated, never only invalidated. */
#include "arch/cp15.h"
#include "arch/guest.h"

#define CLIDR_CTYPE(clidr, level) (((clidr) >> (3 * (level))) & 7u)
#define CTYPE_DATA 2u
#define CTYPE_UNIFIED 4u
#define CCSIDR_LINE_SHIFT(ccsidr) (((ccsidr) & 7u) + 4)   /* log2 of the line's bytes */
#define CCSIDR_WAYS(ccsidr) ((((ccsidr) >> 3) & 0x3ffu) + 1)
#define CCSIDR_SETS(ccsidr) ((((ccsidr) >> 13) & 0x7fffu) + 1)
#define SET_WAY_LEVEL(operand) (((operand) >> 1) & 7u)

/* Bits needed to number `count` things (0 for one). */
static uint32_t index_bits(uint32_t count)
{
    uint32_t bits = 0;
    while ((1u << bits) < count)
        bits++;
    return bits;
}

/* The geometry of the data or unified cache at `level`, or 0 if none. The
 * guest's cache selection is in the CPU: put it back afterwards. */
static uint32_t data_cache_geometry(uint32_t level)
{
    uint32_t type = CLIDR_CTYPE(clidr_read(), level);
    if (type < CTYPE_DATA || type > CTYPE_UNIFIED)
        return 0;
    uint32_t selection = csselr_read();
    csselr_write(level << 1);
    isb();
    uint32_t ccsidr = ccsidr_read();
    csselr_write(selection);
    isb();
    return ccsidr;
}

void cache_clean_invalidate_set_way(uint32_t operand)
{
    uint32_t level = SET_WAY_LEVEL(operand);
    uint32_t ccsidr = data_cache_geometry(level);
    if (ccsidr == 0)
        return;   /* no such cache: nothing to maintain */
    uint32_t line_shift = CCSIDR_LINE_SHIFT(ccsidr);
    uint32_t way_bits = index_bits(CCSIDR_WAYS(ccsidr));
    uint32_t set = (operand >> line_shift) & ((1u << index_bits(CCSIDR_SETS(ccsidr))) - 1);
    uint32_t way = way_bits ? operand >> (32 - way_bits) : 0;
    if (set >= CCSIDR_SETS(ccsidr) || way >= CCSIDR_WAYS(ccsidr))
        return;
    dccisw((way_bits ? way << (32 - way_bits) : 0) | set << line_shift | level << 1);
    dsb();
}
