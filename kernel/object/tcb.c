/* TCB invocations: configure a thread's spaces and IPC buffer, its
 * priorities, registers and scheduling context, and start or stop it. */
#include "opal/error.h"
#include "arch.h"
#include "objects.h"
#include "platform.h"
#include "sched.h"

#define REGISTER_COUNT 16   /* pc, sp, cpsr, r0-r12 */

/* Replace an internal slot's cap with a copy (a child) of `source`. */
static void install(struct slot *internal, struct slot *source)
{
    cap_delete(internal);
    if (source)
        cdt_insert_child(source, internal, &source->cap);
}

static int configure(struct invocation *invocation, struct thread *thread)
{
    uint32_t *arguments = invocation->arguments;
    struct slot *cspace, *vspace, *frame = NULL;
    int error;

    if (invocation->length < 5)
        return invocation_truncated(invocation);
    if ((error = invocation_lookup(invocation, 1, OPAL_OBJECT_CNODE, &cspace)) ||
        (error = invocation_lookup(invocation, 2, OPAL_OBJECT_VSPACE, &vspace)))
        return error;
    uint32_t buffer = arguments[3];
    if (arguments[4] != 0) {
        if ((error = invocation_lookup(invocation, 4, OPAL_OBJECT_FRAME, &frame)))
            return error;
        if (buffer % OPAL_IPC_BUFFER_ALIGN)
            return invocation_refuse(invocation, OPAL_ERR_ALIGNMENT, 3);
        uaddr_t mapping;
        uint32_t size = 1u << frame->cap.size_bits;
        if (arch_frame_mapping(&frame->cap, &mapping)) {
            uint32_t mapped = ua_value(mapping);
            if (buffer < mapped || buffer - mapped >= size)
                return invocation_out_of_range(invocation, 3, mapped, mapped + (size - 1));
        }
        if (!(frame->cap.rights & OPAL_RIGHT_WRITE) ||
            !platform_is_ram(cap_physical(&frame->cap), 1u << frame->cap.size_bits))
            return invocation_refuse(invocation, OPAL_ERR_ILLEGAL_OPERATION, 4); /* RAM only */
    }
    core_stall(thread); /* running on another core: it continues in its new spaces */
    thread->fault_endpoint = arguments[0];
    install(&thread->cspace_root, cspace);
    install(&thread->vspace_root, vspace);
    install(&thread->ipc_buffer_frame, frame);
    thread->ipc_buffer_address = frame ? buffer : 0;
    return OPAL_OK;
}

/* Set priority or MCP, bounded by the MCP of the authority thread. */
static int set_priority(struct invocation *invocation, struct thread *thread, bool mcp)
{
    struct slot *authority;
    int error;
    if (invocation->length < 2)
        return invocation_truncated(invocation);
    if ((error = invocation_lookup(invocation, 0, OPAL_OBJECT_TCB, &authority)))
        return error;
    uint32_t value = invocation->arguments[1];
    const struct thread *boss = cap_object(&authority->cap);
    uint32_t highest = boss->mcp < OPAL_PRIORITY_MAX ? boss->mcp : OPAL_PRIORITY_MAX;
    if (value > highest)
        return invocation_out_of_range(invocation, 1, 0, highest);
    if (mcp) {
        thread->mcp = (uint8_t)value;
        return OPAL_OK;
    }
    bool queued = thread->in_ready_queue;
    sched_dequeue(thread);
    thread->priority = (uint8_t)value;
    if (queued)
        sched_enqueue(thread);
    else if (sched_is_current(thread))
        core_reschedule(core_of(thread)); /* a lower priority may cost it its core */
    return OPAL_OK;
}

static int set_sched_context(struct invocation *invocation, struct thread *thread)
{
    struct slot *slot;
    int error;
    if (invocation->length < 1)
        return invocation_truncated(invocation);
    if (invocation->arguments[0] == 0) {
        if (thread->sched_context)
            sched_context_unbind(thread->sched_context);
        return OPAL_OK;
    }
    error = invocation_lookup(invocation, 0, OPAL_OBJECT_SCHED_CONTEXT, &slot);
    if (error)
        return error;
    struct sched_context *context = cap_object(&slot->cap);
    if (context->thread == thread)
        return OPAL_OK;
    if (context->thread) /* the context is bound to another thread */
        return invocation_refuse(invocation, OPAL_ERR_ILLEGAL_OPERATION, 0);
    if (thread->sched_context) /* this thread has another */
        return invocation_refuse(invocation, OPAL_ERR_ILLEGAL_OPERATION,
                                 OPAL_ERROR_ARGUMENT_INVOKED);
    sched_context_bind(context, thread);
    return OPAL_OK;
}

