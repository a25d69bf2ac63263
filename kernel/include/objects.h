/* The kernel objects other than threads, the CSpace operations, and the
 * per-type invocation entry points. */
#ifndef KERNEL_OBJECTS_H
#define KERNEL_OBJECTS_H

#include <stdbool.h>
#include <stdint.h>
#include "opal/error.h"
#include "cap.h"
#include "thread.h"

/* A queue of threads, linked through queue_next/queue_prev. */
struct thread_queue {
    struct thread *head, *tail;
};

struct endpoint {
    struct thread_queue queue;   /* all senders or all receivers */
    uint32_t state;              /* enum endpoint_state */
    uint32_t reserved;
};
enum endpoint_state { ENDPOINT_IDLE, ENDPOINT_SENDING, ENDPOINT_RECEIVING };

struct notification {
    struct thread_queue waiters;
    uint32_t word;               /* OR of the badges signalled since the last wait */
    uint32_t active;             /* signalled since the last wait (even with badge 0) */
    struct thread *bound;        /* the thread it is bound to, if any */
    uint32_t reserved[3];
};

struct reply {
    struct thread *caller;       /* blocked in THREAD_BLOCKED_REPLY, or NULL */
    struct thread *receiver;     /* the thread that named it in a Recv, or NULL */
    uint32_t reserved[2];
};

struct sched_context {
    uint64_t budget;             /* counter ticks per period; 0: not configured */
    uint64_t period;
    uint64_t remaining;          /* budget left in the current period */
    uint64_t window_start;       /* the budget holds for [window_start, + period) */
    struct thread *thread;       /* bound thread, if any */
    struct sched_context *next_depleted;
    uint32_t depleted;
    uint8_t core;                /* whose depleted list holds it (core.h) */
    uint32_t full;               /* budget == period: never charged, never depleted */
    uint32_t reserved[2];
};

_Static_assert(sizeof(struct endpoint) <= (1u << OPAL_ENDPOINT_BITS), "endpoint size");
_Static_assert(sizeof(struct notification) <= (1u << OPAL_NOTIFICATION_BITS), "notification size");
_Static_assert(sizeof(struct reply) <= (1u << OPAL_REPLY_BITS), "reply size");
_Static_assert(sizeof(struct sched_context) <= (1u << OPAL_SCHED_CONTEXT_BITS), "sched context size");
_Static_assert(sizeof(struct thread) <= (1u << OPAL_TCB_BITS), "TCB size");

static inline void *cap_object(const struct cap *cap)
{
    return (void *)(uintptr_t)cap->object;
}

static inline struct slot *cnode_slots(const struct cap *cnode)
{
    return (struct slot *)(uintptr_t)cnode->object;
}

/* The common CSpace: one CNode whose guard and index use all 32 bits (the
 * root task's). True if `root` is one; then *slot is the CPtr's slot, or
 * NULL when the guard does not match. Inline: the IPC fastpath uses it. */
static inline bool cspace_one_level(const struct cap *root, uint32_t cptr, struct slot **slot)
{
    uint32_t bits = root->size_bits;
    if (root->type != OPAL_OBJECT_CNODE || cap_cnode_guard_bits(root) + bits != 32u)
        return false;
    *slot = (cptr >> bits) == cap_cnode_guard(root) ? &cnode_slots(root)[cptr & ((1u << bits) - 1)]
                                                    : NULL;
    return true;
}

/* CSpace lookup (kernel/cspace.c): resolve all 32 bits of `cptr` from the
 * CNode cap `root`. */
int cspace_lookup_slot(const struct cap *root, uint32_t cptr, struct slot **slot);
/* Lookup in a thread's CSpace, of a cap that must not be empty. */
int cspace_lookup_cap(struct thread *thread, uint32_t cptr, struct slot **slot);
/* ... of a cap of the given type (OPAL_ERR_INVALID_CAPABILITY otherwise). */
int cspace_lookup_typed(struct thread *thread, uint32_t cptr, uint32_t type, struct slot **slot);

/* Whether a cap may be copied (CNode Copy/Mint, IPC transfer): untyped,
 * control and reply caps may not (kernel/object/cnode.c). */
bool cap_copyable(const struct cap *cap);

