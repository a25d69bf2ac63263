/* User faults as the kernel sees them, decoded from the arch syndrome. */
#ifndef KERNEL_FAULT_H
#define KERNEL_FAULT_H

#include <stdbool.h>
#include <stdint.h>
#include "thread.h"

enum fault_kind {
    FAULT_DATA_ABORT,          /* load/store to an address not mapped with those rights */
    FAULT_INSTRUCTION_ABORT,   /* fetch from an address not mapped executable */
    FAULT_UNDEFINED,           /* undefined instruction */
    FAULT_UNKNOWN_SYSCALL,     /* svc with a number the kernel does not know */
    FAULT_COPROCESSOR,         /* VFP/NEON or other coprocessor access not allowed */
    FAULT_ALIGNMENT,           /* PC or SP misalignment, alignment fault */
    FAULT_DEBUG,               /* a breakpoint, watchpoint or BKPT instruction */
    FAULT_OTHER,               /* any other trap class */
};

struct fault {
    enum fault_kind kind;
    uint32_t address;   /* faulting address (aborts, watchpoints) or the syscall number */
    uint32_t pc;
    uint32_t syndrome;  /* the raw syndrome (HSR on ARM) */
    uint32_t class;     /* its exception class */
    bool write;         /* data aborts: a store */
};

/* A thread faulted: report it and stop the thread (faults become messages
 * to a fault handler with the capability layer). */
void fault_handle(struct thread *thread, const struct fault *fault);
const char *fault_kind_name(enum fault_kind kind);
/* A fault message built in place (guest exits write its words straight into
 * thread->fault_words, so they are copied only once, to the handler): its
 * label and length, at most OPAL_FAULT_MESSAGE_WORDS. */
static inline void fault_record(struct thread *thread, uint32_t label, uint32_t length)
{
    thread->fault_label = label;
    thread->fault_length = length;
}
/* The thread exited (OPAL_SYS_EXIT) with `status`: an OPAL_FAULT_EXIT
 * message to its handler, or logged, and the thread stops. */
void fault_exit(struct thread *thread, uint32_t status);
/* Send the thread's recorded fault message to its handler, or stop the
 * thread if it has none. */
void fault_send(struct thread *thread);

#endif
