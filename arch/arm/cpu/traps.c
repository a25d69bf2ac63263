/* Trap dispatch: the HSR exception class indexes a table of decoders; each
 * turns the trap into one of the portable kernel's entries (kernel/entry.c)
 * and returns the context it gives back. Nothing is decided here. */
#include <stddef.h>
#include "arch/cp15.h"
#include "core/hsr.h"
#include "arch/guest.h"
#include "fault.h"
#include "kernel.h"
#include "log.h"
#include "sched.h"
#include "arm.h"

_Static_assert(offsetof(struct thread, context) == 0, "vectors.S: the context is the current thread");

typedef struct arch_context *(*trap_handler)(struct thread *thread, uint32_t hsr);

static struct arch_context *report_fault(struct thread *thread, uint32_t hsr,
                                         enum fault_kind kind, uint32_t address, uint32_t pc)
{
    struct fault fault = { .kind = kind, .address = address, .pc = pc, .syndrome = hsr,
                           .class = HSR_CLASS(hsr),
                           .write = (hsr & HSR_DATA_ABORT_WRITE) != 0 };
    return kernel_user_fault(thread, &fault);
}

static struct arch_context *trap_svc(struct thread *thread, uint32_t hsr)
{
    return kernel_syscall(thread, abi_number(&thread->context), hsr);
}

/* Native threads run with monitor debug off (docs/isolation.md), so only a
 * BKPT instruction gets here in practice; reported as what it is, never as
 * an abort. ARMv7 reports it as an abort with a debug status, QEMU with
 * ARMv8's debug classes. A watchpoint's address is the data address. */
static struct arch_context *trap_debug(struct thread *thread, uint32_t hsr)
{
    bool watchpoint = HSR_CLASS(hsr) == HSR_CLASS_WATCHPOINT_LOWER ||
                      HSR_CLASS(hsr) == HSR_CLASS_DATA_ABORT_LOWER;
    return report_fault(thread, hsr, FAULT_DEBUG,
                        watchpoint ? hdfar_read() : thread->context.pc, thread->context.pc);
}

static struct arch_context *trap_data_abort(struct thread *thread, uint32_t hsr)
{
    if (HSR_ABORT_STATUS(hsr) == HSR_FSC_DEBUG)
        return trap_debug(thread, hsr);
    enum fault_kind kind =
        HSR_ABORT_STATUS(hsr) == HSR_FSC_ALIGNMENT ? FAULT_ALIGNMENT : FAULT_DATA_ABORT;
    return report_fault(thread, hsr, kind, hdfar_read(), thread->context.pc);
}

static struct arch_context *trap_prefetch_abort(struct thread *thread, uint32_t hsr)
{
    if (HSR_ABORT_STATUS(hsr) == HSR_FSC_DEBUG)
        return trap_debug(thread, hsr);
    return report_fault(thread, hsr, FAULT_INSTRUCTION_ABORT, hifar_read(), thread->context.pc);
}

static struct arch_context *trap_undefined(struct thread *thread, uint32_t hsr)
{
    return report_fault(thread, hsr, FAULT_UNDEFINED, 0, thread->context.pc);
}

static struct arch_context *trap_coprocessor(struct thread *thread, uint32_t hsr)
{
    return report_fault(thread, hsr, FAULT_COPROCESSOR, 0, thread->context.pc);
}

static struct arch_context *trap_other(struct thread *thread, uint32_t hsr)
{
    return report_fault(thread, hsr, FAULT_OTHER, 0, thread->context.pc);
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

/* vectors.S passes the HSR it read to choose the IPC fastpath. A guest's
 * trap is an exit, decoded into its fault record (vcpu/exit.c), which the
 * exit fastpath takes first, as vectors.S tries the IPC fastpath first; a
 * native thread's trap goes by its class. */
struct arch_context *arch_handle_trap(struct arch_context *context, uint32_t hsr);
struct arch_context *arch_handle_trap(struct arch_context *context, uint32_t hsr)
{
    struct thread *thread = (struct thread *)context;
    if (thread->vcpu) {
        struct arch_context *next;
        bool for_vmm = exit_decode(thread, hsr);
        if (for_vmm && (next = fastpath_fault(thread)) != NULL)
            return next;
        return kernel_guest_exit(thread, for_vmm);
    }
    trap_handler handler = trap_table[HSR_CLASS(hsr)];
    return (handler ? handler : trap_other)(thread, hsr);
}

struct arch_context *arch_handle_irq(struct arch_context *context);
struct arch_context *arch_handle_irq(struct arch_context *context)
{
    (void)context;
    return kernel_interrupt();
}

uint32_t arch_syndrome_class(uint32_t syndrome)
{
    return HSR_CLASS(syndrome);
}

bool arch_syndrome_is_syscall(uint32_t syndrome)
{
    return HSR_CLASS(syndrome) == HSR_CLASS_SVC;
}

void arch_enter_user(struct arch_context *context)
{
    enter_user_context(context);
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
