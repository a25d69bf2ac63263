/* The fastpaths: Call and ReplyRecv with a short message, no caps, a
 * partner waiting, and a switch to a thread of the same or higher priority;
 * and the same two halves for fault messages (guest exits): the fault sent
 * to a handler waiting in Recv, and the handler's ReplyRecv that answers
 * with an emulation reply. They do what the slowpath would, in fewer steps;
 * anything unusual returns NULL and the slowpath runs instead. */
#include <stddef.h>
#include "opal/error.h"
#include "opal/fault.h"
#include "opal/syscall.h"
#include "arch.h"
#include "kernel.h"
#include "objects.h"
#include "sched.h"
#include "vcpu.h"

/* A core's fastpath_tag while the fastpaths are off: no thread's
 * fastpath_core (a core + 1, or 0) is ever this. */
#define FASTPATH_OFF 0xffffffffu

void fastpath_set_enabled(bool on)
{
    for (uint32_t c = 0; c < CONFIG_CORES; c++)
        cores[c].fastpath_tag = on ? c + 1 : FASTPATH_OFF;
}

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
 * between their threads needs no accounting; and the fastpath switches
 * only to a thread of this core. The thread keeps both facts in one byte
 * (thread_note_budget), one load and compare each. `from` runs here. With
 * the fastpaths off the core's tag matches nothing: this is where they
 * decline, before they have changed anything. */
static inline bool full_budget_here(const struct thread *thread, uint32_t tag)
{
    return thread->fastpath_core == tag;
}

/* `from` blocks; the slowpath would pick `to` next when it outranks every
 * queued thread. Both must run on full budgets, `to`'s slice must still
 * run, and the armed timer must not fire later than that slice ends; then
 * the switch needs no timer work, exactly as timeslice_switch_to would find.
 * A thread of a domain whose window this is not only becomes ready (the
 * slowpath queues it): sched_highest_against() then answers `to` itself. */
static inline bool can_take_over(const struct thread *from, const struct thread *to)
{
    uint32_t here = core_self()->fastpath_tag;
    const struct thread *queued = sched_highest_against(to);
    return (queued == NULL || queued->priority < to->priority) &&
           full_budget_here(from, here) && full_budget_here(to, here) &&
           to->vspace_root.cap.type == OPAL_OBJECT_VSPACE && timeslice_still_armed(to);
}

/* The message as the slowpath's transfer() leaves it: the tag, the words
 * that go in registers (`in_registers` of them), r0 = OK and r6 = the
 * badge; the receiver's other registers keep their values. */
static inline void deliver(struct thread *to, uint32_t tag, const uint32_t *words,
                           uint32_t in_registers, uint32_t badge)
{
    abi_set_tag(&to->context, tag);
    for (unsigned i = 0; i < in_registers; i++)
        abi_set_mr(&to->context, i, words[i]);
    abi_set_error(&to->context, OPAL_OK);
    abi_set_badge(&to->context, badge);
}

/* A short message: the tag and its words, all in registers. */
static inline void copy_message(const struct thread *from, struct thread *to, uint32_t badge)
{
    uint32_t tag = abi_tag(&from->context);
    deliver(to, tag, abi_mrs(&from->context), OPAL_TAG_LENGTH(tag), badge);
}

/* A fault message, from the thread's record: the words past the registers
 * go into the receiver's IPC buffer, and without one the message is cut at
 * the registers, as on the slowpath. */
static inline void copy_fault_message(const struct thread *from, struct thread *to,
                                      uint32_t badge)
{
    uint32_t length = from->fault_length;
    struct opal_ipc_buffer *buffer = thread_ipc_buffer(to);
    if (buffer != NULL) {
        for (uint32_t i = OPAL_MSG_REGISTERS; i < length; i++)
            buffer->mr[i] = from->fault_words[i];
        buffer->received_caps = 0;
    } else if (length > OPAL_MSG_REGISTERS) {
        length = OPAL_MSG_REGISTERS;
    }
    deliver(to, OPAL_TAG(from->fault_label, 0, length), from->fault_words,
            length < OPAL_MSG_REGISTERS ? length : OPAL_MSG_REGISTERS, badge);
}

/* The thread waiting with a reply object on the endpoint `cap` names, if
 * the cap has `rights` and `sender` can hand that thread the CPU straight
 * away; NULL otherwise. */
static inline struct thread *waiting_receiver(const struct thread *sender, const struct cap *cap,
                                              uint32_t rights)
{
    if (cap == NULL || cap->type != OPAL_OBJECT_ENDPOINT || (cap->rights & rights) != rights)
        return NULL;
    const struct endpoint *endpoint = cap_object(cap);
    struct thread *receiver = endpoint->queue.head;
    if (endpoint->state != ENDPOINT_RECEIVING || receiver->reply == NULL ||
        !can_take_over(sender, receiver))
        return NULL;
    return receiver;
}

/* The receiver leaves the endpoint and runs; the sender waits for the
 * answer in the receiver's reply object. */
