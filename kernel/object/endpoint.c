/* Endpoint objects: a queue of threads waiting to send or to receive (the
 * message transfer itself is kernel/ipc.c). Deleting one wakes them all. */
#include "opal/error.h"
#include "objects.h"

void endpoint_cancel_all(struct endpoint *endpoint)
{
    while (endpoint->queue.head)
        thread_wake(endpoint->queue.head, OPAL_ERR_DELETED);
    endpoint->state = ENDPOINT_IDLE;
}
