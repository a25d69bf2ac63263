/* The portable kernel's four entries: a system call, a user fault, a guest
 * exit and an interrupt. The arch trap code decodes the trap and calls one
 * of them; each charges the running thread, handles the event, picks the
 * next thread and activates it, and returns the context to resume. The
 * fastpaths (kernel/fastpath.c) are tried first, by the trap entry, and
 * fall back to these. */
#include "arch.h"
#include "fault.h"
#include "kernel.h"
#include "log.h"
#include "objects.h"
#include "sched.h"

/* The context to resume, with its address space and vCPU made current. A
 * revoke can delete a runnable thread's copy of its VSpace cap (the TCB's
 * internal slot) without the thread knowing; it cannot run without one
 * (TCB Resume insists on one too), so it stops here and the scheduler picks
 * again, rather than be entered through a NULL VSpace. */
static struct arch_context *activate(struct thread *thread)
{
    const struct arch_vspace *vspace;
    while ((vspace = thread_vspace(thread)) == NULL) {
        thread_suspend(thread);
        log("thread %u: its VSpace was deleted; thread stopped", thread->id);
        thread = sched_schedule();
    }
    arch_activate_vspace(vspace);
    arch_activate_vcpu(thread->vcpu, arch_vcpu_guest_mode());
    return &thread->context;
}

struct arch_context *kernel_next_context(void)
{
    return activate(sched_schedule());
}

struct arch_context *kernel_syscall(struct thread *thread, uint32_t number, uint32_t syndrome)
{
    timeslice_account();
    if (!syscall_handle(thread, number)) {
        struct fault fault = { .kind = FAULT_UNKNOWN_SYSCALL, .address = number,
                               .pc = arch_context_syscall_pc(&thread->context),
                               .syndrome = syndrome, .class = arch_syndrome_class(syndrome) };
        fault_handle(thread, &fault);
    }
    return kernel_next_context();
}

struct arch_context *kernel_user_fault(struct thread *thread, const struct fault *fault)
{
    timeslice_account();
    fault_handle(thread, fault);
    return kernel_next_context();
}

/* The exit is decoded into the thread's fault record already (or the arch
 * code dealt with it: WFI), and the exit fastpath declined it. */
struct arch_context *kernel_guest_exit(struct thread *thread, bool for_vmm)
{
    timeslice_account();
    if (for_vmm)
        fault_send(thread);
    return kernel_next_context();
}

struct arch_context *kernel_interrupt(void)
{
    timeslice_account();
    arch_handle_interrupts();
    return kernel_next_context();
}
