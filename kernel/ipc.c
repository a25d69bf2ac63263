/* Synchronous IPC: message transfer between threads through endpoints, and
 * replies through one-shot reply objects (the objects themselves:
 * kernel/object/endpoint.c, reply.c). */
#include <stddef.h>
#include "opal/error.h"
#include "opal/fault.h"
#include "arch.h"
#include "log.h"
#include "objects.h"
#include "sched.h"
#include "vcpu.h"

static uint32_t sender_tag(const struct thread *sender)
{
    if (sender->fault_pending)
        return OPAL_TAG(sender->fault_label, 0, sender->fault_length);
    return abi_tag(&sender->context);
}

static uint32_t sender_word(const struct thread *sender, const struct opal_ipc_buffer *buffer,
                            uint32_t index)
{
    if (sender->fault_pending)
        return sender->fault_words[index];
    return index < OPAL_MSG_REGISTERS ? abi_mr(&sender->context, index) : buffer->mr[index];
}

/* Move caps named in the sender's IPC buffer into the receiver's receive
 * slots; stops at the first that cannot go. Returns how many went. */
static uint32_t transfer_caps(struct thread *sender, struct thread *receiver, uint32_t count)
{
    struct opal_ipc_buffer *from = thread_ipc_buffer(sender), *to = thread_ipc_buffer(receiver);
    struct slot *cnode_slot, *source;
    if (count == 0 || from == NULL || to == NULL || to->receive_count == 0)
        return 0;
    if (cspace_lookup_slot(&receiver->cspace_root.cap, to->receive_cnode, &cnode_slot) != OPAL_OK ||
        cnode_slot->cap.type != OPAL_OBJECT_CNODE)
        return 0;
    const struct cap *cnode = &cnode_slot->cap;
    uint32_t moved = 0;
    for (; moved < count && moved < to->receive_count; moved++) {
        uint32_t index = to->receive_index + moved;
        if (index >= (1u << cnode->size_bits) || index < to->receive_index)
            break;
        struct slot *destination = &cnode_slots(cnode)[index];
        if (!cap_is_null(&destination->cap) ||
            cspace_lookup_cap(sender, from->send_caps[moved], &source) != OPAL_OK ||
            !cap_copyable(&source->cap))
            break;
        cdt_insert_child(source, destination, &source->cap);
    }
    return moved;
}

/* Copy the message (tag, words, caps, badge) from sender to receiver. */
static void transfer(struct thread *sender, struct thread *receiver, uint32_t badge,
                     bool can_grant)
{
    uint32_t tag = sender_tag(sender);
    uint32_t length = OPAL_TAG_LENGTH(tag);
    const struct opal_ipc_buffer *from = thread_ipc_buffer(sender);
    struct opal_ipc_buffer *to = thread_ipc_buffer(receiver);

    if (length > OPAL_MSG_MAX_LENGTH)
        length = OPAL_MSG_MAX_LENGTH;
    if (to == NULL || (from == NULL && !sender->fault_pending))
        length = length < OPAL_MSG_REGISTERS ? length : OPAL_MSG_REGISTERS;
    for (uint32_t i = 0; i < length; i++) {
        uint32_t word = sender_word(sender, from, i);
        if (i < OPAL_MSG_REGISTERS)
            abi_set_mr(&receiver->context, i, word);
        else
            to->mr[i] = word;
    }
    uint32_t caps = can_grant && !sender->fault_pending
                        ? transfer_caps(sender, receiver, OPAL_TAG_EXTRA_CAPS(tag)) : 0;
    if (to)
        to->received_caps = caps;
    abi_set_tag(&receiver->context, OPAL_TAG(OPAL_TAG_LABEL(tag), caps, length));
    abi_set_badge(&receiver->context, badge);
    abi_set_error(&receiver->context, OPAL_OK);
}

static void make_runnable(struct thread *thread)
{
    thread->state = THREAD_RUNNABLE;
    sched_enqueue(thread);
}

/* After a Call's message arrived: bind the caller to the receiver's reply
 * object, or finish the Call at once when there is none. */
static void complete_send(struct thread *sender, struct thread *receiver, bool is_call,
                          bool can_grant_reply)
{
    struct reply *reply = receiver->reply;
    reply_unbind_receiver(receiver);
    if (is_call && can_grant_reply && reply) {
        reply_wait(reply, sender);
        sched_dequeue(sender);
        return;
    }
    if (sender->fault_pending) {
        /* nobody can answer: the faulting thread stays stopped */
        sender->fault_pending = 0;
        sender->state = THREAD_INACTIVE;
        sched_dequeue(sender);
        log("thread %u: fault handler cannot reply; thread stopped", sender->id);
        return;
    }
    abi_set_error(&sender->context, is_call && can_grant_reply ? OPAL_ERR_ILLEGAL_OPERATION
                                                              : OPAL_OK);
    if (sender->state != THREAD_RUNNABLE)
        make_runnable(sender);
}

