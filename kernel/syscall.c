/* The one system-call decode path: number -> handler; a Call or Send on a
 * kernel object becomes an invocation decoded by the object's type. */
#include <stddef.h>
#include "opal/error.h"
#include "opal/syscall.h"
#include "arch.h"
#include "fault.h"
#include "kernel.h"
#include "objects.h"
#include "vcpu.h"
#include "sched.h"


typedef void (*syscall_handler)(struct thread *thread);
typedef int (*invoke_handler)(struct invocation *invocation);

static const invoke_handler invoke_by_type[] = {
    [OPAL_OBJECT_UNTYPED] = untyped_invoke,
    [OPAL_OBJECT_CNODE] = cnode_invoke,
    [OPAL_OBJECT_TCB] = tcb_invoke,
    [OPAL_OBJECT_VSPACE] = arch_vspace_invoke,
    [OPAL_OBJECT_PAGE_TABLE] = arch_vspace_invoke,
    [OPAL_OBJECT_FRAME] = arch_vspace_invoke,
    [OPAL_OBJECT_VCPU] = vcpu_invoke,
    [OPAL_OBJECT_IRQ_CONTROL] = irq_control_invoke,
    [OPAL_OBJECT_IRQ_HANDLER] = irq_handler_invoke,
    [OPAL_OBJECT_SCHED_CONTROL] = sched_control_invoke,
    [OPAL_OBJECT_DEBUG] = debug_invoke,
};

static void set_error(struct thread *thread, uint32_t error)
{
    abi_set_error(&thread->context, error);
}

/* Arguments: MR0-3 from registers, the rest from the IPC buffer. */
static uint32_t gather_arguments(struct thread *thread, uint32_t *arguments)
{
    uint32_t length = OPAL_TAG_LENGTH(abi_tag(&thread->context));
    const struct opal_ipc_buffer *buffer = thread_ipc_buffer(thread);
    if (length > OPAL_MSG_MAX_LENGTH)
        length = OPAL_MSG_MAX_LENGTH;
    if (buffer == NULL && length > OPAL_MSG_REGISTERS)
        length = OPAL_MSG_REGISTERS;
    for (uint32_t i = 0; i < length; i++)
        arguments[i] = i < OPAL_MSG_REGISTERS ? abi_mr(&thread->context, i) : buffer->mr[i];
    return length;
}

static void return_results(struct thread *thread, const struct invocation *invocation)
{
    struct opal_ipc_buffer *buffer = thread_ipc_buffer(thread);
    uint32_t length = invocation->result_length;
    if (buffer == NULL && length > OPAL_MSG_REGISTERS)
        length = OPAL_MSG_REGISTERS;
    for (uint32_t i = 0; i < length; i++) {
        if (i < OPAL_MSG_REGISTERS)
            abi_set_mr(&thread->context, i, invocation->results[i]);
        else
            buffer->mr[i] = invocation->results[i];
    }
    abi_set_tag(&thread->context, OPAL_TAG(0, 0, length));
}

/* A refused Call or Send on a kernel object: r0 the error, and the detail
 * (include/opal/error.h) in MR0-MR2 with a tag saying three words. Only
 * errors come here, so no benchmarked path pays for it. */
static void refuse(struct thread *thread, uint32_t error, uint32_t argument, uint32_t low,
                   uint32_t high)
{
    set_error(thread, error);
    abi_set_mr(&thread->context, 0, argument);
    abi_set_mr(&thread->context, 1, low);
    abi_set_mr(&thread->context, 2, high);
    abi_set_tag(&thread->context, OPAL_TAG(0, 0, OPAL_ERROR_DETAIL_LENGTH));
}

static void invoke(struct thread *thread, struct slot *slot)
{
    uint32_t arguments[OPAL_MSG_MAX_LENGTH];
    struct invocation invocation = {
        .caller = thread, .slot = slot, .arguments = arguments,
        .label = OPAL_TAG_LABEL(abi_tag(&thread->context)),
        .failed_argument = OPAL_ERROR_ARGUMENT_NONE,
    };
    uint32_t type = slot->cap.type;
    if (type >= sizeof invoke_by_type / sizeof invoke_by_type[0] || !invoke_by_type[type]) {
        refuse(thread, OPAL_ERR_INVALID_CAPABILITY, OPAL_ERROR_ARGUMENT_INVOKED, 0, 0);
        return;
    }
    invocation.length = gather_arguments(thread, arguments);
    int error = invoke_by_type[type](&invocation);
    if (current_thread != thread)
        return; /* the caller destroyed itself */
    if (error == KERNEL_PREEMPTED) {
        arch_context_restart_syscall(&thread->context); /* registers untouched: run it again */
        return;
    }
    if (error != OPAL_OK) {
        refuse(thread, (uint32_t)error, invocation.failed_argument, invocation.low,
               invocation.high);
        return;
    }
    set_error(thread, OPAL_OK);
    return_results(thread, &invocation);
}

/* Send, NBSend and Call: on an endpoint or notification, a message; on
 * anything else, an invocation. */
