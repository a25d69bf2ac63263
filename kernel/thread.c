/* Thread state changes shared by the TCB invocations, IPC and deletion. */
#include <stddef.h>
#include "opal/error.h"
#include "arch.h"
#include "log.h"
#include "objects.h"
#include "sched.h"
#include "vcpu.h"

static uint32_t next_id = 1;

void thread_init(struct thread *thread)
{
    thread->id = next_id++;
    thread->state = THREAD_INACTIVE;
    arch_context_init_user(&thread->context, 0, 0, 0);
}

struct opal_ipc_buffer *thread_ipc_buffer(const struct thread *thread)
{
    const struct cap *frame = &thread->ipc_buffer_frame.cap;
    if (frame->type != OPAL_OBJECT_FRAME)
        return NULL;
    uint32_t offset = thread->ipc_buffer_address & ((1u << frame->size_bits) - 1);
    return (struct opal_ipc_buffer *)((uint8_t *)arch_phys_to_virt(cap_physical(frame)) + offset);
}

struct arch_vspace *thread_vspace(const struct thread *thread)
{
    const struct cap *vspace = &thread->vspace_root.cap;
    return vspace->type == OPAL_OBJECT_VSPACE ? cap_object(vspace) : NULL;
}

void thread_resume(struct thread *thread)
{
    if (thread->state != THREAD_INACTIVE)
        return;
    thread->state = THREAD_RUNNABLE;
    sched_enqueue(thread);
}

/* Leave whatever queue the thread waits in, with no result written. */
void thread_cancel_ipc(struct thread *thread)
{
    switch (thread->state) {
    case THREAD_BLOCKED_SEND:
    case THREAD_BLOCKED_RECEIVE: {
        struct endpoint *endpoint = thread->blocked_on;
        endpoint_dequeue(endpoint, thread);
        reply_unbind_receiver(thread);
        break;
    }
    case THREAD_BLOCKED_NOTIFICATION: {
        struct notification *notification = thread->blocked_on;
        queue_remove(&notification->waiters, thread);
        break;
    }
    case THREAD_BLOCKED_REPLY:
        if (thread->reply) {
            thread->reply->caller = NULL;
            thread->reply = NULL;
        }
        break;
    default:
        break;
    }
    thread->blocked_on = NULL;
    thread->fault_pending = 0;
}

void thread_suspend(struct thread *thread)
{
    core_stall(thread);
    thread_cancel_ipc(thread);
    sched_dequeue(thread);
    thread->state = THREAD_INACTIVE;
}

void thread_note_budget(struct thread *thread)
{
    const struct sched_context *context = thread->sched_context;
    thread->fastpath_core = context && context->full ? (uint8_t)(thread->core + 1) : 0;
}

/* Move the thread to `core` (checked by the caller): it stops running on
 * its old core first, its vCPU's state leaves that core's registers, and
 * its scheduling context goes with it. A current thread that moves itself
 * is handed over by the scheduler (sched_choose). */
void thread_set_core(struct thread *thread, unsigned core)
{
    if (core == thread->core)
        return;
    core_stall(thread);
    bool queued = thread->in_ready_queue;
    sched_dequeue(thread);
    if (thread->vcpu)
        vcpu_unload(thread->vcpu);
    thread->core = (uint8_t)core;
    thread_note_budget(thread);
    if (thread->sched_context)
        sched_context_move(thread->sched_context, core);
    if (queued)
        sched_enqueue(thread);
}

/* A blocked thread becomes runnable with `error` as its syscall result. */
void thread_wake(struct thread *thread, uint32_t error)
{
    bool faulted = thread->fault_pending;
    thread_cancel_ipc(thread);
    if (faulted) {
        /* its registers are the faulting ones: leave them, leave it stopped */
        thread->state = THREAD_INACTIVE;
        log("thread %u: fault handler went away; thread stopped", thread->id);
        return;
    }
    abi_set_error(&thread->context, error);
    thread->state = THREAD_RUNNABLE;
    sched_enqueue(thread);
}
