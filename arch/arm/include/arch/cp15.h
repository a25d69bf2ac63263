/* Named accessors for the CP15 system registers the kernel uses, so C code
 * reads "hsr_read()" rather than coprocessor encodings. */
#ifndef ARCH_ARM_CP15_H
#define ARCH_ARM_CP15_H

#include <stdint.h>
#include "arch/coprocessor.h"

#define CP15_32(name, op1, crn, crm, op2) COPROCESSOR_32(p15, name, op1, crn, crm, op2)

#define CP15_64(name, op1, crm)                                                        \
    static inline uint64_t name##_read(void)                                           \
    {                                                                                  \
        uint32_t low, high;                                                            \
        __asm__ volatile("mrrc p15, " #op1 ", %0, %1, " #crm : "=r"(low), "=r"(high)); \
        return ((uint64_t)high << 32) | low;                                           \
    }                                                                                  \
    static inline void name##_write(uint64_t value)                                    \
    {                                                                                  \
        __asm__ volatile("mcrr p15, " #op1 ", %0, %1, " #crm                           \
                         ::"r"((uint32_t)value), "r"((uint32_t)(value >> 32)) : "memory"); \
    }

CP15_32(midr, 0, c0, c0, 0)
CP15_32(ccsidr, 1, c0, c0, 0)
CP15_32(clidr, 1, c0, c0, 1)
CP15_32(csselr, 2, c0, c0, 0)
CP15_32(id_pfr1, 0, c0, c1, 1)
CP15_32(hsctlr, 4, c1, c0, 0)
CP15_32(hcr, 4, c1, c1, 0)
CP15_32(hcptr, 4, c1, c1, 2)
CP15_32(hstr, 4, c1, c1, 3)
CP15_32(hdcr, 4, c1, c1, 1)
CP15_32(htcr, 4, c2, c0, 2)
CP15_32(vtcr, 4, c2, c1, 2)
CP15_32(hsr, 4, c5, c2, 0)
CP15_32(hdfar, 4, c6, c0, 0)
CP15_32(hifar, 4, c6, c0, 2)
CP15_32(hpfar, 4, c6, c0, 4)
CP15_32(hmair0, 4, c10, c2, 0)
CP15_32(hmair1, 4, c10, c2, 1)
CP15_32(hvbar, 4, c12, c0, 0)
CP15_32(cntfrq, 0, c14, c0, 0)
CP15_32(cntkctl, 0, c14, c1, 0)
CP15_32(cnthctl, 4, c14, c1, 0)
CP15_32(cnthp_ctl, 4, c14, c2, 1)
CP15_32(cntv_ctl, 0, c14, c3, 1)
CP15_32(cntp_ctl, 0, c14, c2, 1)
/* Guest (PL1) state a vCPU switch saves and restores. */
CP15_32(sctlr, 0, c1, c0, 0)
CP15_32(cpacr, 0, c1, c0, 2)
CP15_32(ttbcr, 0, c2, c0, 2)
CP15_32(dacr, 0, c3, c0, 0)
CP15_32(dfsr, 0, c5, c0, 0)
CP15_32(ifsr, 0, c5, c0, 1)
CP15_32(adfsr, 0, c5, c1, 0)
CP15_32(aifsr, 0, c5, c1, 1)
CP15_32(dfar, 0, c6, c0, 0)
CP15_32(ifar, 0, c6, c0, 2)
CP15_32(prrr, 0, c10, c2, 0)
CP15_32(nmrr, 0, c10, c2, 1)
CP15_32(amair0, 0, c10, c3, 0)
CP15_32(amair1, 0, c10, c3, 1)
/* The PMU: the kernel's state (everything off, no user access) is the only
 * one the CPU ever has; guests get an emulated PMU (docs/isolation.md). */
CP15_32(pmcr, 0, c9, c12, 0)
CP15_32(pmcntenclr, 0, c9, c12, 2)
CP15_32(pmovsr, 0, c9, c12, 3)
CP15_32(pmuserenr, 0, c9, c14, 0)
CP15_32(pmintenclr, 0, c9, c14, 2)
CP15_32(vbar, 0, c12, c0, 0)
CP15_32(contextidr, 0, c13, c0, 1)
CP15_32(tpidrurw, 0, c13, c0, 2)
CP15_32(htpidr, 4, c13, c0, 2)        /* this core's struct core (arch/inline.h) */
CP15_32(tpidruro, 0, c13, c0, 3)
CP15_32(tpidrprw, 0, c13, c0, 4)
CP15_32(vmpidr, 4, c0, c0, 5)
CP15_32(mpidr, 0, c0, c0, 5)
#define MPIDR_AFFINITY_MASK 0x00ffffffu
CP15_64(ttbr0, 0, c2)
CP15_64(ttbr1, 1, c2)
CP15_64(par, 0, c7)
CP15_64(cntv_cval, 3, c14)
CP15_64(httbr, 4, c2)
CP15_64(vttbr, 6, c2)
CP15_64(cntpct, 0, c14)
CP15_64(cnthp_cval, 6, c14)
CP15_64(cntvoff, 4, c14)

/* Maintenance operations (write-only). */
static inline void tlbiallh(void) { __asm__ volatile("mcr p15, 4, %0, c8, c7, 0" ::"r"(0) : "memory"); }
static inline void tlbiallnsnh(void) { __asm__ volatile("mcr p15, 4, %0, c8, c7, 4" ::"r"(0) : "memory"); }
static inline void iciallu(void) { __asm__ volatile("mcr p15, 0, %0, c7, c5, 0" ::"r"(0) : "memory"); }
static inline void dccmvau(uint32_t va) { __asm__ volatile("mcr p15, 0, %0, c7, c11, 1" ::"r"(va) : "memory"); }
static inline void dccisw(uint32_t set_way) { __asm__ volatile("mcr p15, 0, %0, c7, c14, 2" ::"r"(set_way) : "memory"); }
static inline void bpiall(void) { __asm__ volatile("mcr p15, 0, %0, c7, c5, 6" ::"r"(0) : "memory"); }
static inline void dsb(void) { __asm__ volatile("dsb sy" ::: "memory"); }
static inline void isb(void) { __asm__ volatile("isb" ::: "memory"); }
static inline void wfi(void) { __asm__ volatile("wfi" ::: "memory"); }

static inline uint32_t cpsr_read(void)
{
    uint32_t value;
    __asm__ volatile("mrs %0, cpsr" : "=r"(value));
    return value;
}

#endif
