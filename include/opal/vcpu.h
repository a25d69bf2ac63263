/* vCPUs: the guest state a VMM reads and writes through VCPU_READ_REGISTER /
 * VCPU_WRITE_REGISTER, and the flags of VCPU_INJECT_IRQ. The exits a guest
 * makes arrive as fault messages (include/opal/fault.h, OPAL_GUEST_EXIT_*). */
#ifndef OPAL_VCPU_H
#define OPAL_VCPU_H

/* The breakpoint and watchpoint pairs a vCPU holds: every ARMv7 core with
 * the virtualization extensions (Cortex-A7, A15, A17) has 6 and 4. */
#define OPAL_VCPU_BREAKPOINTS 6
#define OPAL_VCPU_WATCHPOINTS 4

/* Register numbers. 0-16 are the general registers of the bound thread as
 * the guest's current mode sees them (r13/r14 are the mode's banked copies),
 * so a VMM can emulate an instruction without knowing the mode. */
enum opal_vcpu_register {
    OPAL_VCPU_R0 = 0,            /* ... r12 = 12 */
    OPAL_VCPU_SP = 13,           /* the current mode's SP */
    OPAL_VCPU_LR = 14,           /* the current mode's LR */
    OPAL_VCPU_PC = 15,
    OPAL_VCPU_CPSR = 16,         /* mode must be USR, FIQ, IRQ, SVC, ABT, UND or SYS */

    /* Banked registers of every mode. */
    OPAL_VCPU_SP_USR = 17, OPAL_VCPU_LR_USR,
    OPAL_VCPU_SP_SVC, OPAL_VCPU_LR_SVC, OPAL_VCPU_SPSR_SVC,
    OPAL_VCPU_SP_ABT, OPAL_VCPU_LR_ABT, OPAL_VCPU_SPSR_ABT,
    OPAL_VCPU_SP_UND, OPAL_VCPU_LR_UND, OPAL_VCPU_SPSR_UND,
    OPAL_VCPU_SP_IRQ, OPAL_VCPU_LR_IRQ, OPAL_VCPU_SPSR_IRQ,
    OPAL_VCPU_R8_FIQ, OPAL_VCPU_R9_FIQ, OPAL_VCPU_R10_FIQ, OPAL_VCPU_R11_FIQ,
    OPAL_VCPU_R12_FIQ, OPAL_VCPU_SP_FIQ, OPAL_VCPU_LR_FIQ, OPAL_VCPU_SPSR_FIQ,

    /* PL1 system registers (64-bit ones as two halves). */
    OPAL_VCPU_SCTLR = 48, OPAL_VCPU_ACTLR, OPAL_VCPU_CPACR,
    OPAL_VCPU_TTBR0_LOW, OPAL_VCPU_TTBR0_HIGH, OPAL_VCPU_TTBR1_LOW, OPAL_VCPU_TTBR1_HIGH,
    OPAL_VCPU_TTBCR, OPAL_VCPU_DACR, OPAL_VCPU_DFSR, OPAL_VCPU_IFSR, OPAL_VCPU_DFAR,
    OPAL_VCPU_IFAR, OPAL_VCPU_PRRR, OPAL_VCPU_NMRR, OPAL_VCPU_VBAR, OPAL_VCPU_CONTEXTIDR,
    OPAL_VCPU_TPIDRURW, OPAL_VCPU_TPIDRURO, OPAL_VCPU_TPIDRPRW, OPAL_VCPU_PAR_LOW,
    OPAL_VCPU_PAR_HIGH, OPAL_VCPU_CNTKCTL, OPAL_VCPU_VMPIDR,
    OPAL_VCPU_CSSELR, OPAL_VCPU_ADFSR, OPAL_VCPU_AIFSR, OPAL_VCPU_AMAIR0, OPAL_VCPU_AMAIR1,
    OPAL_VCPU_TEECR, OPAL_VCPU_TEEHBR,

    /* Virtual timer. */
    OPAL_VCPU_CNTV_CTL = 80, OPAL_VCPU_CNTV_CVAL_LOW, OPAL_VCPU_CNTV_CVAL_HIGH,
    OPAL_VCPU_CNTVOFF_LOW, OPAL_VCPU_CNTVOFF_HIGH,

    /* vGIC virtual CPU interface (GICH_*): LR0..LR3 as GICH_LRn encodes them. */
    OPAL_VCPU_GICH_HCR = 96, OPAL_VCPU_GICH_VMCR, OPAL_VCPU_GICH_APR,
    OPAL_VCPU_GICH_LR0, OPAL_VCPU_GICH_LR1, OPAL_VCPU_GICH_LR2, OPAL_VCPU_GICH_LR3,

    /* PMU user access as the VMM's emulation grants it (the guest's PL0
     * accesses then trap to the VMM instead of being UNDEFINED), and the
     * debug state the guest owns (docs/isolation.md): DBGDSCRext, DBGVCR,
     * then breakpoints (value, control) and watchpoints (value, control). */
    OPAL_VCPU_PMUSERENR = 112, OPAL_VCPU_DBGDSCR, OPAL_VCPU_DBGVCR,
    OPAL_VCPU_DBGBVR0, OPAL_VCPU_DBGBCR0 = OPAL_VCPU_DBGBVR0 + OPAL_VCPU_BREAKPOINTS,
    OPAL_VCPU_DBGWVR0 = OPAL_VCPU_DBGBCR0 + OPAL_VCPU_BREAKPOINTS,
    OPAL_VCPU_DBGWCR0 = OPAL_VCPU_DBGWVR0 + OPAL_VCPU_WATCHPOINTS,
    OPAL_VCPU_DEBUG_END = OPAL_VCPU_DBGWCR0 + OPAL_VCPU_WATCHPOINTS,

    OPAL_VCPU_REGISTER_COUNT = OPAL_VCPU_DEBUG_END
};

#define OPAL_VCPU_LIST_REGISTERS 4   /* list registers the kernel manages */

/* VCPU_INJECT_IRQ flags (MR3). */
#define OPAL_VIRQ_GROUP1        (1u << 0)  /* group 1 (default group 0) */
#define OPAL_VIRQ_NOTIFY_EOI    (1u << 1)  /* report the guest's EOI (level-triggered lines) */
/* VCPU_INJECT_IRQ slot (MR2): a list register, or this to let the kernel pick. */
#define OPAL_VIRQ_ANY_SLOT      0xffu

/* The guest-physical interrupt number of the virtual timer (PPI 11). */
#define OPAL_VTIMER_IRQ 27

/* A fresh vCPU: SVC mode with IRQ, FIQ and aborts masked, MMU and caches off
 * (the state Linux expects at its entry). */
#define OPAL_VCPU_BOOT_CPSR 0x1d3u

#endif
