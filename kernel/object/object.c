/* Object life cycle by type: sizes, set-up of freshly zeroed memory, and
 * tear-down when the last capability to an object is deleted. */
#include "opal/error.h"
#include "objects.h"
#include "sched.h"
#include "vcpu.h"

/* log2 bytes an object of `type` occupies; 0 for an invalid request. */
uint32_t object_size_bits(uint32_t type, uint32_t size_bits)
{
    switch (type) {
    case OPAL_OBJECT_UNTYPED:
        return size_bits >= OPAL_UNTYPED_MIN_BITS && size_bits <= OPAL_UNTYPED_MAX_BITS
                   ? size_bits : 0;
    case OPAL_OBJECT_CNODE:
        return size_bits >= OPAL_CNODE_MIN_BITS && size_bits <= OPAL_CNODE_MAX_BITS
                   ? size_bits + OPAL_SLOT_BITS : 0;
    case OPAL_OBJECT_FRAME:
        return size_bits == OPAL_FRAME_SMALL_BITS || size_bits == OPAL_FRAME_LARGE_BITS
                   ? size_bits : 0;
    case OPAL_OBJECT_TCB: return OPAL_TCB_BITS;
    case OPAL_OBJECT_ENDPOINT: return OPAL_ENDPOINT_BITS;
    case OPAL_OBJECT_NOTIFICATION: return OPAL_NOTIFICATION_BITS;
    case OPAL_OBJECT_REPLY: return OPAL_REPLY_BITS;
    case OPAL_OBJECT_SCHED_CONTEXT: return OPAL_SCHED_CONTEXT_BITS;
    case OPAL_OBJECT_VSPACE: return OPAL_VSPACE_BITS;
    case OPAL_OBJECT_PAGE_TABLE: return OPAL_PAGE_TABLE_BITS;
    case OPAL_OBJECT_VCPU: return OPAL_VCPU_BITS;
    default: return 0;
    }
}

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
