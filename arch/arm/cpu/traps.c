/* Trap dispatch: the HSR exception class indexes a table of handlers; each
 * turns the trap into a syscall or a fault for the portable kernel. */
#include <stddef.h>
#include "arch/cp15.h"
#include "core/hsr.h"
#include "arch/guest.h"
#include "fault.h"
#include "kernel.h"
#include "log.h"
#include "sched.h"
#include "arm.h"

_Static_assert(offsetof(struct arch_context, sp) == 52, "vectors.S CONTEXT_SP_OFFSET");
_Static_assert(offsetof(struct thread, context) == 0, "vectors.S: the context is the current thread");

typedef void (*trap_handler)(struct thread *thread, uint32_t hsr);

static void report_fault(struct thread *thread, uint32_t hsr, enum fault_kind kind,
                         uint32_t address, uint32_t pc)
{
    struct fault fault = { .kind = kind, .address = address, .pc = pc, .syndrome = hsr,
                           .class = HSR_CLASS(hsr),
                           .write = (hsr & HSR_DATA_ABORT_WRITE) != 0 };
    fault_handle(thread, &fault);
}

static void trap_svc(struct thread *thread, uint32_t hsr)
{
    uint32_t number = thread->context.r[7];
    if (!syscall_handle(thread, number))
        report_fault(thread, hsr, FAULT_UNKNOWN_SYSCALL, number, thread->context.pc - 4);
}

/* Native threads run with monitor debug off (docs/isolation.md), so only a
 * BKPT instruction gets here in practice; reported as what it is, never as
 * an abort. ARMv7 reports it as an abort with a debug status, QEMU with
 * ARMv8's debug classes. A watchpoint's address is the data address. */
static void trap_debug(struct thread *thread, uint32_t hsr)
{
    bool watchpoint = HSR_CLASS(hsr) == HSR_CLASS_WATCHPOINT_LOWER ||
                      HSR_CLASS(hsr) == HSR_CLASS_DATA_ABORT_LOWER;
    report_fault(thread, hsr, FAULT_DEBUG, watchpoint ? hdfar_read() : thread->context.pc,
                 thread->context.pc);
}

static void trap_data_abort(struct thread *thread, uint32_t hsr)
{
    if (HSR_ABORT_STATUS(hsr) == HSR_FSC_DEBUG) {
        trap_debug(thread, hsr);
        return;
    }
    enum fault_kind kind =
        HSR_ABORT_STATUS(hsr) == HSR_FSC_ALIGNMENT ? FAULT_ALIGNMENT : FAULT_DATA_ABORT;
    report_fault(thread, hsr, kind, hdfar_read(), thread->context.pc);
}

static void trap_prefetch_abort(struct thread *thread, uint32_t hsr)
{
    if (HSR_ABORT_STATUS(hsr) == HSR_FSC_DEBUG) {
        trap_debug(thread, hsr);
        return;
    }
    report_fault(thread, hsr, FAULT_INSTRUCTION_ABORT, hifar_read(), thread->context.pc);
}

static void trap_undefined(struct thread *thread, uint32_t hsr)
{
    report_fault(thread, hsr, FAULT_UNDEFINED, 0, thread->context.pc);
}

static void trap_coprocessor(struct thread *thread, uint32_t hsr)
{
    report_fault(thread, hsr, FAULT_COPROCESSOR, 0, thread->context.pc);
}

static void trap_other(struct thread *thread, uint32_t hsr)
{
    report_fault(thread, hsr, FAULT_OTHER, 0, thread->context.pc);
}

