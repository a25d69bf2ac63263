/* User faults: sent as a message to the thread's fault endpoint when it has
 * one (the reply resumes it), otherwise reported and the thread stopped. */
#include "opal/error.h"
#include "opal/fault.h"
#include "arch.h"
#include "fault.h"
#include "log.h"
#include "objects.h"

static const char *const kind_names[] = {
    [FAULT_DATA_ABORT] = "data abort",
    [FAULT_INSTRUCTION_ABORT] = "instruction abort",
    [FAULT_UNDEFINED] = "undefined instruction",
    [FAULT_UNKNOWN_SYSCALL] = "unknown syscall",
    [FAULT_COPROCESSOR] = "coprocessor access",
    [FAULT_ALIGNMENT] = "alignment fault",
    [FAULT_DEBUG] = "debug exception",
    [FAULT_OTHER] = "unexpected trap",
};

const char *fault_kind_name(enum fault_kind kind)
{
    if ((unsigned)kind < sizeof kind_names / sizeof kind_names[0])
        return kind_names[kind];
    return "fault";
}

static void report(const struct thread *thread, const struct fault *fault)
{
    const char *name = fault_kind_name(fault->kind);
    switch (fault->kind) {
    case FAULT_DATA_ABORT:
        log("thread %u fault: %s at 0x%08x (%s), pc 0x%08x, class 0x%02x, syndrome 0x%08x",
            thread->id, name, fault->address, fault->write ? "write" : "read", fault->pc,
            fault->class, fault->syndrome);
        break;
    case FAULT_INSTRUCTION_ABORT:
    case FAULT_DEBUG:
        log("thread %u fault: %s at 0x%08x, pc 0x%08x, class 0x%02x, syndrome 0x%08x",
            thread->id, name, fault->address, fault->pc, fault->class, fault->syndrome);
        break;
    case FAULT_UNKNOWN_SYSCALL:
        log("thread %u fault: %s %u, pc 0x%08x, class 0x%02x, syndrome 0x%08x", thread->id,
            name, fault->address, fault->pc, fault->class, fault->syndrome);
        break;
    default:
        log("thread %u fault: %s, pc 0x%08x, class 0x%02x, syndrome 0x%08x", thread->id, name,
            fault->pc, fault->class, fault->syndrome);
        break;
    }
}

/* The fault message: label and words as include/opal/fault.h lays them out. */
static void build_message(struct thread *thread, const struct fault *fault)
{
    uint32_t *words = thread->fault_words;
    words[0] = fault->pc;
    switch (fault->kind) {
    case FAULT_DATA_ABORT:
    case FAULT_INSTRUCTION_ABORT:
        fault_record(thread, OPAL_FAULT_VM, OPAL_FAULT_VM_LENGTH);
        words[1] = fault->address;
        words[2] = fault->kind == FAULT_INSTRUCTION_ABORT;
        words[3] = fault->write;
        words[4] = fault->syndrome;
        break;
    case FAULT_DEBUG:
        fault_record(thread, OPAL_FAULT_DEBUG, OPAL_FAULT_DEBUG_LENGTH);
        words[1] = fault->address;
        words[2] = fault->syndrome;
        break;
    case FAULT_UNDEFINED:
        fault_record(thread, OPAL_FAULT_UNDEFINED, OPAL_FAULT_UNDEFINED_LENGTH);
        words[1] = fault->syndrome;
        break;
    case FAULT_UNKNOWN_SYSCALL:
        fault_record(thread, OPAL_FAULT_UNKNOWN_SYSCALL, OPAL_FAULT_UNKNOWN_SYSCALL_LENGTH);
        words[1] = fault->address;
        for (unsigned i = 0; i < 7; i++)
            words[2 + i] = abi_register(&thread->context, i);
        break;
    default:
        fault_record(thread, OPAL_FAULT_USER_EXCEPTION, OPAL_FAULT_USER_EXCEPTION_LENGTH);
        words[1] = fault->syndrome;
        break;
    }
}

/* The thread's fault endpoint, if it has a usable one. */
static struct slot *fault_endpoint(struct thread *thread)
{
    struct slot *slot;
    if (thread->fault_endpoint != 0 &&
        cspace_lookup_cap(thread, thread->fault_endpoint, &slot) == OPAL_OK &&
        slot->cap.type == OPAL_OBJECT_ENDPOINT && (slot->cap.rights & OPAL_RIGHT_WRITE))
        return slot;
    return NULL;
}

/* Send the message in thread->fault_* as a Call the handler must answer. */
static void send_fault_message(struct thread *thread, struct slot *endpoint)
{
    thread->fault_pending = 1;
    ipc_send(thread, cap_object(&endpoint->cap), cap_badge(&endpoint->cap), true, true, false, true);
}

void fault_handle(struct thread *thread, const struct fault *fault)
{
    struct slot *endpoint = fault_endpoint(thread);
    if (endpoint) {
        build_message(thread, fault);
        send_fault_message(thread, endpoint);
        return;
    }
    report(thread, fault);
    thread_suspend(thread);
    log("thread %u stopped", thread->id);
}

/* MR0 is where the thread stood, just after its exit call: a handler that
 * resumes it (label 0) lets the call return. */
void fault_exit(struct thread *thread, uint32_t status)
{
    struct slot *endpoint = fault_endpoint(thread);
    if (endpoint == NULL) {
        log("thread %u exited with status %d", thread->id, (int)status);
        thread_suspend(thread);
        return;
    }
    fault_record(thread, OPAL_FAULT_EXIT, OPAL_FAULT_EXIT_LENGTH);
    thread->fault_words[0] = arch_context_pc(&thread->context);
    thread->fault_words[1] = status;
    send_fault_message(thread, endpoint);
}

void fault_send(struct thread *thread)
{
    struct slot *endpoint = fault_endpoint(thread);
    if (endpoint == NULL) {
        log("thread %u: guest exit %u (pc 0x%08x, word 0x%08x) and no fault handler; stopped",
            thread->id, thread->fault_label, arch_context_pc(&thread->context),
            thread->fault_length ? thread->fault_words[0] : 0);
        thread_suspend(thread);
        return;
    }
    send_fault_message(thread, endpoint);
}
