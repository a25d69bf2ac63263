/* A consistency check of the kernel's data structures, walking the whole
 * derivation tree from its sentinel: links agree both ways,
 * untyped children lie inside their region below its watermark, and every
 * queue a thread sits in agrees with the thread's state; then every core's
 * queues and state (sched_check_queues, core_check). */
#include <stddef.h>
#include "opal/error.h"
#include "kernel.h"
#include "log.h"
#include "objects.h"
#include "sched.h"

static int broken(const char *what, const struct slot *slot)
{
    log("invariant broken: %s (slot %p, type %u)", what, (const void *)slot,
        slot ? slot->cap.type : 0u);
    return OPAL_ERR_ILLEGAL_OPERATION;
}

static int check_queue(const struct thread_queue *queue, uint8_t state, const void *owner)
{
    const struct thread *previous = NULL;
    for (const struct thread *thread = queue->head; thread; thread = thread->queue_next) {
        if (thread->queue_prev != previous || thread->state != state ||
            (owner && thread->blocked_on != owner))
            return broken("thread queue", NULL);
        previous = thread;
    }
    return queue->tail == previous ? OPAL_OK : broken("queue tail", NULL);
}

static int check_object(const struct slot *slot)
{
    const struct cap *cap = &slot->cap;
    if (cap->type == OPAL_OBJECT_ENDPOINT) {
        const struct endpoint *endpoint = cap_object(cap);
        uint8_t state = endpoint->state == ENDPOINT_SENDING ? THREAD_BLOCKED_SEND
                                                             : THREAD_BLOCKED_RECEIVE;
        if ((endpoint->state == ENDPOINT_IDLE) != (endpoint->queue.head == NULL))
            return broken("endpoint state", slot);
        return check_queue(&endpoint->queue, state, endpoint);
    }
    if (cap->type == OPAL_OBJECT_NOTIFICATION) {
        const struct notification *notification = cap_object(cap);
        if (notification->bound && notification->bound->bound_notification != notification)
            return broken("notification binding", slot);
        return check_queue(&notification->waiters, THREAD_BLOCKED_NOTIFICATION, notification);
    }
    return OPAL_OK;
}

static int check_slot(const struct slot *slot)
{
    if (slot->next_sibling && slot->next_sibling->prev_sibling != slot)
        return broken("sibling links", slot);
    if (slot->prev_sibling && slot->prev_sibling->next_sibling != slot)
        return broken("sibling links", slot);
    if (slot->parent == NULL)
        return broken("cap without a parent", slot);
    if (slot->parent && slot->prev_sibling == NULL && slot->parent->first_child != slot)
        return broken("first child", slot);
    if (cap_is_null(&slot->cap))
        return broken("empty slot in the tree", slot);
    const struct slot *parent = slot->parent;
    if (parent && parent->cap.type == OPAL_OBJECT_UNTYPED && slot->cap.type != OPAL_OBJECT_IRQ_HANDLER) {
        uint32_t base = parent->cap.object, offset = slot->cap.object - base;
        if (slot->cap.object < base || offset >= cap_untyped_watermark(&parent->cap) ||
            cap_untyped_watermark(&parent->cap) > (1ull << parent->cap.size_bits))
            return broken("object outside its untyped's used part", slot);
    }
    return check_object(slot);
}

/* Depth-first over one tree, by its links (no recursion). */
static int check_tree(const struct slot *root)
{
    const struct slot *slot = root;
    for (;;) {
        int error = check_slot(slot);
        if (error != OPAL_OK)
            return error;
        if (slot->first_child) {
            if (slot->first_child->parent != slot)
                return broken("child's parent", slot->first_child);
            slot = slot->first_child;
            continue;
        }
        while (slot != root && slot->next_sibling == NULL)
            slot = slot->parent;
        if (slot == root)
            return OPAL_OK;
        slot = slot->next_sibling;
    }
}

int invariants_check(void)
{
    const struct slot *previous = NULL;
    for (const struct slot *slot = cdt_sentinel.first_child; slot; slot = slot->next_sibling) {
        if (slot->parent != &cdt_sentinel || slot->prev_sibling != previous)
            return broken("boot cap links", slot);
        int error = check_tree(slot);
        if (error != OPAL_OK)
            return error;
        previous = slot;
    }
    if (!sched_check_queues())
        return broken("ready queues", NULL);
    return core_check() ? OPAL_OK : broken("per-core state", NULL);
}
