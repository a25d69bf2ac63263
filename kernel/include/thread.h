/* Threads (TCB objects): registers, scheduling state, and copies of the caps
 * that give the thread its CSpace, VSpace and IPC buffer. */
#ifndef KERNEL_THREAD_H
#define KERNEL_THREAD_H

#include <stdint.h>
#include "opal/fault.h"
#include "opal/message.h"
#include "arch.h"
#include "cap.h"

enum thread_state {
    THREAD_INACTIVE = 0,       /* never resumed, suspended, or stopped by a fault */
    THREAD_RUNNABLE,
    THREAD_BLOCKED_SEND,       /* in an endpoint's send queue */
    THREAD_BLOCKED_RECEIVE,    /* in an endpoint's receive queue */
    THREAD_BLOCKED_REPLY,      /* waiting in a reply object for its Call's answer */
    THREAD_BLOCKED_NOTIFICATION, /* waiting on a notification */
    THREAD_BLOCKED_GUEST_IDLE, /* its guest executed WFI: waits for a virtual interrupt */
};

struct endpoint;
struct notification;
struct reply;
struct sched_context;
struct vcpu;

struct thread {
    struct arch_context context;    /* saved user registers; vectors.S needs offset 0 */
    struct thread *queue_next;      /* ready queue or the queue it is blocked in */
    struct thread *queue_prev;
    uint32_t id;                    /* for logs: a number unique since boot */
    uint8_t priority;
    uint8_t mcp;                    /* maximum controlled priority */
    uint8_t in_ready_queue;
    uint8_t state;                  /* enum thread_state */
    struct slot cspace_root;        /* copy of a CNode cap */
    struct slot vspace_root;        /* copy of a VSpace cap */
    struct slot ipc_buffer_frame;   /* copy of the IPC buffer's frame cap */
    uint32_t ipc_buffer_address;    /* its user address */
    uint32_t fault_endpoint;        /* CPtr in the thread's CSpace; 0: none */
    void *blocked_on;               /* endpoint or notification it waits in */
    uint32_t ipc_badge;             /* sending: the badge of the cap used */
    uint8_t ipc_is_call;            /* sending: a Call (wants a reply) */
    uint8_t ipc_can_grant;          /* sending: may transfer caps */
    uint8_t ipc_can_grant_reply;    /* sending: the receiver may reply */
    uint8_t fault_pending;          /* sending a fault message rather than a syscall */
    uint8_t fastpath_core;          /* its core + 1 if bound to a full-budget context, else 0:
                                       the fastpath's one test (thread_note_budget) */
    uint8_t domain;                 /* 0..CONFIG_DOMAINS-1; 0: the system domain */
    uint8_t core;                   /* the core it runs on (TCB SetCore) */
    struct reply *reply;            /* receiving: reply object for a Call; caller: where it waits */
    struct notification *bound_notification;
    struct sched_context *sched_context;
    struct vcpu *vcpu;              /* the guest it runs, or NULL for a native thread */
    uint64_t slice_end;             /* counter value at which its slice runs out */
    uint32_t fault_words[OPAL_FAULT_MESSAGE_WORDS]; /* the pending fault message */
    uint32_t fault_label;
    uint32_t fault_length;
};

/* The thread's IPC buffer through the kernel's view of its frame, or NULL. */
struct opal_ipc_buffer *thread_ipc_buffer(const struct thread *thread);
/* Its VSpace (NULL if none set). */
struct arch_vspace *thread_vspace(const struct thread *thread);
void thread_init(struct thread *thread);
/* Make a thread runnable / take it off every queue and stop it. */
void thread_resume(struct thread *thread);
void thread_suspend(struct thread *thread);
/* Unblock a thread waiting in IPC with `error` in its r0. */
void thread_cancel_ipc(struct thread *thread);
void thread_wake(struct thread *thread, uint32_t error);
/* Its scheduling context or core changed: update fastpath_core. */
void thread_note_budget(struct thread *thread);
/* Run the thread on `core` from now on. */
void thread_set_core(struct thread *thread, unsigned core);

#endif
