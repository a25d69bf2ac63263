/* Notifications: a word that signals OR into and a wait takes and clears.
 * A notification bound to a thread also reaches it in an endpoint Recv. */
#include <stddef.h>
#include "opal/error.h"
#include "objects.h"
#include "sched.h"

#define REG_ERROR 0
#define REG_TAG 1
#define REG_BADGE 6

static void deliver(struct thread *thread, uint32_t word)
{
    thread->context.r[REG_ERROR] = OPAL_OK;
    thread->context.r[REG_TAG] = 0;
    thread->context.r[REG_BADGE] = word;
}

static void wake_with(struct thread *thread, uint32_t word)
{
    thread_cancel_ipc(thread);
    deliver(thread, word);
    thread->state = THREAD_RUNNABLE;
    sched_enqueue(thread);
}

void notification_signal(struct notification *notification, uint32_t badge)
{
    struct thread *waiter = notification->waiters.head;
    struct thread *bound = notification->bound;
    if (waiter) {
        wake_with(waiter, notification->word | badge);
        notification->word = 0;
        notification->active = 0;
    } else if (bound && bound->state == THREAD_BLOCKED_RECEIVE) {
        wake_with(bound, notification->word | badge);
        notification->word = 0;
        notification->active = 0;
    } else {
        notification->word |= badge;
        notification->active = 1;
    }
}

void notification_wait(struct thread *thread, struct notification *notification, bool blocking)
{
    if (notification->active) {
        deliver(thread, notification->word);
        notification->word = 0;
        notification->active = 0;
        return;
    }
    if (!blocking) {
        thread->context.r[REG_ERROR] = OPAL_ERR_WOULD_BLOCK;
        return;
    }
    thread->state = THREAD_BLOCKED_NOTIFICATION;
    thread->blocked_on = notification;
    sched_dequeue(thread);
    queue_append(&notification->waiters, thread);
}

bool notification_take_bound(struct thread *thread)
{
    struct notification *notification = thread->bound_notification;
    if (notification == NULL || !notification->active)
        return false;
    deliver(thread, notification->word);
    notification->word = 0;
    notification->active = 0;
    return true;
}

void notification_cancel_all(struct notification *notification)
{
    while (notification->waiters.head)
        thread_wake(notification->waiters.head, OPAL_ERR_DELETED);
    if (notification->bound)
        notification_unbind(notification);
}

void notification_unbind(struct notification *notification)
{
    if (notification->bound)
        notification->bound->bound_notification = NULL;
    notification->bound = NULL;
}
