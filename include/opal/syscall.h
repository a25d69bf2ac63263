/* The system-call ABI: numbers and register conventions shared by the kernel
 * and user level. A native thread enters the kernel with `svc #0`. */
#ifndef OPAL_SYSCALL_H
#define OPAL_SYSCALL_H

/*
 * Registers on entry:  r7 = syscall number (enum opal_syscall)
 *                      r0 = capability address (CPtr) the call names
 *                      r1 = message tag (opal/message.h)
 *                      r2-r5 = message registers 0-3 (the rest in the IPC buffer)
 *                      r6 = reply-object CPtr (Recv, NBRecv, ReplyRecv, Reply)
 * Registers on return: r0 = error (enum opal_error; OPAL_OK = 0)
 *                      r1 = message tag of what was received or replied
 *                      r2-r5 = message registers 0-3
 *                      r6 = badge of the capability the message came through
 *                      other registers preserved.
 *
 * An object invocation is a Call on the object's capability: the tag's label
 * is the method (enum opal_label), the message registers its arguments; the
 * reply has r0 = error and the results in the message registers.
 */
enum opal_syscall {
    OPAL_SYS_CALL = 1,        /* send, then wait for the reply (one reply object) */
    OPAL_SYS_REPLY_RECV = 2,  /* reply through r6's reply object, then Recv on r0 */
    OPAL_SYS_SEND = 3,        /* send, blocking until a receiver takes it */
    OPAL_SYS_NB_SEND = 4,     /* send if a receiver waits, else drop (no error) */
    OPAL_SYS_RECV = 5,        /* wait for a message (endpoint) or signal (notification) */
    OPAL_SYS_NB_RECV = 6,     /* receive if one is there, else OPAL_ERR_WOULD_BLOCK */
    OPAL_SYS_REPLY = 7,       /* reply through r6's reply object */
    OPAL_SYS_YIELD = 8,       /* to the back of the caller's priority queue */
    OPAL_SYS_EXIT = 9,        /* r0 = status: the caller stops and its fault handler gets
                                 OPAL_FAULT_EXIT (opal/fault.h), as for a fault */
};
/* Yield and Exit name no capability: like seL4's Yield they act on the
 * caller alone. The kernel's debug calls are invocations of the Debug cap
 * (OPAL_OBJECT_DEBUG in opal/object.h), which only the root task is given. */

#endif
