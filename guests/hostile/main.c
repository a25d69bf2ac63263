/* hostile: a bare-metal guest (PL1) that leaves the CPU as dirty as it can
 * for whoever runs next (tests/configs/isolation.dts, tests/system/
 * test_isolation.py). It turns the PMU on with user access, writes marker
 * values into the registers PL0 can read (TPIDRURW, TPIDRURO, TEEHBR) and
 * into CSSELR and CONTEXTIDR, and arms a hardware breakpoint on the native
 * checker task's code and a watchpoint on its data (isocheck, whose
 * addresses the build reads from its ELF into targets.h), with monitor
 * debug on and the OS lock off. Then it keeps running: hypercalls between
 * busy stretches, and once a second a line saying whether its own state is
 * still what it set (a hypervisor that switches state must give it back).
 * A write the hypervisor refuses (an undefined-instruction exception) is
 * reported and skipped. */
#include <stdint.h>
#include "guest/baremetal.h"
#include "targets.h"

#define SPIN 20000u

/* Breakpoint control (ARMv7 DBGBCR): enabled, PL0 and PL1 (PMC 0b11), all
 * four bytes of an ARM instruction; watchpoint control (DBGWCR): enabled,
 * PL0 and PL1, loads and stores, a word. Neither matches in Hyp mode. */
#define DBGBCR_ARM_ANY_PL (1u | 3u << 1 | 0xfu << 5)
#define DBGWCR_WORD_ANY_PL (1u | 3u << 1 | 3u << 3 | 0xfu << 5)
#define DBGDSCR_MDBGEN (1u << 15)
#define PMCR_E (1u << 0)
#define PMCNTEN_CYCLES (1u << 31)

volatile uint32_t hostile_undefined;    /* start.S counts skipped instructions */
void hostile_main(void);
void hostile_exception(uint32_t vector, uint32_t lr);