static inline void hand_over(struct thread *sender, struct thread *receiver,
                             struct endpoint *endpoint)
{
    struct reply *reply = receiver->reply;
    endpoint_dequeue(endpoint, receiver);
    reply->receiver = NULL;
    receiver->reply = NULL;
    reply_wait(reply, sender);
    receiver->state = THREAD_RUNNABLE;
}

static inline struct thread *call(struct thread *caller)
{
    const struct cap *cap = lookup(caller, abi_cptr(&caller->context));
    struct thread *receiver =
        waiting_receiver(caller, cap, OPAL_RIGHT_WRITE | OPAL_RIGHT_GRANT_REPLY);
    if (receiver == NULL)
        return NULL;
    hand_over(caller, receiver, cap_object(cap));
    copy_message(caller, receiver, cap_badge(cap));
    abi_set_error(&caller->context, OPAL_OK); /* as the slowpath leaves it while it waits */
    return receiver;
}

/* A fault goes out as a Call on the thread's fault endpoint, which needs
 * only the right to write (kernel/fault.c); the thread's registers stay as
 * they are (a guest's are the guest's). */
static inline struct thread *send_fault(struct thread *thread)
{
    uint32_t cptr = thread->fault_endpoint;
    const struct cap *cap = cptr != 0 ? lookup(thread, cptr) : NULL;
    struct thread *receiver = waiting_receiver(thread, cap, OPAL_RIGHT_WRITE);
    if (receiver == NULL)
        return NULL;
    hand_over(thread, receiver, cap_object(cap));
    copy_fault_message(thread, receiver, cap_badge(cap));
    thread->fault_pending = 1;
    return receiver;
}

/* Of the answers to a fault, the fastpath takes the VMM's usual one: an
 * emulation reply to a guest exit, which completes the exit as the
 * slowpath's answer_fault() does. False, with nothing changed, for
 * every other answer: those go the slowpath's way. (It reads the tag
 * itself rather than keep it in a register across can_take_over().) */
static inline bool answer_fault(const struct thread *server, struct thread *caller)
{
    uint32_t tag = abi_tag(&server->context);
    if (OPAL_TAG_LABEL(tag) != OPAL_FAULT_REPLY_EMULATE || caller->vcpu == NULL)
        return false;
    caller->fault_pending = 0;
    arch_vcpu_complete_exit(caller, abi_mrs(&server->context), OPAL_TAG_LENGTH(tag));
    return true;
}

static inline struct thread *reply_recv(struct thread *server)
{
    const struct cap *reply_cap = lookup(server, abi_reply(&server->context));
    const struct cap *cap = lookup(server, abi_cptr(&server->context));
    if (reply_cap == NULL || reply_cap->type != OPAL_OBJECT_REPLY || cap == NULL ||
        cap->type != OPAL_OBJECT_ENDPOINT || !(cap->rights & OPAL_RIGHT_READ))
        return NULL;
    struct reply *reply = cap_object(reply_cap);
    struct endpoint *endpoint = cap_object(cap);
    struct thread *caller = reply->caller;
    struct notification *bound = server->bound_notification;
    if (caller == NULL || reply->receiver || endpoint->state == ENDPOINT_SENDING ||
        (bound && bound->active) || !can_take_over(server, caller))
        return NULL;

    if (!caller->fault_pending)
        copy_message(server, caller, 0);
    else if (!answer_fault(server, caller))
        return NULL;
    reply->caller = NULL;
    caller->reply = NULL;
    caller->state = THREAD_RUNNABLE;
    server->reply = reply;
    reply->receiver = server;
    endpoint_enqueue(endpoint, server, ENDPOINT_RECEIVING);
    return caller;
}

/* Make `next` the running thread with its address space, and its vCPU
 * state or native mode: `from_guest` says whether the thread leaving ran a
 * guest (a guest exit), so the CPU is in guest mode now. */
static inline struct arch_context *switch_to(struct thread *next, bool from_guest)
{
    current_thread = next;
    arch_activate_vspace(cap_object(&next->vspace_root.cap));
    arch_activate_vcpu(next->vcpu, from_guest);
    return &next->context;
}

/* The trap entry calls these by syscall number for every Call and
 * ReplyRecv: the context to resume, or NULL for the full path. System calls
 * come from native threads only (a guest's SVC stays in the guest), so the
 * CPU is in native mode. */
struct arch_context *fastpath_call(struct arch_context *context)
{
    struct thread *thread = (struct thread *)context, *next;
    if (!short_message(abi_tag(&thread->context)) ||
        (next = call(thread)) == NULL)
        return NULL;
    return switch_to(next, false);
}

struct arch_context *fastpath_reply_recv(struct arch_context *context)
{
    struct thread *thread = (struct thread *)context, *next;
    if (!short_message(abi_tag(&thread->context)) ||
        (next = reply_recv(thread)) == NULL)
        return NULL;
    return switch_to(next, false);
}

struct arch_context *fastpath_fault(struct thread *thread)
{
    struct thread *next;
    if ((next = send_fault(thread)) == NULL)
        return NULL;
    return switch_to(next, thread->vcpu != NULL);
}