static int read_registers(struct invocation *invocation, struct thread *thread)
{
    core_stall(thread); /* running on another core: its registers are saved */
    const struct arch_context *context = &thread->context;
    invocation->results[0] = context->pc;
    invocation->results[1] = context->sp;
    invocation->results[2] = context->cpsr;
    for (unsigned i = 0; i < 13; i++)
        invocation->results[3 + i] = abi_register(context, i);
    invocation->result_length = REGISTER_COUNT;
    return OPAL_OK;
}

static int write_registers(struct invocation *invocation, struct thread *thread)
{
    uint32_t *arguments = invocation->arguments;
    if (invocation->length < 6)
        return invocation_truncated(invocation);
    if (thread == invocation->caller) /* the invoked thread is running: it is the caller */
        return invocation_refuse(invocation, OPAL_ERR_ILLEGAL_OPERATION,
                                 OPAL_ERROR_ARGUMENT_INVOKED);
    core_stall(thread);
    arch_context_init_user(&thread->context, arguments[0], arguments[1], arguments[2]);
    abi_set_register(&thread->context, 1, arguments[3]);
    abi_set_register(&thread->context, 2, arguments[4]);
    abi_set_register(&thread->context, 3, arguments[5]);
    return OPAL_OK;
}

static int resume(struct invocation *invocation, struct thread *thread)
{
    if (thread_vspace(thread) == NULL || thread->cspace_root.cap.type != OPAL_OBJECT_CNODE)
        return invocation_refuse(invocation, OPAL_ERR_ILLEGAL_OPERATION,
                                 OPAL_ERROR_ARGUMENT_INVOKED); /* not configured */
    thread_resume(thread);
    return OPAL_OK;
}

static int bind_notification(struct invocation *invocation, struct thread *thread)
{
    struct slot *slot;
    int error;
    if (invocation->length < 1)
        return invocation_truncated(invocation);
    error = invocation_lookup(invocation, 0, OPAL_OBJECT_NOTIFICATION, &slot);
    if (error)
        return error;
    struct notification *notification = cap_object(&slot->cap);
    if (thread->bound_notification) /* the thread has one */
        return invocation_refuse(invocation, OPAL_ERR_ILLEGAL_OPERATION,
                                 OPAL_ERROR_ARGUMENT_INVOKED);
    if (notification->bound) /* the notification has a thread */
        return invocation_refuse(invocation, OPAL_ERR_ILLEGAL_OPERATION, 0);
    thread->bound_notification = notification;
    notification->bound = thread;
    return OPAL_OK;
}

static int set_core(struct invocation *invocation, struct thread *thread)
{
    if (invocation->length < 1)
        return invocation_truncated(invocation);
    uint32_t core = invocation->arguments[0];
    if (core >= platform.cores)
        return invocation_out_of_range(invocation, 0, 0, platform.cores - 1);
    thread_set_core(thread, core);
    return OPAL_OK;
}

int tcb_invoke(struct invocation *invocation)
{
    struct thread *thread = cap_object(&invocation->slot->cap);

    switch (invocation->label) {
    case OPAL_TCB_CONFIGURE: return configure(invocation, thread);
    case OPAL_TCB_SET_PRIORITY: return set_priority(invocation, thread, false);
    case OPAL_TCB_SET_MCP: return set_priority(invocation, thread, true);
    case OPAL_TCB_SET_SCHED_CONTEXT: return set_sched_context(invocation, thread);
    case OPAL_TCB_READ_REGISTERS: return read_registers(invocation, thread);
    case OPAL_TCB_WRITE_REGISTERS: return write_registers(invocation, thread);
    case OPAL_TCB_RESUME: return resume(invocation, thread);
    case OPAL_TCB_SUSPEND:
        thread_suspend(thread);
        return OPAL_OK;
    case OPAL_TCB_BIND_NOTIFICATION: return bind_notification(invocation, thread);
    case OPAL_TCB_UNBIND_NOTIFICATION:
        if (!thread->bound_notification)
            return invocation_refuse(invocation, OPAL_ERR_ILLEGAL_OPERATION,
                                     OPAL_ERROR_ARGUMENT_INVOKED); /* nothing bound */
        notification_unbind(thread->bound_notification);
        return OPAL_OK;
    case OPAL_TCB_SET_CORE: return set_core(invocation, thread);
    default:
        return invocation_no_method(invocation);
    }
}