/* Each register: its name, how to write and read it. */
#define ACCESSORS(name, coprocessor, op1, crn, crm, op2)                       \
    static void write_##name(uint32_t value)                                   \
    {                                                                           \
        __asm__ volatile("mcr " #coprocessor ", " #op1 ", %0, " #crn ", " #crm  \
                         ", " #op2 "\n isb" :: "r"(value) : "memory");          \
    }                                                                           \
    static uint32_t read_##name(void)                                          \
    {                                                                           \
        uint32_t value = 0;                                                     \
        __asm__ volatile("mrc " #coprocessor ", " #op1 ", %0, " #crn ", " #crm  \
                         ", " #op2 : "+r"(value) :: "memory");                  \
        return value;                                                           \
    }
ACCESSORS(tpidrurw, p15, 0, c13, c0, 2)
ACCESSORS(tpidruro, p15, 0, c13, c0, 3)
ACCESSORS(contextidr, p15, 0, c13, c0, 1)
ACCESSORS(csselr, p15, 2, c0, c0, 0)
ACCESSORS(teehbr, p14, 6, c1, c0, 0)
ACCESSORS(pmcr, p15, 0, c9, c12, 0)
ACCESSORS(pmcntenset, p15, 0, c9, c12, 1)
ACCESSORS(pmuserenr, p15, 0, c9, c14, 0)
ACCESSORS(dbgoslar, p14, 0, c1, c0, 4)
ACCESSORS(dbgosdlr, p14, 0, c1, c3, 4)
ACCESSORS(dbgdscr, p14, 0, c0, c2, 2)   /* DBGDSCRext */
ACCESSORS(dbgbvr0, p14, 0, c0, c0, 4)
ACCESSORS(dbgbcr0, p14, 0, c0, c0, 5)
ACCESSORS(dbgwvr0, p14, 0, c0, c0, 6)
ACCESSORS(dbgwcr0, p14, 0, c0, c0, 7)

/* What it set and read back, to compare with later. */
struct setting {
    const char *name;
    void (*write)(uint32_t);
    uint32_t (*read)(void);
    uint32_t value;      /* written */
    uint32_t seen;       /* read back right after */
    int refused;         /* the write or the read was undefined */
};

#define SETTING(name, value) { #name, write_##name, read_##name, (value), 0, 0 }
static struct setting settings[] = {
    SETTING(tpidrurw, 0x7e570001u),
    SETTING(tpidruro, 0x7e570002u),
    SETTING(teehbr, 0x7e570004u),
    SETTING(csselr, 2u),                /* level 2 cache: others' CCSIDR would change */
    SETTING(contextidr, 0x7e5700ffu),
    SETTING(pmuserenr, 1u),             /* PL0 may read the counters */
    SETTING(pmcntenset, PMCNTEN_CYCLES),
    SETTING(pmcr, PMCR_E),              /* and they run */
    SETTING(dbgoslar, 0u),              /* OS lock off */
    SETTING(dbgosdlr, 0u),
    SETTING(dbgbvr0, ISOCHECK_CODE_TARGET),
    SETTING(dbgbcr0, DBGBCR_ARM_ANY_PL),
    SETTING(dbgwvr0, ISOCHECK_DATA_TARGET),
    SETTING(dbgwcr0, DBGWCR_WORD_ANY_PL),
    SETTING(dbgdscr, DBGDSCR_MDBGEN),   /* monitor debug on: they fire */
};
#define SETTINGS (sizeof settings / sizeof settings[0])

/* The register's value, and whether the read was undefined. */
static uint32_t read_setting(const struct setting *s, int *undefined)
{
    uint32_t before = hostile_undefined;
    uint32_t value = s->read();
    *undefined = hostile_undefined != before;
    return value;
}

static void dirty(void)
{
    for (uint32_t i = 0; i < SETTINGS; i++) {
        struct setting *s = &settings[i];
        uint32_t before = hostile_undefined;
        if (s->write == write_dbgdscr)
            s->value |= s->read();        /* keep what the rest of DSCR says */
        s->write(s->value);
        int undefined_read;
        s->seen = read_setting(s, &undefined_read);
        s->refused = hostile_undefined != before;
        put_string("hostile: ");
        put_string(s->name);
        put_string(" wrote ");
        put_hex(s->value);
        if (s->refused) {
            put_string(": undefined\n");
        } else {
            put_string(" read ");
            put_hex(s->seen);
            put_string("\n");
        }
    }
    put_string("hostile: dirty: pmu on with user access, markers written, breakpoint ");
    put_hex(ISOCHECK_CODE_TARGET);
    put_string(" watchpoint ");
    put_hex(ISOCHECK_DATA_TARGET);
    put_string("\n");
}

/* Its own registers must read as it left them, whatever ran meanwhile
 * (write-only and refused ones aside). */
static uint32_t changed(void)
{
    uint32_t count = 0;
    for (uint32_t i = 0; i < SETTINGS; i++) {
        const struct setting *s = &settings[i];
        int undefined;
        if (s->refused || s->write == write_dbgoslar || s->write == write_dbgosdlr)
            continue;
        uint32_t now = read_setting(s, &undefined);
        /* DBGDSCR's other bits are status that moves on its own. */
        uint32_t compared = s->write == write_dbgdscr ? DBGDSCR_MDBGEN : ~0u;
        if (undefined || ((now ^ s->seen) & compared)) {
            put_string("hostile: FAIL its own ");
            put_string(s->name);
            put_string(" changed from ");
            put_hex(s->seen);
            put_string(" to ");
            put_hex(now);
            put_string("\n");
            count++;
        }
    }
    return count;
}

void hostile_exception(uint32_t vector, uint32_t lr)
{
    put_string("hostile: FAIL exception vector ");
    put_number(vector);
    put_string(" lr ");
    put_hex(lr);
    put_string("\n");
}

void hostile_main(void)
{
    put_string("hostile: ready\n");
    dirty();
    uint32_t second = counter_frequency(), seconds = 0, hypercalls = 0;
    uint64_t next = counter() + second;
    for (;;) {
        for (volatile uint32_t i = 0; i < SPIN; i++)
            ;
        hvc(NULL_FUNCTION);
        hypercalls++;
        if (counter() >= next) {
            next += second;
            seconds++;
            uint32_t lost = changed();
            put_string("hostile: alive ");
            put_number(seconds);
            put_string(" s, ");
            put_number(hypercalls);
            put_string(" hypercalls, own state ");
            put_string(lost ? "changed\n" : "kept\n");
        }
    }
}
