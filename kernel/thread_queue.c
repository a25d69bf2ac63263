/* Doubly linked thread queues: ready queues, endpoints and notifications.
 * A thread is in at most one queue at a time. */
#include <stddef.h>
#include "objects.h"

void queue_append(struct thread_queue *queue, struct thread *thread)
{
    thread->queue_next = NULL;
    thread->queue_prev = queue->tail;
    if (queue->tail)
        queue->tail->queue_next = thread;
    else
        queue->head = thread;
    queue->tail = thread;
}

void queue_prepend(struct thread_queue *queue, struct thread *thread)
{
    thread->queue_prev = NULL;
    thread->queue_next = queue->head;
    if (queue->head)
        queue->head->queue_prev = thread;
    else
        queue->tail = thread;
    queue->head = thread;
}

void queue_remove(struct thread_queue *queue, struct thread *thread)
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
