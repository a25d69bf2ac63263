/* The VMM's trapped system registers (vmm/sysreg.c, vmm/vpmu.c) and its
 * rate-limited lines (vmm/rate.c): ACTLR, the virtual PMU's cycle counter,
 * the implementation-defined registers, the CP14 debug OS lock and ROM
 * table, ThumbEE, the physical timer, and UNDEFINED for the rest. The HSRs
 * are built here from the ARM ARM's layout, not with the VMM's decoder.
 * The vCPU register calls are fakes. */
#define UNIT_SUITE "vmm_sysreg"
#include "core/hsr.h"
#include "vmm_fixture.h"

/* --- fakes ---------------------------------------------------------------- */

/* The vCPU's registers the VMM may read and write, as the kernel keeps
 * them (DBGDSCR: only MDBGen and UDCCdis are a guest's). */
static uint32_t vcpu_registers[OPAL_VCPU_REGISTER_COUNT];
#define DBGDSCR_GUEST_BITS (1u << 15 | 1u << 12)

static bool vcpu_register_allowed(uint32_t index)
{
    return index == OPAL_VCPU_ACTLR || index == OPAL_VCPU_PMUSERENR ||
           (index >= OPAL_VCPU_DBGDSCR && index < OPAL_VCPU_DEBUG_END);
}

int opal_vcpu_read_register(uint32_t vcpu, uint32_t index, uint32_t *value)
{
    if (vcpu != VMM_CAP_VCPU || !vcpu_register_allowed(index))
        return OPAL_ERR_INVALID_ARGUMENT;
    *value = vcpu_registers[index];
    return OPAL_OK;
}

int opal_vcpu_write_register(uint32_t vcpu, uint32_t index, uint32_t value)
{
    if (vcpu != VMM_CAP_VCPU || !vcpu_register_allowed(index))
        return OPAL_ERR_INVALID_ARGUMENT;
    vcpu_registers[index] = index == OPAL_VCPU_DBGDSCR ? value & DBGDSCR_GUEST_BITS : value;
    return OPAL_OK;
}

/* --- trapped accesses -------------------------------------------------------- */

#define PC 0x40001234u
#define RT 3u
#define RT2 4u

static void reset(void)
{
    fixture_reset(&(struct vmm_boot_info){ .magic = VMM_BOOT_MAGIC, .name = "probe" });
    vpmu_reset(&vm.vcpus[0].pmu);
    memset(vcpu_registers, 0, sizeof vcpu_registers);
    vcpu_registers[OPAL_VCPU_ACTLR] = 0x41;
}

/* MRC/MCR: class CP15_32 or CP14_32, IL, Opc2, Opc1, CRn, Rt, CRm, read. */
static uint32_t hsr32(uint32_t cp, uint32_t opc1, uint32_t crn, uint32_t crm, uint32_t opc2,
                      bool read)
{
    uint32_t class = cp == 15 ? HSR_CLASS_CP15_32 : HSR_CLASS_CP14_32;
    return class << HSR_CLASS_SHIFT | HSR_IL | opc2 << HSR_SYSREG_OPC2_SHIFT |
           opc1 << HSR_SYSREG_OPC1_SHIFT | crn << HSR_SYSREG_CRN_SHIFT |
           RT << HSR_SYSREG_RT_SHIFT | crm << HSR_SYSREG_CRM_SHIFT |
           (read ? HSR_SYSREG_READ : 0u);
}

/* MRRC/MCRR: class CP15_64 or CP14_64, IL, Opc1, Rt2, Rt, CRm, read. */
static uint32_t hsr64(uint32_t cp, uint32_t opc1, uint32_t crm, bool read)
{
    uint32_t class = cp == 15 ? HSR_CLASS_CP15_64 : HSR_CLASS_CP14_64;
    return class << HSR_CLASS_SHIFT | HSR_IL | opc1 << HSR_SYSREG64_OPC1_SHIFT |
           RT2 << HSR_SYSREG64_RT2_SHIFT | RT << HSR_SYSREG_RT_SHIFT |
           crm << HSR_SYSREG_CRM_SHIFT | (read ? HSR_SYSREG_READ : 0u);
}

