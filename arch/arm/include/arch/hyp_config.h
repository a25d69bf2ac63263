/* The HYP configuration registers (HCR, HCPTR, HDCR, HSTR, CNTHCTL): their
 * bits, and the two configurations the CPU switches between, one for
 * native threads and one for guests. docs/isolation.md says why each trap
 * is set; this is the one place that sets them. */
#ifndef ARCH_ARM_HYP_CONFIG_H
#define ARCH_ARM_HYP_CONFIG_H

#include <stdint.h>

#define HCR_VM    (1u << 0)   /* stage-2 translation on */
#define HCR_SWIO  (1u << 1)   /* PL1 set/way invalidate cleans too */
#define HCR_FMO   (1u << 3)
#define HCR_IMO   (1u << 4)
#define HCR_AMO   (1u << 5)
#define HCR_DC    (1u << 12)  /* stage-1-off accesses are Normal cacheable */
#define HCR_TWI   (1u << 13)
#define HCR_TWE   (1u << 14)
#define HCR_TSC   (1u << 19)
#define HCR_TIDCP (1u << 20)  /* implementation-defined CP15 registers (c9, c10, c11) */
#define HCR_TAC   (1u << 21)  /* ACTLR */
#define HCR_TSW   (1u << 22)  /* data cache maintenance by set/way */
#define HCR_TGE   (1u << 27)  /* PL0 exceptions go to HYP */
#define HCR_COMMON (HCR_VM | HCR_SWIO | HCR_FMO | HCR_IMO | HCR_AMO)
#define HCR_NATIVE (HCR_COMMON | HCR_DC | HCR_TGE)
#define HCR_GUEST  (HCR_COMMON | HCR_TWI | HCR_TWE | HCR_TSC | HCR_TIDCP | HCR_TAC | HCR_TSW)

#define HCPTR_TCP10 (1u << 10)
#define HCPTR_TCP11 (1u << 11)
#define HCPTR_TTA   (1u << 20)
#define HCPTR_NATIVE (HCPTR_TCP10 | HCPTR_TCP11 | HCPTR_TTA)
#define HCPTR_GUEST  HCPTR_TTA

/* HDCR: debug and performance-monitor traps. HPMN (bits 4:0) keeps its
 * reset value: 0 is UNPREDICTABLE in ARMv7. */
#define HDCR_HPMN_MASK 0x1fu
#define HDCR_TPMCR (1u << 5)   /* PMCR */
#define HDCR_TPM   (1u << 6)   /* every PMU register */
#define HDCR_TDA   (1u << 9)   /* the debug registers */
#define HDCR_TDOSA (1u << 10)  /* the OS lock and power-down registers */
#define HDCR_TDRA  (1u << 11)  /* the debug ROM address registers */
/* Every debug and PMU register access of a guest traps to its VMM, which
 * emulates them: breakpoints and watchpoints through the vCPU's registers
 * (switched with it), the rest RAZ/WI or per VM. So the CPU holds only
 * state the kernel loaded, whatever a core implements beyond what the
 * kernel switches (DCC, claim tags, DBGBXVR). Guests take their own debug
 * exceptions; native threads' go to HYP. */
#define HDCR_ALL (HDCR_TPMCR | HDCR_TPM | HDCR_TDA | HDCR_TDOSA | HDCR_TDRA)
/* One value for both sides, written at boot: HCR.TGE makes native threads'
 * debug exceptions HYP's (TGE treats HDCR.TDE as 1), so no HDCR write is
 * needed on a guest/native switch. */

/* HSTR: CP15 primary register c15 (implementation-defined) traps. */
#define HSTR_T15 (1u << 15)
#define HSTR_ALL HSTR_T15

#define CNTHCTL_PL1PCTEN (1u << 0)
#define CNTHCTL_PL1PCEN  (1u << 1)   /* physical timer usable below HYP */
#define CNTHCTL_NATIVE   (CNTHCTL_PL1PCTEN | CNTHCTL_PL1PCEN)
#define CNTHCTL_GUEST    CNTHCTL_PL1PCTEN
/* Native threads read both counters and use the physical timer at PL0. */
#define CNTKCTL_NATIVE   ((1u << 0) | (1u << 1) | (1u << 9))

#endif
