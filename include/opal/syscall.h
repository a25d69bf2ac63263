/* The system-call ABI: numbers and register conventions shared by the kernel
 * and user level. A native thread enters the kernel with `svc #0`. */
#ifndef OPAL_SYSCALL_H
#define OPAL_SYSCALL_H

/*
 * Registers on entry:  r7 = syscall number (enum opal_syscall)
 *                      r0 = capability address the call invokes (or first argument)
 *                      r1 = message tag, r2-r5 = message registers 0-3
 * Registers on return: r0 = error (enum opal_error) or badge, r1 = message tag,
 *                      r2-r5 = message registers 0-3. Other registers are preserved.
 *
 * The numbering leaves room for the IPC calls (Call, ReplyRecv, ...) that the
 * capability layer adds; debug calls sit at the top of the range.
 */
enum opal_syscall {
    OPAL_SYS_YIELD = 1,          /* give up the rest of the time slice */

    OPAL_SYS_DEBUG_WRITE = 64,   /* r0 = address, r1 = length (<= OPAL_DEBUG_WRITE_MAX) */
    OPAL_SYS_DEBUG_EXIT = 65,    /* stop the calling thread; never returns */
    OPAL_SYS_DEBUG_THREAD_START = 66, /* r0 = entry, r1 = stack top, r2 = argument;
                                         returns r0 = error, r1 = thread id. Foundation
                                         only: TCB objects replace it. */
    OPAL_SYS_DEBUG_SYSTEM_OFF = 67,   /* power the machine off (test images end with it) */
};

/* The most bytes one DEBUG_WRITE takes; longer writes are refused, never cut. */
#define OPAL_DEBUG_WRITE_MAX 1024

#endif