static uint32_t results[2];

static enum vmm_action exit_with(uint32_t hsr, uint32_t value, uint32_t value2)
{
    struct opal_message exit = {
        .tag = OPAL_TAG(OPAL_GUEST_EXIT_SYSREG, 0, OPAL_GUEST_EXIT_SYSREG_LENGTH),
        .mr = { PC, hsr, value, value2 },
    };
    results[0] = results[1] = 0xdeadbeefu;
    return vmm_handle_sysreg(&vm, &exit, results);
}

/* An emulated MRC's value, or 0xbad0bad0 if it was not emulated. */
static uint32_t mrc(uint32_t cp, uint32_t opc1, uint32_t crn, uint32_t crm, uint32_t opc2)
{
    return exit_with(hsr32(cp, opc1, crn, crm, opc2, true), 0, 0) == VMM_EMULATED
               ? results[0] : 0xbad0bad0u;
}

static bool mcr(uint32_t cp, uint32_t opc1, uint32_t crn, uint32_t crm, uint32_t opc2,
                uint32_t value)
{
    return exit_with(hsr32(cp, opc1, crn, crm, opc2, false), value, 0) == VMM_EMULATED;
}

/* The PMU's registers: p15, 0, c9, crm, opc2. */
static uint32_t pmu_read(uint32_t crm, uint32_t opc2)
{
    return mrc(15, 0, 9, crm, opc2);
}

static void pmu_write(uint32_t crm, uint32_t opc2, uint32_t value)
{
    CHECKF(mcr(15, 0, 9, crm, opc2, value), "PMU c%u, %u", crm, opc2);
}

#define PMCR_REG 12, 0
#define PMCNTENSET_REG 12, 1
#define PMCNTENCLR_REG 12, 2
#define PMOVSR_REG 12, 3
#define PMSELR_REG 12, 5
#define PMCEID0_REG 12, 6
#define PMCEID1_REG 12, 7
#define PMCCNTR_REG 13, 0
#define PMXEVTYPER_REG 13, 1
#define PMXEVCNTR_REG 13, 2
#define PMUSERENR_REG 14, 0
#define PMINTENSET_REG 14, 1
#define PMINTENCLR_REG 14, 2
#define PMOVSSET_REG 14, 3
#define CYCLES (1u << 31)

/* --- ACTLR ------------------------------------------------------------------- */

TEST(actlr_reads_and_writes_the_guests_view)
{
    reset();
    CHECK_EQ(mrc(15, 0, 1, 0, 1), 0x41);
    CHECK(mcr(15, 0, 1, 0, 1, 0x40));
    CHECK_EQ(vcpu_registers[OPAL_VCPU_ACTLR], 0x40);
    CHECK_EQ(mrc(15, 0, 1, 0, 1), 0x40);
    CHECK_EQ(log_count, 0);
}

/* --- the virtual PMU ------------------------------------------------------------ */

TEST(pmcr_has_no_event_counters_and_keeps_its_bits)
{
    reset();
    uint32_t pmcr = pmu_read(PMCR_REG);
    CHECK_EQ((pmcr >> 11) & 0x1f, 0);               /* N = 0 */
    CHECK_EQ(pmcr >> 24, 0x41);                     /* ARM */
    CHECK_EQ(pmcr & 0x3f, 0);                       /* reset: off */
    pmu_write(PMCR_REG, 0xffffffffu);
    CHECK_EQ(pmu_read(PMCR_REG) & 0x7ff, 0x39);     /* E, D, X, DP; P and C read 0 */
    CHECK_EQ((pmu_read(PMCR_REG) >> 11) & 0x1f, 0);
    CHECK_EQ(pmu_read(PMCEID0_REG), 1u << 0x11);    /* CPU_CYCLES */
    CHECK_EQ(pmu_read(PMCEID1_REG), 0);
}

