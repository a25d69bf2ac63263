/* The virtual PMU (vpmu.h): PMCR with N = 0, the cycle counter and its
 * enable, overflow, interrupt-enable and filter registers, PMSELR, PMUSERENR;
 * the event counter registers read as zero and ignore writes, as there are
 * none. PMCCNTR counts generic counter ticks (one "cycle" per tick: the
 * guest's CPU frequency is not known, and the counter's is fixed and
 * monotonic), one per 64 with PMCR.D, while PMCR.E and PMCNTENSET.C are
 * both set. An overflow sets PMOVSR.C; no overflow interrupt is delivered
 * (the PMU's interrupt is not wired to the guest's GIC). */
#include "vmm/vpmu.h"

/* PMCR: IMP ARM, IDCODE Cortex-A15's, N = 0 event counters. */
#define PMCR_E          (1u << 0)   /* enable */
#define PMCR_P          (1u << 1)   /* reset the event counters (write-only) */
#define PMCR_C          (1u << 2)   /* reset the cycle counter (write-only) */
#define PMCR_D          (1u << 3)   /* the cycle counter counts every 64th cycle */
#define PMCR_X          (1u << 4)   /* export (nowhere to export to; kept) */
#define PMCR_DP         (1u << 5)   /* disable in prohibited regions (there are none) */
#define PMCR_WRITABLE   (PMCR_E | PMCR_D | PMCR_X | PMCR_DP)
#define PMCR_ID         (0x41u << 24 | 0x0fu << 16)
#define CYCLE_COUNTER   (1u << 31)  /* bit C of the set/clear registers */
#define PMUSERENR_BITS  0xfu        /* EN, SW, CR, ER */
#define PMCCFILTR_BITS  0xf8000000u /* P, U, NSK, NSU, NSH */
#define SELECT_CYCLE_COUNTER 31u    /* PMSELR.SEL naming PMCCFILTR */
#define SELECT_BITS     0x1fu
#define PRESCALE        64u
/* PMCEID0: the CPU_CYCLES event (0x11) is the one this PMU counts. */
#define PMCEID0_VALUE   (1u << 0x11)

/* Register numbers: CRm << 3 | Opc2 under p15, 0, c9. */
#define REG(crm, opc2)  ((crm) << 3 | (opc2))
enum pmu_register {
    PMCR = REG(12, 0), PMCNTENSET = REG(12, 1), PMCNTENCLR = REG(12, 2), PMOVSR = REG(12, 3),
    PMSWINC = REG(12, 4), PMSELR = REG(12, 5), PMCEID0 = REG(12, 6), PMCEID1 = REG(12, 7),
    PMCCNTR = REG(13, 0), PMXEVTYPER = REG(13, 1), PMXEVCNTR = REG(13, 2),
    PMUSERENR = REG(14, 0), PMINTENSET = REG(14, 1), PMINTENCLR = REG(14, 2),
    PMOVSSET = REG(14, 3),
};

/* Which of them an access names. */
static uint32_t pmu_register(const struct sysreg_access *access)
{
    return REG(SYSREG_CRM(access->id), SYSREG_OPC2(access->id));
}

static bool counting(const struct vpmu *pmu)
{
    return (pmu->control & PMCR_E) && (pmu->enabled & CYCLE_COUNTER);
}

/* Brings PMCCNTR up to `now` under the settings in force since the last
 * sync; called before every change of those settings and every read. */
static void sync(struct vpmu *pmu, uint64_t now)
{
    if (counting(pmu)) {
        uint64_t ticks = now - pmu->synced_at, counts = ticks;
        if (pmu->control & PMCR_D) {
            ticks += pmu->prescale;
            counts = ticks / PRESCALE;
            pmu->prescale = (uint32_t)(ticks % PRESCALE);
        }
        uint64_t sum = pmu->cycles + counts;
        if (sum >> 32)
            pmu->overflow |= CYCLE_COUNTER;
        pmu->cycles = (uint32_t)sum;
    }
    pmu->synced_at = now;
}

void vpmu_reset(struct vpmu *pmu)
{
    *pmu = (struct vpmu){ 0 };
}

static uint32_t selected_type(const struct vpmu *pmu)
{
    return pmu->select == SELECT_CYCLE_COUNTER ? pmu->filter : 0;
}

bool vpmu_read(struct vpmu *pmu, const struct sysreg_access *access, uint64_t now,
               uint32_t *value)
{
    sync(pmu, now);
    switch (pmu_register(access)) {
    case PMCR: *value = PMCR_ID | pmu->control; break;
    case PMCNTENSET: case PMCNTENCLR: *value = pmu->enabled; break;
    case PMOVSR: case PMOVSSET: *value = pmu->overflow; break;
    case PMINTENSET: case PMINTENCLR: *value = pmu->interrupts; break;
    case PMSELR: *value = pmu->select; break;
    case PMCEID0: *value = PMCEID0_VALUE; break;
    case PMCCNTR: *value = pmu->cycles; break;
    case PMXEVTYPER: *value = selected_type(pmu); break;
    case PMUSERENR: *value = pmu->user; break;
    /* PMSWINC is write-only, PMCEID1 names no event here, and there is no
     * event counter for PMXEVCNTR to show. */
    case PMSWINC: case PMCEID1: case PMXEVCNTR: *value = 0; break;
    default: return false;
    }
    return true;
}

/* PMCR: the counter's settings change from now on; C and P act once. */
static void write_control(struct vpmu *pmu, uint32_t value)
{
    pmu->control = value & PMCR_WRITABLE;
    if (value & PMCR_C)
        pmu->cycles = pmu->prescale = 0;
}

bool vpmu_write(struct vpmu *pmu, const struct sysreg_access *access, uint64_t now,
                uint32_t value)
{
    sync(pmu, now);
    switch (pmu_register(access)) {
    case PMCR: write_control(pmu, value); break;
    case PMCNTENSET: pmu->enabled |= value & CYCLE_COUNTER; break;
    case PMCNTENCLR: pmu->enabled &= ~(value & CYCLE_COUNTER); break;
    case PMOVSR: pmu->overflow &= ~(value & CYCLE_COUNTER); break;
    case PMOVSSET: pmu->overflow |= value & CYCLE_COUNTER; break;
    case PMINTENSET: pmu->interrupts |= value & CYCLE_COUNTER; break;
    case PMINTENCLR: pmu->interrupts &= ~(value & CYCLE_COUNTER); break;
    case PMSELR: pmu->select = value & SELECT_BITS; break;
    case PMCCNTR: pmu->cycles = value; break;
    case PMXEVTYPER:
        if (pmu->select == SELECT_CYCLE_COUNTER)
            pmu->filter = value & PMCCFILTR_BITS;
        break;
    case PMUSERENR: pmu->user = value & PMUSERENR_BITS; break;
    /* No event counters: PMSWINC and PMXEVCNTR have nothing to change, and
     * the identification registers are read-only. */
    case PMSWINC: case PMXEVCNTR: case PMCEID0: case PMCEID1: break;
    default: return false;
    }
    return true;
}