/* Deletion (kernel/delete.c). */
void cap_delete(struct slot *slot);
/* OPAL_OK, or KERNEL_PREEMPTED with part of the children deleted. */
int cap_revoke(struct slot *slot);

/* Object life cycle: set up freshly zeroed memory, and tear down when the
 * last cap goes. */
void object_initialise(const struct cap *cap);
void object_finalise(const struct cap *cap);

/* Invocations: each checks everything, then acts. `thread` is the caller;
 * arguments come from its message registers; results go back through
 * invocation_reply(). */
struct invocation {
    struct thread *caller;
    struct slot *slot;           /* the invoked cap's slot */
    uint32_t label;
    uint32_t length;             /* words of arguments */
    uint32_t *arguments;         /* all of them (registers and IPC buffer) */
    uint32_t result_length;
    uint32_t results[16];
    /* Why it was refused (include/opal/error.h): the argument that failed,
     * or an OPAL_ERROR_ARGUMENT_* value, and for OPAL_ERR_RANGE the
     * inclusive bounds. invoke() starts them at "none" and, on an error,
     * returns them in MR0-MR2. */
    uint32_t failed_argument;
    uint32_t low, high;
};

/* Refuse with `error`, naming the argument (or OPAL_ERROR_ARGUMENT_*) that
 * failed; returns `error`, so a check reads `return invocation_refuse(...)`. */
static inline int invocation_refuse(struct invocation *invocation, int error, uint32_t argument)
{
    invocation->failed_argument = argument;
    return error;
}

/* Refuse with OPAL_ERR_RANGE: `argument` had to lie in [low, high]. */
static inline int invocation_out_of_range(struct invocation *invocation, uint32_t argument,
                                          uint32_t low, uint32_t high)
{
    invocation->failed_argument = argument;
    invocation->low = low;
    invocation->high = high;
    return OPAL_ERR_RANGE;
}

/* Fewer words than the method takes: names the first missing one. */
static inline int invocation_truncated(struct invocation *invocation)
{
    return invocation_refuse(invocation, OPAL_ERR_TRUNCATED, invocation->length);
}

/* The object has no method with this label. */
static inline int invocation_no_method(struct invocation *invocation)
{
    return invocation_refuse(invocation, OPAL_ERR_ILLEGAL_OPERATION, OPAL_ERROR_ARGUMENT_LABEL);
}

/* Look up the cap named by argument `argument` in the caller's CSpace: it
 * must be there (cspace_lookup_cap) and, unless `type` is OPAL_OBJECT_NULL,
 * of that type; a failure names the argument. */
static inline int invocation_lookup(struct invocation *invocation, uint32_t argument,
                                    uint32_t type, struct slot **slot)
{
    uint32_t cptr = invocation->arguments[argument];
    int error = type == OPAL_OBJECT_NULL ? cspace_lookup_cap(invocation->caller, cptr, slot)
                                         : cspace_lookup_typed(invocation->caller, cptr, type, slot);
    return error == OPAL_OK ? OPAL_OK : invocation_refuse(invocation, error, argument);
}

/* Retype zeroes this much between two preemption points. */
#define UNTYPED_ZERO_CHUNK (16u * 1024u)

int untyped_invoke(struct invocation *invocation);
int cnode_invoke(struct invocation *invocation);
int tcb_invoke(struct invocation *invocation);
int sched_control_invoke(struct invocation *invocation);
int irq_control_invoke(struct invocation *invocation);
int irq_handler_invoke(struct invocation *invocation);
int debug_invoke(struct invocation *invocation);
int arch_vspace_invoke(struct invocation *invocation);

/* Address-space objects (arch): life cycle, owned by the arch code. */
uint32_t arch_vmids_available(void);
void arch_vspace_object_initialise(struct arch_vspace *vspace);
void arch_vspace_object_finalise(struct arch_vspace *vspace);
/* Where a frame cap is mapped (false if it is not). */
bool arch_frame_mapping(const struct cap *cap, uaddr_t *address);
/* Any frame or page-table cap being deleted: remove the mapping it made. */
void arch_mapping_deleted(const struct cap *cap);

/* IPC (kernel/ipc.c). */
void ipc_send(struct thread *sender, struct endpoint *endpoint, uint32_t badge, bool blocking,
              bool is_call, bool can_grant, bool can_grant_reply);