TEST(cycle_counter_counts_while_enabled_only)
{
    reset();
    pmu_write(PMCNTENSET_REG, 0xffffffffu);         /* only C exists */
    CHECK_EQ(pmu_read(PMCNTENSET_REG), CYCLES);
    CHECK_EQ(pmu_read(PMCNTENCLR_REG), CYCLES);
    fake_now += 500;
    CHECK_EQ(pmu_read(PMCCNTR_REG), 0);             /* PMCR.E clear */
    pmu_write(PMCR_REG, 1);
    fake_now += 500;
    CHECK_EQ(pmu_read(PMCCNTR_REG), 500);
    fake_now += 250;
    CHECK_EQ(pmu_read(PMCCNTR_REG), 750);
    pmu_write(PMCNTENCLR_REG, CYCLES);
    fake_now += 1000;
    CHECK_EQ(pmu_read(PMCCNTR_REG), 750);           /* stopped */
    pmu_write(PMCNTENSET_REG, CYCLES);
    fake_now += 10;
    CHECK_EQ(pmu_read(PMCCNTR_REG), 760);
    pmu_write(PMCR_REG, 0);
    fake_now += 10;
    CHECK_EQ(pmu_read(PMCCNTR_REG), 760);
}

TEST(cycle_counter_divider_reset_and_write)
{
    reset();
    pmu_write(PMCNTENSET_REG, CYCLES);
    pmu_write(PMCR_REG, 1 | 8);                     /* E, D: one count per 64 */
    fake_now += 100;
    CHECK_EQ(pmu_read(PMCCNTR_REG), 1);
    fake_now += 28;                                 /* 128 ticks in all */
    CHECK_EQ(pmu_read(PMCCNTR_REG), 2);
    pmu_write(PMCR_REG, 1 | 4);                     /* C resets it; D off */
    CHECK_EQ(pmu_read(PMCCNTR_REG), 0);
    fake_now += 7;
    CHECK_EQ(pmu_read(PMCCNTR_REG), 7);
    pmu_write(PMCCNTR_REG, 1000000);                /* writes set it */
    fake_now += 1;
    CHECK_EQ(pmu_read(PMCCNTR_REG), 1000001);
}

TEST(cycle_counter_overflow_sets_pmovsr)
{
    reset();
    pmu_write(PMCNTENSET_REG, CYCLES);
    pmu_write(PMCR_REG, 1);
    pmu_write(PMCCNTR_REG, 0xfffffff0u);
    fake_now += 0x20;
    CHECK_EQ(pmu_read(PMCCNTR_REG), 0x10);
    CHECK_EQ(pmu_read(PMOVSR_REG), CYCLES);
    pmu_write(PMOVSR_REG, 0x7fffffffu);             /* write-one-to-clear, C only */
    CHECK_EQ(pmu_read(PMOVSR_REG), CYCLES);
    pmu_write(PMOVSR_REG, CYCLES);
    CHECK_EQ(pmu_read(PMOVSR_REG), 0);
    pmu_write(PMOVSSET_REG, 0xffffffffu);
    CHECK_EQ(pmu_read(PMOVSR_REG), CYCLES);
}

TEST(interrupt_enables_selection_and_user_enable_are_kept)
{
    reset();
    pmu_write(PMINTENSET_REG, 0xffffffffu);
    CHECK_EQ(pmu_read(PMINTENSET_REG), CYCLES);
    pmu_write(PMINTENCLR_REG, CYCLES);
    CHECK_EQ(pmu_read(PMINTENCLR_REG), 0);
    pmu_write(PMUSERENR_REG, 0xffffffffu);
    CHECK_EQ(pmu_read(PMUSERENR_REG), 0xf);
    /* The CPU holds it too, so the guest's user-mode accesses trap here. */
    CHECK_EQ(vcpu_registers[OPAL_VCPU_PMUSERENR], 0xf);
    /* PMSELR 31: PMXEVTYPER is PMCCFILTR. */
    pmu_write(PMSELR_REG, 31);
    pmu_write(PMXEVTYPER_REG, 0xffffffffu);
    CHECK_EQ(pmu_read(PMXEVTYPER_REG), 0xf8000000u);
    /* Any other selection names an event counter there is not: RAZ/WI. */
    pmu_write(PMSELR_REG, 0);
    CHECK_EQ(pmu_read(PMSELR_REG), 0);
    pmu_write(PMXEVTYPER_REG, 0x11);
    CHECK_EQ(pmu_read(PMXEVTYPER_REG), 0);
    pmu_write(PMXEVCNTR_REG, 1234);
    CHECK_EQ(pmu_read(PMXEVCNTR_REG), 0);
    pmu_write(PMSELR_REG, 31);
    CHECK_EQ(pmu_read(PMXEVTYPER_REG), 0xf8000000u);
    CHECK_EQ(log_count, 0);
}

