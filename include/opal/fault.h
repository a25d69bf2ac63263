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
};

#define OPAL_FAULT_VM_LENGTH 5
#define OPAL_FAULT_UNDEFINED_LENGTH 2
#define OPAL_FAULT_UNKNOWN_SYSCALL_LENGTH 9
#define OPAL_FAULT_USER_EXCEPTION_LENGTH 2
#define OPAL_FAULT_MESSAGE_WORDS 9   /* the longest fault message */

/* Replying with label 0 resumes the thread at the faulting instruction
 * (retry); label OPAL_FAULT_REPLY_SET_PC resumes it at MR0; label
 * OPAL_FAULT_REPLY_STOP leaves it stopped. Any other reply resumes it as 0. */
#define OPAL_FAULT_REPLY_RESUME 0
#define OPAL_FAULT_REPLY_SET_PC 1
#define OPAL_FAULT_REPLY_STOP   2

#endif
