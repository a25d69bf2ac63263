/* Object life cycle by type: set-up of freshly zeroed memory, and tear-down
 * when the last capability to an object is deleted. (Sizes are the ABI's:
 * opal_object_size_bits in include/opal/object.h.) */
#include "opal/error.h"
#include "objects.h"
#include "sched.h"
#include "vcpu.h"

void object_initialise(const struct cap *cap)
{
    switch (cap->type) {
    case OPAL_OBJECT_TCB:
        thread_init(cap_object(cap));
        break;
    case OPAL_OBJECT_VSPACE:
        arch_vspace_object_initialise(cap_object(cap));
        break;
    case OPAL_OBJECT_VCPU:
        vcpu_initialise(cap_object(cap));
        break;
    default:
        break; /* zeroed memory is the initial state */
    }
}

static void finalise_tcb(struct thread *thread)
{
    thread_suspend(thread);
    if (thread->bound_notification)
        notification_unbind(thread->bound_notification);
    if (thread->sched_context)
        sched_context_unbind(thread->sched_context);
    if (thread->vcpu)
        vcpu_unbind(thread->vcpu);
    cap_delete(&thread->cspace_root);
    cap_delete(&thread->vspace_root);
    cap_delete(&thread->ipc_buffer_frame);
    if (current_thread == thread)
        current_thread = NULL;
}

void object_finalise(const struct cap *cap)
{
    switch (cap->type) {
    case OPAL_OBJECT_TCB:
        finalise_tcb(cap_object(cap));
        break;
    case OPAL_OBJECT_ENDPOINT:
        endpoint_cancel_all(cap_object(cap));
        break;
    case OPAL_OBJECT_NOTIFICATION:
        notification_cancel_all(cap_object(cap));
        irq_notification_deleted(cap_object(cap));
        break;
    case OPAL_OBJECT_REPLY:
        reply_finalise(cap_object(cap));
        break;
    case OPAL_OBJECT_SCHED_CONTEXT:
        sched_context_unbind(cap_object(cap));
        break;
    case OPAL_OBJECT_VSPACE:
        arch_vspace_object_finalise(cap_object(cap));
        break;
    case OPAL_OBJECT_IRQ_HANDLER:
        irq_finalise_handler(cap->object);
        break;
    case OPAL_OBJECT_VCPU:
        vcpu_finalise(cap_object(cap));
        break;
    default:
        break; /* untyped, and caps with no kernel state */
    }
}
