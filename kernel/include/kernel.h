/* The portable kernel's entries from the arch trap code, and the pieces of
 * the kernel that boot and the fastpaths share. */
#ifndef KERNEL_KERNEL_H
#define KERNEL_KERNEL_H

#include <stdbool.h>
#include <stdint.h>
#include "thread.h"

struct fault;

/* The kernel's entries (kernel/entry.c), called by the arch trap code for
 * the current thread: account, handle, schedule, activate; each returns the
 * context to resume. A system call's syndrome describes an unknown number
 * in the fault it becomes; a guest exit is decoded into the thread's fault
 * record first (for_vmm false: the arch code dealt with it, e.g. WFI) and
 * offered to the exit fastpath (fastpath_fault) before this. */
struct arch_context *kernel_syscall(struct thread *thread, uint32_t number, uint32_t syndrome);
struct arch_context *kernel_user_fault(struct thread *thread, const struct fault *fault);
struct arch_context *kernel_guest_exit(struct thread *thread, bool for_vmm);
struct arch_context *kernel_interrupt(void);
/* Schedule and activate: the context of the thread that runs next (the
 * entries' common end, and the first entry to user level at boot). */
struct arch_context *kernel_next_context(void);

/* The system-call dispatch (kernel/syscall.c): false for an unknown number. */
bool syscall_handle(struct thread *thread, uint32_t number);
/* The HYP timer fired (kernel/timeslice.c). */
void timeslice_tick(void);

/* Returned by a long operation that stopped at a preemption point because
 * an interrupt is waiting: the syscall is restarted after the interrupt, and
 * the operation goes on from the progress it recorded. Never seen by users. */
#define KERNEL_PREEMPTED (-1)

/* The IPC fastpath (kernel/fastpath.c), called by the trap entry for every
 * Call and ReplyRecv with the caller's saved context: the context to
 * resume, or NULL to take the full path. */
struct arch_context *fastpath_call(struct arch_context *context);
struct arch_context *fastpath_reply_recv(struct arch_context *context);
/* The same for a fault message the thread has just recorded (a guest exit),
 * before any accounting: the handler's context if it took the message, or
 * NULL for fault_send and the scheduler. */
struct arch_context *fastpath_fault(struct thread *thread);
/* Turned off by the boot argument "opal.fastpath=off", to measure the
 * slowpath (and by tests): no core's tag then matches any thread's. */
void fastpath_set_enabled(bool on);

/* Whether the kernel command line holds `word` as a whole word. */
bool cmdline_has(const char *word);

/* The architecture calls this from head.S once it has a stack; the other
 * cores call kernel_secondary_boot with their struct core. */
__attribute__((noreturn)) void kernel_boot(uint32_t boot_r0, uint32_t boot_r1, uint32_t boot_r2);
struct core;
__attribute__((noreturn)) void kernel_secondary_boot(struct core *self);

/* Set up the root task from the boot archive. */
struct thread *root_task_create(const void *archive, uint32_t archive_size);

/* The invariant check (kernel/invariants.c) walks the whole derivation tree. */
int invariants_check(void);

/* arch hooks used only at boot or idle */
void arch_boot_init(uint32_t fdt_address);
void arch_boot_report(void);
void arch_wait_for_interrupt(void);
/* Start the other cores (platform.cores becomes how many run); the HYP
 * setup each core does for itself. */
void arch_start_cores(void);
void arch_core_init(void);
void arch_boot_image(paddr_t *start, paddr_t *end, const void **archive, uint32_t *archive_size);

#endif