TEST(pmu_encodings_that_name_nothing_are_undefined)
{
    reset();
    CHECK_EQ(exit_with(hsr32(15, 0, 9, 13, 3, true), 0, 0), VMM_UNDEFINED);
    CHECK_EQ(exit_with(hsr32(15, 0, 9, 14, 4, false), 0, 0), VMM_UNDEFINED);
    CHECK_EQ(exit_with(hsr32(15, 1, 9, 12, 0, true), 0, 0), VMM_UNDEFINED);
}

/* --- implementation-defined registers ---------------------------------------- */

TEST(implementation_defined_registers_read_as_zero)
{
    reset();
    CHECK_EQ(mrc(15, 1, 9, 0, 2), 0);               /* L2CTLR: one CPU */
    CHECK_EQ(mrc(15, 1, 9, 0, 3), 0);               /* L2ECTLR */
    CHECK(mcr(15, 1, 9, 0, 2, 0xffffffffu));
    CHECK_EQ(mrc(15, 1, 9, 0, 2), 0);
    CHECK_EQ(mrc(15, 0, 9, 1, 0), 0);
    CHECK_EQ(mrc(15, 0, 9, 8, 7), 0);
    CHECK_EQ(mrc(15, 0, 10, 0, 0), 0);              /* TLB lockdown */
    CHECK_EQ(mrc(15, 0, 10, 8, 0), 0);
    CHECK_EQ(mrc(15, 0, 11, 5, 1), 0);
    CHECK_EQ(mrc(15, 4, 15, 0, 0), 0);              /* CBAR and the rest of c15 */
    CHECK(mcr(15, 0, 15, 3, 0, 1));
    CHECK_EQ(exit_with(hsr64(15, 0, 15, true), 0, 0), VMM_EMULATED);
    CHECK_EQ(results[0], 0);
    CHECK_EQ(results[1], 0);
    CHECK_EQ(log_count, 0);
    /* c9 CRm 3 and c10 CRm 2 (PRRR) are not implementation-defined. */
    CHECK_EQ(exit_with(hsr32(15, 0, 9, 3, 0, true), 0, 0), VMM_UNDEFINED);
    CHECK_EQ(exit_with(hsr32(15, 0, 10, 2, 0, true), 0, 0), VMM_UNDEFINED);
}

/* --- CP14 debug -------------------------------------------------------------- */

#define DBGOSLSR_READ() mrc(14, 0, 1, 1, 4)

TEST(os_lock_is_the_vms_own)
{
    reset();
    CHECK_EQ(DBGOSLSR_READ(), 0x8);                 /* OSLM v7.1, unlocked */
    CHECK(mcr(14, 0, 1, 0, 4, 0xc5acce55u));        /* DBGOSLAR with the key */
    CHECK_EQ(DBGOSLSR_READ(), 0xa);
    CHECK(mcr(14, 0, 1, 0, 4, 0));
    CHECK_EQ(DBGOSLSR_READ(), 0x8);
    CHECK(mcr(14, 0, 1, 0, 4, 0xc5acce55u));
    CHECK(mcr(14, 0, 1, 0, 4, 1));                  /* any other value unlocks */
    CHECK_EQ(DBGOSLSR_READ(), 0x8);
}

TEST(debug_power_and_rom_registers_are_absent)
{
    reset();
    CHECK(mcr(14, 0, 1, 3, 4, 1));                  /* DBGOSDLR */
    CHECK_EQ(mrc(14, 0, 1, 3, 4), 0);
    CHECK(mcr(14, 0, 1, 4, 4, 0xffffffffu));        /* DBGPRCR */
    CHECK_EQ(mrc(14, 0, 1, 4, 4), 0);
    CHECK_EQ(mrc(14, 0, 1, 0, 0), 0);               /* DBGDRAR: Valid clear */
    CHECK_EQ(mrc(14, 0, 2, 0, 0), 0);               /* DBGDSAR */
    CHECK_EQ(exit_with(hsr64(14, 0, 1, true), 0, 0), VMM_EMULATED);
    CHECK_EQ(results[0], 0);
    CHECK_EQ(results[1], 0);
    CHECK_EQ(exit_with(hsr64(14, 0, 2, true), 0, 0), VMM_EMULATED);
    CHECK_EQ(results[0], 0);
    CHECK_EQ(log_count, 0);
}

