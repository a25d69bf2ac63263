/* Notifications: a word that signals OR into and a wait takes and clears.
 * A notification bound to a thread also reaches it in an endpoint Recv. */
#include <stddef.h>
#include "opal/error.h"
#include "objects.h"
#include "sched.h"


static void deliver(struct thread *thread, uint32_t word)
{
    abi_set_error(&thread->context, OPAL_OK);
    abi_set_tag(&thread->context, 0);
    abi_set_badge(&thread->context, word);
}

static void wake_with(struct thread *thread, uint32_t word)
{
    thread_cancel_ipc(thread);
    deliver(thread, word);
    thread->state = THREAD_RUNNABLE;
    sched_enqueue(thread);
}

/* A wait takes the word: the notification is clear again. */
static uint32_t take(struct notification *notification)
{
    uint32_t word = notification->word;
    notification->word = 0;
    notification->active = 0;
    return word;
}

/* The signal goes to a waiter, else to the bound thread if it waits in an
 * endpoint Recv, else it stays in the word. */
void notification_signal(struct notification *notification, uint32_t badge)
{
    struct thread *to = notification->waiters.head, *bound = notification->bound;
    if (to == NULL && bound && bound->state == THREAD_BLOCKED_RECEIVE)
        to = bound;
    notification->word |= badge;
    notification->active = 1;
    if (to)
        wake_with(to, take(notification));
}

void notification_wait(struct thread *thread, struct notification *notification, bool blocking)
{
    if (notification->active) {
        deliver(thread, take(notification));
        return;
    }
    if (!blocking) {
        abi_set_error(&thread->context, OPAL_ERR_WOULD_BLOCK);
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
    deliver(thread, take(notification));
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
