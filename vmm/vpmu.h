/* A virtual PMU per VM (PMUv2 as ARMv7 with the Virtualization Extensions
 * has it), with no event counters: only the cycle counter, which counts
 * generic counter ticks. The guest never touches the hardware PMU (the
 * kernel traps it with HDCR.TPM/TPMCR), so nothing it sets reaches native
 * threads or other VMs. */
#ifndef VMM_VPMU_H
#define VMM_VPMU_H

#include <stdbool.h>
#include <stdint.h>
#include "core/hsr.h"

struct vpmu {
    uint32_t control;     /* PMCR's writable bits: E, D, X, DP */
    uint32_t enabled;     /* PMCNTENSET: bit 31, the cycle counter */
    uint32_t overflow;    /* PMOVSR: bit 31 */
    uint32_t interrupts;  /* PMINTENSET: bit 31 (kept; no interrupt is raised) */
    uint32_t select;      /* PMSELR.SEL */
    uint32_t user;        /* PMUSERENR: EN, SW, CR, ER */
    uint32_t filter;      /* PMCCFILTR: kept, not applied */
    uint32_t cycles;      /* PMCCNTR at synced_at */
    uint32_t prescale;    /* ticks toward the next count with PMCR.D (one per 64) */
    uint64_t synced_at;   /* the counter when cycles was brought up to date */
};

/* The PMU's reset state: everything off and zero. */
void vpmu_reset(struct vpmu *pmu);
/* An access to p15, 0, c9, c12-c14 (the caller has checked that much) at
 * generic counter time `now`. Returns false if it names no PMU register. */
bool vpmu_read(struct vpmu *pmu, const struct sysreg_access *access, uint64_t now,
               uint32_t *value);
bool vpmu_write(struct vpmu *pmu, const struct sysreg_access *access, uint64_t now,
                uint32_t value);

#endif