static const trap_handler trap_table[HSR_CLASS_COUNT] = {
    [HSR_CLASS_UNKNOWN] = trap_undefined,
    [HSR_CLASS_HCPTR] = trap_coprocessor,
    [HSR_CLASS_CP10_ID] = trap_coprocessor,
    [HSR_CLASS_SVC] = trap_svc,
    [HSR_CLASS_PREFETCH_ABORT_LOWER] = trap_prefetch_abort,
    [HSR_CLASS_DATA_ABORT_LOWER] = trap_data_abort,
    [HSR_CLASS_BREAKPOINT_LOWER] = trap_debug,
    [HSR_CLASS_STEP_LOWER] = trap_debug,
    [HSR_CLASS_WATCHPOINT_LOWER] = trap_debug,
    [HSR_CLASS_BKPT_AARCH32] = trap_debug,
};

/* The context to resume, with its address space and vCPU state made active.
 * A revoke can delete a runnable thread's copy of its VSpace cap (the TCB's
 * internal slot) without the thread knowing; it cannot run without one (TCB
 * Resume insists on one too), so it stops here, and the scheduler picks
 * again, rather than be entered through a NULL VSpace. */
static struct arch_context *resume(struct thread *thread)
{
    const struct arch_vspace *vspace;
    while ((vspace = thread_vspace(thread)) == NULL) {
        thread_suspend(thread);
        log("thread %u: its VSpace was deleted; thread stopped", thread->id);
        thread = kernel_schedule();
    }
    arch_activate_vspace(vspace);
    arch_activate_vcpu(thread->vcpu, vcpu_guest_mode);
    return &thread->context;
}

/* A guest exit goes straight to the VMM when the VMM waits for it (the
 * fastpath); otherwise through accounting, the fault IPC and the scheduler. */
static struct arch_context *guest_exit(struct thread *thread, uint32_t hsr)
{
    struct arch_context *next;
    bool for_vmm = exit_decode(thread, hsr);
    if (for_vmm && (next = fastpath_fault(thread)) != NULL)
        return next;
    sched_account();
    if (for_vmm)
        fault_send(thread);
    return resume(kernel_schedule());
}

/* vectors.S passes the HSR it read to choose the IPC fastpath. */
struct arch_context *arch_handle_trap(struct arch_context *context, uint32_t hsr);
struct arch_context *arch_handle_trap(struct arch_context *context, uint32_t hsr)
{
    struct thread *thread = (struct thread *)context;
    if (thread->vcpu)
        return guest_exit(thread, hsr);
    sched_account();
    trap_handler handler = trap_table[HSR_CLASS(hsr)];
    (handler ? handler : trap_other)(thread, hsr);
    return resume(kernel_schedule());
}

struct arch_context *arch_handle_irq(struct arch_context *context);
struct arch_context *arch_handle_irq(struct arch_context *context)
{
    (void)context;
    sched_account();
    gic_handle_pending();
    return resume(kernel_schedule());
}

void arch_enter_user(struct thread *thread)
{
    restore_user_context(resume(thread));
}

static const char *const kernel_exception_names[] = {
    "reset", "undefined instruction", "HVC/SVC", "prefetch abort", "data abort",
    "trap", "IRQ", "FIQ",
};

/* A kernel bug: everything a developer needs at 2 a.m., then halt. */
void arch_handle_kernel_exception(unsigned kind, const struct arch_context *frame)
{
    log_raw("\nopal: PANIC: %s in the kernel\n", kind < 8 ? kernel_exception_names[kind] : "?");
    for (unsigned i = 0; i < 13; i++)
        log_raw("opal:   r%-2u 0x%08x%s", i, frame->r[i], i % 4 == 3 ? "\n" : "");
    log_raw("\nopal:   sp  0x%08x  lr 0x%08x  pc 0x%08x  spsr 0x%08x\n", frame->sp, frame->lr,
            frame->pc, frame->cpsr);
    uint32_t hsr = hsr_read();
    log_raw("opal:   HSR 0x%08x (class 0x%02x)  HDFAR 0x%08x  HIFAR 0x%08x  HPFAR 0x%08x\n", hsr,
            HSR_CLASS(hsr), hdfar_read(), hifar_read(), hpfar_read());
    panic("kernel exception; current thread %u",
          current_thread ? (unsigned)current_thread->id : 0u);
}