void ipc_send(struct thread *sender, struct endpoint *endpoint, uint32_t badge, bool blocking,
              bool is_call, bool can_grant, bool can_grant_reply)
{
    if (endpoint->state == ENDPOINT_RECEIVING) {
        struct thread *receiver = endpoint->queue.head;
        endpoint_dequeue(endpoint, receiver);
        transfer(sender, receiver, badge, can_grant);
        make_runnable(receiver);
        complete_send(sender, receiver, is_call, can_grant_reply);
        return;
    }
    if (!blocking) {
        abi_set_error(&sender->context, OPAL_OK);
        return;
    }
    sender->ipc_badge = badge;
    sender->ipc_is_call = is_call;
    sender->ipc_can_grant = can_grant;
    sender->ipc_can_grant_reply = can_grant_reply;
    sched_dequeue(sender);
    endpoint_enqueue(endpoint, sender, ENDPOINT_SENDING);
}

void ipc_receive(struct thread *receiver, struct endpoint *endpoint, struct reply *reply,
                 bool blocking)
{
    if (reply && (reply->caller || (reply->receiver && reply->receiver != receiver))) {
        abi_set_error(&receiver->context, OPAL_ERR_ILLEGAL_OPERATION); /* answer its caller first */
        return;
    }
    if (notification_take_bound(receiver))
        return;
    if (endpoint->state == ENDPOINT_SENDING) {
        struct thread *sender = endpoint->queue.head;
        endpoint_dequeue(endpoint, sender);
        sender->state = THREAD_INACTIVE; /* complete_send makes it runnable or blocks it */
        transfer(sender, receiver, sender->ipc_badge, sender->ipc_can_grant);
        reply_bind_receiver(reply, receiver);
        complete_send(sender, receiver, sender->ipc_is_call, sender->ipc_can_grant_reply);
        return;
    }
    if (!blocking) {
        abi_set_error(&receiver->context, OPAL_ERR_WOULD_BLOCK);
        return;
    }
    reply_bind_receiver(reply, receiver);
    sched_dequeue(receiver);
    endpoint_enqueue(endpoint, receiver, ENDPOINT_RECEIVING);
}

/* A fault reply's label says how the faulted thread goes on. */
static void answer_fault(struct thread *caller, struct thread *replier)
{
    uint32_t tag = abi_tag(&replier->context);
    caller->fault_pending = 0;
    if (OPAL_TAG_LABEL(tag) == OPAL_FAULT_REPLY_STOP) {
        caller->state = THREAD_INACTIVE;
        return;
    }
    if (OPAL_TAG_LABEL(tag) == OPAL_FAULT_REPLY_SET_PC && OPAL_TAG_LENGTH(tag) >= 1)
        caller->context.pc = abi_mr(&replier->context, 0);
    uint32_t label = OPAL_TAG_LABEL(tag);
    if (caller->vcpu)   /* it may be loaded on the caller's core */
        core_release_vcpu(caller->vcpu);
    bool emulate = label == OPAL_FAULT_REPLY_EMULATE || label == OPAL_FAULT_REPLY_EMULATE_IDLE;
    if (emulate && caller->vcpu)
        arch_vcpu_complete_exit(caller, abi_mrs(&replier->context), OPAL_TAG_LENGTH(tag));
    if ((label == OPAL_FAULT_REPLY_ABORT || label == OPAL_FAULT_REPLY_UNDEFINED) && caller->vcpu)
        arch_vcpu_raise_exception(caller, label);
    make_runnable(caller);
    if (label == OPAL_FAULT_REPLY_EMULATE_IDLE && caller->vcpu)
        vcpu_wait_for_interrupt(caller);
}

int ipc_reply(struct thread *replier, struct reply *reply)
{
    struct thread *caller = reply->caller;
    if (caller == NULL)
        return OPAL_OK; /* nobody waits: nothing to do, as after a ReplyRecv's first round */
    reply->caller = NULL;
    caller->reply = NULL;
    if (caller->fault_pending) {
        answer_fault(caller, replier);
        return OPAL_OK;
    }
    transfer(replier, caller, 0, false);
    make_runnable(caller);
    return OPAL_OK;
}
