/* Reply objects: where a Call's caller waits for its answer, bound to the
 * server that received the Call (kernel/ipc.c answers through them).
 * Deleting one wakes its caller and frees its server to receive again. */
#include "opal/error.h"
#include "objects.h"

void reply_finalise(struct reply *reply)
{
    if (reply->caller)
        thread_wake(reply->caller, OPAL_ERR_DELETED);
    if (reply->receiver)
        reply_unbind_receiver(reply->receiver);
}