/* Breakpoints, watchpoints, DBGVCR and DBGDSCR are the vCPU's registers,
 * which the kernel switches; the VMM passes the guest's accesses on. */
TEST(breakpoints_and_watchpoints_are_the_vcpus)
{
    reset();
    for (uint32_t n = 0; n < OPAL_VCPU_BREAKPOINTS; n++) {
        CHECK(mcr(14, 0, 0, n, 4, 0x1000u + n));    /* DBGBVRn */
        CHECK(mcr(14, 0, 0, n, 5, 0x1e7u));         /* DBGBCRn */
        CHECK_EQ(vcpu_registers[OPAL_VCPU_DBGBVR0 + n], 0x1000u + n);
        CHECK_EQ(mrc(14, 0, 0, n, 5), 0x1e7u);
    }
    for (uint32_t n = 0; n < OPAL_VCPU_WATCHPOINTS; n++) {
        CHECK(mcr(14, 0, 0, n, 6, 0x2000u + 4 * n));  /* DBGWVRn */
        CHECK(mcr(14, 0, 0, n, 7, 0x1f7u));           /* DBGWCRn */
        CHECK_EQ(vcpu_registers[OPAL_VCPU_DBGWCR0 + n], 0x1f7u);
        CHECK_EQ(mrc(14, 0, 0, n, 6), 0x2000u + 4 * n);
    }
    /* Pairs past the vCPU's are no registers: UNDEFINED, as on the CPU. */
    CHECK_EQ(exit_with(hsr32(14, 0, 0, OPAL_VCPU_BREAKPOINTS, 4, true), 0, 0), VMM_UNDEFINED);
    CHECK_EQ(exit_with(hsr32(14, 0, 0, OPAL_VCPU_WATCHPOINTS, 6, false), 1, 0), VMM_UNDEFINED);
    CHECK(mcr(14, 0, 0, 7, 0, 0xff));               /* DBGVCR */
    CHECK_EQ(vcpu_registers[OPAL_VCPU_DBGVCR], 0xff);
}

TEST(dscr_keeps_the_guests_bits_and_its_internal_view_is_read_only)
{
    reset();
    CHECK(mcr(14, 0, 0, 2, 2, 0xffffffffu));        /* DBGDSCRext */
    CHECK_EQ(mrc(14, 0, 0, 2, 2), DBGDSCR_GUEST_BITS);
    CHECK_EQ(mrc(14, 0, 0, 1, 0), DBGDSCR_GUEST_BITS); /* DBGDSCRint */
    CHECK(mcr(14, 0, 0, 1, 0, 0));                  /* a write there changes nothing */
    CHECK_EQ(vcpu_registers[OPAL_VCPU_DBGDSCR], DBGDSCR_GUEST_BITS);
}

TEST(didr_describes_the_vcpus_pairs_and_v7_1)
{
    reset();
    uint32_t didr = mrc(14, 0, 0, 0, 0);
    CHECK_EQ(didr >> 28, OPAL_VCPU_WATCHPOINTS - 1);
    CHECK_EQ((didr >> 24) & 0xf, OPAL_VCPU_BREAKPOINTS - 1);
    CHECK_EQ((didr >> 16) & 0xf, 5);
}

