/* What happens to a faulting thread: it is reported and stopped; the kernel
 * and every other thread go on. */
#include "fault.h"
#include "log.h"

static const char *const kind_names[] = {
    [FAULT_DATA_ABORT] = "data abort",
    [FAULT_INSTRUCTION_ABORT] = "instruction abort",
    [FAULT_UNDEFINED] = "undefined instruction",
    [FAULT_UNKNOWN_SYSCALL] = "unknown syscall",
    [FAULT_COPROCESSOR] = "coprocessor access",
    [FAULT_ALIGNMENT] = "alignment fault",
    [FAULT_OTHER] = "unexpected trap",
};

const char *fault_kind_name(enum fault_kind kind)
{
    if ((unsigned)kind < sizeof kind_names / sizeof kind_names[0])
        return kind_names[kind];
    return "fault";
}

void fault_handle(struct thread *thread, const struct fault *fault)
{
    const char *name = fault_kind_name(fault->kind);
    switch (fault->kind) {
    case FAULT_DATA_ABORT:
        log("thread %u fault: %s at 0x%08x (%s), pc 0x%08x, class 0x%02x, syndrome 0x%08x",
            thread->id, name, fault->address, fault->write ? "write" : "read", fault->pc,
            fault->class, fault->syndrome);
        break;
    case FAULT_INSTRUCTION_ABORT:
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
    thread_stop(thread);
    log("thread %u stopped", thread->id);
}