void ipc_receive(struct thread *receiver, struct endpoint *endpoint, struct reply *reply,
                 bool blocking);
int ipc_reply(struct thread *replier, struct reply *reply);
/* kernel/object/endpoint.c and reply.c: what deletion does to them. */
void endpoint_cancel_all(struct endpoint *endpoint);
void reply_finalise(struct reply *reply);

/* Notifications (kernel/object/notification.c). */
void notification_signal(struct notification *notification, uint32_t badge);
void notification_wait(struct thread *thread, struct notification *notification, bool blocking);
bool notification_take_bound(struct thread *thread);
void notification_cancel_all(struct notification *notification);
void notification_unbind(struct notification *notification);

/* Doubly linked thread queues: ready queues, endpoints and notifications.
 * A thread is in at most one queue at a time. Inline: they are on every
 * IPC and scheduling path. */
static inline void queue_append(struct thread_queue *queue, struct thread *thread)
{
    thread->queue_next = NULL;
    thread->queue_prev = queue->tail;
    if (queue->tail)
        queue->tail->queue_next = thread;
    else
        queue->head = thread;
    queue->tail = thread;
}

static inline void queue_prepend(struct thread_queue *queue, struct thread *thread)
{
    thread->queue_prev = NULL;
    thread->queue_next = queue->head;
    if (queue->head)
        queue->head->queue_prev = thread;
    else
        queue->tail = thread;
    queue->head = thread;
}

static inline void queue_remove(struct thread_queue *queue, struct thread *thread)
{
    if (thread->queue_prev)
        thread->queue_prev->queue_next = thread->queue_next;
    else
        queue->head = thread->queue_next;
    if (thread->queue_next)
        thread->queue_next->queue_prev = thread->queue_prev;
    else
        queue->tail = thread->queue_prev;
    thread->queue_next = thread->queue_prev = NULL;
}

/* Take a waiting thread off an endpoint (inline: the fastpath uses it). */
static inline void endpoint_dequeue(struct endpoint *endpoint, struct thread *thread)
{
    queue_remove(&endpoint->queue, thread);
    if (endpoint->queue.head == NULL)
        endpoint->state = ENDPOINT_IDLE;
    thread->blocked_on = NULL;
}

/* A thread blocks in an endpoint's queue, as a sender (ENDPOINT_SENDING) or
 * a receiver (ENDPOINT_RECEIVING); the queue then holds only its kind. It
 * must be off the ready queue already: both queues link through the same
 * fields (inline: the fastpath uses it). */
static inline void endpoint_enqueue(struct endpoint *endpoint, struct thread *thread,
                                    enum endpoint_state kind)
{
    thread->state = kind == ENDPOINT_SENDING ? THREAD_BLOCKED_SEND : THREAD_BLOCKED_RECEIVE;
    thread->blocked_on = endpoint;
    queue_append(&endpoint->queue, thread);
    endpoint->state = kind;
}

/* A server receives with a reply object (or none): the reply is bound to
 * it until it answers or receives again. */
static inline void reply_bind_receiver(struct reply *reply, struct thread *receiver)
{
    receiver->reply = reply;
    if (reply)
        reply->receiver = receiver;
}

/* The server is done with its reply object: a Call reached it, or it goes
 * (inline: on every Call's path). */
static inline void reply_unbind_receiver(struct thread *receiver)
{
    struct reply *reply = receiver->reply;
    if (reply && reply->receiver == receiver) {
        reply->receiver = NULL;
        receiver->reply = NULL;
    }
}

/* A Call's sender waits in the reply object for the answer (inline: the
 * fastpath uses it). */
static inline void reply_wait(struct reply *reply, struct thread *caller)
{
    reply->caller = caller;
    caller->reply = reply;
    caller->state = THREAD_BLOCKED_REPLY;
}

/* Scheduling contexts (kernel/object/sched_context.c). */
void sched_context_bind(struct sched_context *context, struct thread *thread);
void sched_context_unbind(struct sched_context *context);
/* Its thread moved to `core` (kernel/object/sched_context.c). */
void sched_context_move(struct sched_context *context, unsigned core);

/* IRQ handlers (kernel/object/irq.c). */
void irq_finalise_handler(uint32_t irq);
void irq_notification_deleted(struct notification *notification);
void irq_deliver(uint32_t irq);

#endif
