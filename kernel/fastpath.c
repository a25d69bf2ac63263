/* The IPC fastpath: Call and ReplyRecv with a short message, no caps, a
 * partner waiting, and a switch to a thread of the same or higher priority.
 * It does what the slowpath would, in fewer steps; anything unusual returns
 * NULL and the slowpath runs instead. */
#include <stddef.h>
#include "opal/error.h"
#include "opal/syscall.h"
#include "arch.h"
#include "kernel.h"
#include "objects.h"
#include "sched.h"

#define REG_CPTR 0
#define REG_ERROR 0
#define REG_TAG 1
#define REG_MR0 2
#define REG_REPLY 6
#define REG_BADGE 6

bool fastpath_enabled = true;

static inline bool short_message(uint32_t tag)
{
    return OPAL_TAG_EXTRA_CAPS(tag) == 0 && OPAL_TAG_LENGTH(tag) <= OPAL_MSG_REGISTERS;
}

/* The cap a CPtr names in a one-level CSpace (the common layout), or NULL:
 * deeper CSpaces, and CPtrs that do not resolve, take the slowpath. */
static inline const struct cap *lookup(const struct thread *thread, uint32_t cptr)
{
    struct slot *slot;
    if (!cspace_one_level(&thread->cspace_root.cap, cptr, &slot) || slot == NULL)
        return NULL;
    return &slot->cap;
}

/* Full-budget contexts (budget = period) are never charged, so switching
 * between their threads needs no accounting. The thread keeps a copy of
 * the flag (sched_context.c), one load instead of two. */
static inline bool full_budget(const struct thread *thread)
{
    return thread->full_budget;
}

/* `from` blocks; the slowpath would pick `to` next when it outranks every
 * queued thread. Both must run on full budgets, `to`'s slice must still
 * run, and the armed timer must not fire later than that slice ends; then
 * the switch needs no timer work, exactly as kernel_switch_to would find. */
static inline bool can_take_over(const struct thread *from, const struct thread *to)
{
    const struct thread *queued = sched_highest();
    return (queued == NULL || queued->priority < to->priority) && full_budget(from) &&
           full_budget(to) && to->vspace_root.cap.type == OPAL_OBJECT_VSPACE &&
           timeslice_still_armed(to);
}

/* The tag and its words go across; the receiver's other registers keep
 * their values, as on the slowpath; r0 = OK and r6 = the badge. */
static inline void copy_message(const struct thread *from, struct thread *to, uint32_t badge)
{
    uint32_t tag = from->context.r[REG_TAG];
    to->context.r[REG_TAG] = tag;
    for (unsigned i = 0; i < OPAL_TAG_LENGTH(tag); i++)
        to->context.r[REG_MR0 + i] = from->context.r[REG_MR0 + i];
    to->context.r[REG_ERROR] = OPAL_OK;
    to->context.r[REG_BADGE] = badge;
}

static inline struct thread *call(struct thread *caller)
{
    const struct cap *cap = lookup(caller, caller->context.r[REG_CPTR]);
    if (cap == NULL || cap->type != OPAL_OBJECT_ENDPOINT ||
        (cap->rights & (OPAL_RIGHT_WRITE | OPAL_RIGHT_GRANT_REPLY)) !=
            (OPAL_RIGHT_WRITE | OPAL_RIGHT_GRANT_REPLY))
        return NULL;
    struct endpoint *endpoint = cap_object(cap);
    struct thread *receiver = endpoint->queue.head;
    if (endpoint->state != ENDPOINT_RECEIVING || receiver->reply == NULL ||
        !can_take_over(caller, receiver))
        return NULL;

    endpoint_dequeue(endpoint, receiver);
    copy_message(caller, receiver, cap->word0);
    struct reply *reply = receiver->reply;
    reply->receiver = NULL;
    receiver->reply = NULL;
    reply->caller = caller;
    caller->reply = reply;
    caller->context.r[REG_ERROR] = OPAL_OK; /* as the slowpath leaves it while it waits */
    caller->state = THREAD_BLOCKED_REPLY;
    receiver->state = THREAD_RUNNABLE;
    return receiver;
}

static inline struct thread *reply_recv(struct thread *server)
{
    const struct cap *reply_cap = lookup(server, server->context.r[REG_REPLY]);
    const struct cap *cap = lookup(server, server->context.r[REG_CPTR]);
    if (reply_cap == NULL || reply_cap->type != OPAL_OBJECT_REPLY || cap == NULL ||
        cap->type != OPAL_OBJECT_ENDPOINT || !(cap->rights & OPAL_RIGHT_READ))
        return NULL;
    struct reply *reply = cap_object(reply_cap);
    struct endpoint *endpoint = cap_object(cap);
    struct thread *caller = reply->caller;
    struct notification *bound = server->bound_notification;
    if (caller == NULL || caller->fault_pending || reply->receiver ||
        endpoint->state == ENDPOINT_SENDING || (bound && bound->active) ||
        !can_take_over(server, caller))
        return NULL;

    copy_message(server, caller, 0);
    reply->caller = NULL;
    caller->reply = NULL;
    caller->state = THREAD_RUNNABLE;
    server->reply = reply;
    reply->receiver = server;
    server->state = THREAD_BLOCKED_RECEIVE;
    server->blocked_on = endpoint;
    queue_append(&endpoint->queue, server);
    endpoint->state = ENDPOINT_RECEIVING;
    return caller;
}

/* Make `next` the running thread with its address space. */
static inline struct arch_context *switch_to(struct thread *next)
{
    current_thread = next;
    arch_activate_vspace(cap_object(&next->vspace_root.cap));
    return &next->context;
}

/* The trap entry calls these by syscall number for every Call and
 * ReplyRecv: the context to resume, or NULL for the full path. */
struct arch_context *fastpath_call(struct arch_context *context)
{
    struct thread *thread = (struct thread *)context, *next;
    if (!fastpath_enabled || !short_message(thread->context.r[REG_TAG]) ||
        (next = call(thread)) == NULL)
        return NULL;
    return switch_to(next);
}

struct arch_context *fastpath_reply_recv(struct arch_context *context)
{
    struct thread *thread = (struct thread *)context, *next;
    if (!fastpath_enabled || !short_message(thread->context.r[REG_TAG]) ||
        (next = reply_recv(thread)) == NULL)
        return NULL;
    return switch_to(next);
}