static void send(struct thread *thread, bool blocking, bool is_call)
{
    struct slot *slot;
    int error = cspace_lookup_cap(thread, abi_cptr(&thread->context), &slot);
    if (error != OPAL_OK) {
        /* with the detail, so a refused invocation always carries one */
        refuse(thread, (uint32_t)error, OPAL_ERROR_ARGUMENT_INVOKED, 0, 0);
        return;
    }
    const struct cap *cap = &slot->cap;
    if (cap->type == OPAL_OBJECT_ENDPOINT) {
        if (!(cap->rights & OPAL_RIGHT_WRITE)) {
            refuse(thread, OPAL_ERR_ILLEGAL_OPERATION, OPAL_ERROR_ARGUMENT_INVOKED, 0, 0);
            return;
        }
        set_error(thread, OPAL_OK);
        ipc_send(thread, cap_object(cap), cap_badge(cap), blocking, is_call,
                 cap->rights & OPAL_RIGHT_GRANT, cap->rights & OPAL_RIGHT_GRANT_REPLY);
        return;
    }
    if (cap->type == OPAL_OBJECT_NOTIFICATION && !is_call) {
        if (!(cap->rights & OPAL_RIGHT_WRITE)) {
            refuse(thread, OPAL_ERR_ILLEGAL_OPERATION, OPAL_ERROR_ARGUMENT_INVOKED, 0, 0);
            return;
        }
        set_error(thread, OPAL_OK);
        notification_signal(cap_object(cap), cap_badge(cap));
        return;
    }
    invoke(thread, slot);
}

static int lookup_reply(struct thread *thread, struct reply **reply)
{
    struct slot *slot;
    uint32_t cptr = abi_reply(&thread->context);
    *reply = NULL;
    if (cptr == 0)
        return OPAL_OK;
    int error = cspace_lookup_cap(thread, cptr, &slot);
    if (error != OPAL_OK)
        return error;
    if (slot->cap.type != OPAL_OBJECT_REPLY)
        return OPAL_ERR_INVALID_CAPABILITY;
    *reply = cap_object(&slot->cap);
    return OPAL_OK;
}

static void receive(struct thread *thread, bool blocking)
{
    struct slot *slot;
    struct reply *reply;
    int error = cspace_lookup_cap(thread, abi_cptr(&thread->context), &slot);
    if (error == OPAL_OK)
        error = lookup_reply(thread, &reply);
    if (error != OPAL_OK) {
        set_error(thread, (uint32_t)error);
        return;
    }
    const struct cap *cap = &slot->cap;
    bool readable = cap->rights & OPAL_RIGHT_READ;
    if (cap->type == OPAL_OBJECT_ENDPOINT && readable) {
        ipc_receive(thread, cap_object(cap), reply, blocking);
    } else if (cap->type == OPAL_OBJECT_NOTIFICATION && readable) {
        notification_wait(thread, cap_object(cap), blocking);
    } else {
        set_error(thread, cap->type == OPAL_OBJECT_ENDPOINT || cap->type == OPAL_OBJECT_NOTIFICATION
                              ? OPAL_ERR_ILLEGAL_OPERATION : OPAL_ERR_INVALID_CAPABILITY);
    }
}

static int reply(struct thread *thread)
{
    struct reply *reply_object;
    int error = lookup_reply(thread, &reply_object);
    if (error != OPAL_OK)
        return error;
    return reply_object ? ipc_reply(thread, reply_object) : OPAL_ERR_INVALID_CAPABILITY;
}

static void sys_call(struct thread *thread) { send(thread, true, true); }
static void sys_send(struct thread *thread) { send(thread, true, false); }
static void sys_nb_send(struct thread *thread) { send(thread, false, false); }
static void sys_recv(struct thread *thread) { receive(thread, true); }
static void sys_nb_recv(struct thread *thread) { receive(thread, false); }

static void sys_reply(struct thread *thread)
{
    set_error(thread, (uint32_t)reply(thread));
}

static void sys_reply_recv(struct thread *thread)
{
    int error = reply(thread);
    if (error != OPAL_OK) {
        set_error(thread, (uint32_t)error);
        return;
    }
    receive(thread, true);
}

static void sys_yield(struct thread *thread)
{
    set_error(thread, OPAL_OK);
    thread->slice_end = 0;
    sched_rotate_current();
}

/* Exit names no capability: it stops the caller alone. Its fault handler
 * hears of it as of a fault (kernel/fault.c). */
static void sys_exit(struct thread *thread)
{
    fault_exit(thread, abi_argument(&thread->context));
}

static const syscall_handler handlers[] = {
    [OPAL_SYS_CALL] = sys_call,
    [OPAL_SYS_REPLY_RECV] = sys_reply_recv,
    [OPAL_SYS_SEND] = sys_send,
    [OPAL_SYS_NB_SEND] = sys_nb_send,
    [OPAL_SYS_RECV] = sys_recv,
    [OPAL_SYS_NB_RECV] = sys_nb_recv,
    [OPAL_SYS_REPLY] = sys_reply,
    [OPAL_SYS_YIELD] = sys_yield,
    [OPAL_SYS_EXIT] = sys_exit,
};

bool syscall_handle(struct thread *thread, uint32_t number)
{
    if (number >= sizeof handlers / sizeof handlers[0] || handlers[number] == NULL)
        return false;
    handlers[number](thread);
    return true;
}