TEST(dcc_claim_tags_and_vmid_breakpoints_are_absent)
{
    static const uint32_t absent[][3] = {
        { 0, 0, 2 }, { 0, 3, 2 }, { 0, 5, 0 }, { 0, 6, 0 },   /* DTRRX/TX, WFAR */
        { 1, 4, 1 }, { 1, 5, 1 },                             /* DBGBXVR4, 5 */
        { 7, 8, 6 }, { 7, 9, 6 }, { 7, 14, 6 }, { 7, 2, 7 },  /* claim, auth, DEVID */
    };
    reset();
    for (unsigned i = 0; i < sizeof absent / sizeof absent[0]; i++) {
        CHECKF(mcr(14, 0, absent[i][0], absent[i][1], absent[i][2], 0xffffffffu),
               "c%u, c%u, %u", absent[i][0], absent[i][1], absent[i][2]);
        CHECK_EQ(mrc(14, 0, absent[i][0], absent[i][1], absent[i][2]), 0);
    }
    for (unsigned i = OPAL_VCPU_DBGDSCR; i < OPAL_VCPU_DEBUG_END; i++)
        CHECK_EQ(vcpu_registers[i], 0);
    CHECK_EQ(log_count, 0);
}

/* --- the physical timer ------------------------------------------------------ */

TEST(physical_timer_is_ignored_with_one_line)
{
    reset();
    for (int i = 0; i < 100; i++) {
        CHECK_EQ(mrc(15, 0, 14, 2, 1), 0);          /* CNTP_CTL */
        CHECK(mcr(15, 0, 14, 2, 0, 1000));          /* CNTP_TVAL */
        CHECK_EQ(exit_with(hsr64(15, 2, 14, false), 1, 2), VMM_EMULATED);   /* CNTP_CVAL */
        fake_now += FIXTURE_TICKS_PER_SECOND;
    }
    CHECK_EQ(exit_with(hsr64(15, 2, 14, true), 0, 0), VMM_EMULATED);
    CHECK_EQ(results[0], 0);
    CHECK_EQ(results[1], 0);
    CHECK_EQ(log_count, 1);
    CHECK_STR(last_log, "the guest's physical timer accesses are ignored (it has the virtual "
                        "timer)");
}

/* --- anything else ------------------------------------------------------------- */

TEST(unknown_registers_are_undefined_and_logged_rate_limited)
{
    reset();
    CHECK_EQ(exit_with(hsr32(15, 0, 13, 0, 5, true), 0, 0), VMM_UNDEFINED);
    CHECK_EQ(log_count, 1);
    CHECK_STR(last_log, "guest MRC p15, 0, c13, c0, 5: undefined (pc 0x40001234)");
    CHECK_EQ(exit_with(hsr64(15, 7, 2, false), 0, 0), VMM_UNDEFINED);
    CHECK_STR(last_log, "guest MCRR p15, 7, c2: undefined (pc 0x40001234)");
    for (int i = 0; i < 1000; i++)
        CHECK_EQ(exit_with(hsr32(14, 7, 7, 7, 7, false), 0, 0), VMM_UNDEFINED);
    CHECK_EQ(log_count, VMM_RATE_BURST);
    CHECK_STR(last_log, "guest MCR p14, 7, c7, c7, 7: undefined (pc 0x40001234) (further ones "
                        "at most once a second)");
    fake_now += FIXTURE_TICKS_PER_SECOND - 1;
    exit_with(hsr32(14, 7, 7, 7, 7, false), 0, 0);
    CHECK_EQ(log_count, VMM_RATE_BURST);
    fake_now += 1;
    exit_with(hsr32(14, 7, 7, 7, 7, false), 0, 0);
    CHECK_EQ(log_count, VMM_RATE_BURST + 1);
    CHECK_STR(last_log, "guest MCR p14, 7, c7, c7, 7: undefined (pc 0x40001234) (995 more like "
                        "it held back)");
    fake_now += 5 * FIXTURE_TICKS_PER_SECOND;
    exit_with(hsr32(14, 7, 7, 7, 7, false), 0, 0);
    CHECK_EQ(log_count, VMM_RATE_BURST + 2);
    CHECK_STR(last_log, "guest MCR p14, 7, c7, c7, 7: undefined (pc 0x40001234)");
}

TEST(a_class_that_is_no_register_access_is_undefined)
{
    reset();
    CHECK_EQ(exit_with((uint32_t)HSR_CLASS_HCPTR << HSR_CLASS_SHIFT, 0, 0), VMM_UNDEFINED);
    CHECK_EQ(stop_count, 0);
}
