/* Doubly linked thread queues for endpoints and notifications. */
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
