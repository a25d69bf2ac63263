/* Fault messages: what a thread's fault handler receives on its fault
 * endpoint when the thread faults, and how the reply resumes it. */
#ifndef OPAL_FAULT_H
#define OPAL_FAULT_H

/* The label of a fault message is the fault type; the badge is the fault
 * endpoint cap's badge (set it to tell faulting threads apart). */
enum opal_fault_type {
    OPAL_FAULT_VM = 1,          /* MR0 pc, MR1 address, MR2 1 = instruction fetch,
                                   MR3 1 = write, MR4 syndrome (HSR) */
    OPAL_FAULT_UNDEFINED = 2,   /* MR0 pc, MR1 syndrome */
    OPAL_FAULT_UNKNOWN_SYSCALL = 3, /* MR0 pc, MR1 syscall number, MR2-MR8 r0-r6 */
    OPAL_FAULT_USER_EXCEPTION = 4,  /* MR0 pc, MR1 syndrome (alignment, coprocessor, ...) */
    OPAL_FAULT_TIMEOUT = 5,     /* reserved: a scheduling context's budget ran out */
    OPAL_FAULT_DEBUG = 6,       /* a debug exception (breakpoint, watchpoint, BKPT):
                                   MR0 pc, MR1 address (a watchpoint's data address, else
                                   the pc), MR2 syndrome (HSR) */
    OPAL_FAULT_EXIT = 7,        /* the thread exited (OPAL_SYS_EXIT, or main returned):
                                   MR0 pc, MR1 exit status */

    /* Guest exits: the traps of a thread bound to a vCPU (the VMM handles
     * them), delivered as fault messages with these labels. */
    OPAL_GUEST_EXIT_ABORT = 16,     /* stage-2 abort: MR0 pc, MR1 guest-physical address,
                                       MR2 access (OPAL_GUEST_ACCESS_*), MR3 register (Rt),
                                       MR4 value stored (writes), MR5 syndrome (HSR) */
    OPAL_GUEST_EXIT_HVC = 17,       /* MR0-MR3 r0-r3, MR4 the HVC immediate */
    OPAL_GUEST_EXIT_SMC = 18,       /* MR0-MR3 r0-r3, MR4 0 */
    OPAL_GUEST_EXIT_SYSREG = 19,    /* trapped MRC/MCR/MRRC/MCRR: MR0 pc, MR1 syndrome (HSR),
                                       MR2 Rt's value, MR3 Rt2's value (writes) */
    OPAL_GUEST_EXIT_EOI = 20,       /* the guest EOI'd a virtual IRQ injected with
                                       OPAL_VIRQ_NOTIFY_EOI: MR0 irq, MR1 list register */
    OPAL_GUEST_EXIT_EXCEPTION = 21, /* any other exit: MR0 pc, MR1 syndrome (HSR) */
};

/* OPAL_GUEST_EXIT_ABORT MR2. */
#define OPAL_GUEST_ACCESS_WRITE       (1u << 0)
#define OPAL_GUEST_ACCESS_SIZE(a)     (1u << (((a) >> 1) & 3u))  /* bytes: 1, 2 or 4 */
#define OPAL_GUEST_ACCESS_SIGN_EXTEND (1u << 3)
#define OPAL_GUEST_ACCESS_DECODED     (1u << 4)  /* size, register and value are valid */
#define OPAL_GUEST_ACCESS_FETCH       (1u << 5)  /* an instruction fetch */

#define OPAL_FAULT_VM_LENGTH 5
#define OPAL_FAULT_UNDEFINED_LENGTH 2
#define OPAL_FAULT_UNKNOWN_SYSCALL_LENGTH 9
#define OPAL_FAULT_USER_EXCEPTION_LENGTH 2
#define OPAL_FAULT_DEBUG_LENGTH 3
#define OPAL_FAULT_EXIT_LENGTH 2
#define OPAL_GUEST_EXIT_ABORT_LENGTH 6
#define OPAL_GUEST_EXIT_CALL_LENGTH 5     /* HVC and SMC */
#define OPAL_GUEST_EXIT_SYSREG_LENGTH 4
#define OPAL_GUEST_EXIT_EOI_LENGTH 2
#define OPAL_GUEST_EXIT_EXCEPTION_LENGTH 2
#define OPAL_FAULT_MESSAGE_WORDS 9   /* the longest fault message */

/* Replying with label 0 resumes the thread at the faulting instruction
 * (retry); label OPAL_FAULT_REPLY_SET_PC resumes it at MR0; label
 * OPAL_FAULT_REPLY_STOP leaves it stopped. Any other reply resumes it as 0. */
#define OPAL_FAULT_REPLY_RESUME 0
#define OPAL_FAULT_REPLY_SET_PC 1
#define OPAL_FAULT_REPLY_STOP   2
/* For guest exits: the instruction is done; resume after it. A load's value
 * (GUEST_ABORT) is MR0, written to Rt as the access says; an HVC's or SMC's
 * results are MR0..MR3 into r0..r3 (as many as the reply's length); a trapped
 * register read's results are MR0 into Rt and MR1 into Rt2. */
#define OPAL_FAULT_REPLY_EMULATE 3
/* For guest exits: the guest takes the exception real hardware would raise
 * instead of the VMM emulating the instruction. ABORT (GUEST_ABORT only): a
 * synchronous external abort for the access, a data abort (DFSR, DFAR) or,
 * for a fetch, a prefetch abort (IFSR, IFAR), taken to the guest's abort
 * mode with LR_abt and SPSR_abt as the architecture sets them. UNDEFINED
 * (GUEST_SYSREG, GUEST_EXCEPTION): an undefined-instruction exception at the
 * trapped instruction. No words. */
#define OPAL_FAULT_REPLY_ABORT     4
#define OPAL_FAULT_REPLY_UNDEFINED 5
/* As EMULATE, then the guest waits as after a WFI, until a virtual
 * interrupt is pending (a PSCI CPU_SUSPEND to standby, say). */
#define OPAL_FAULT_REPLY_EMULATE_IDLE 6

#endif
