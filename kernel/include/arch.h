/* The arch_* interface: everything the portable kernel needs from an
 * architecture. arch/arm implements it for real, arch/host fakes it for tests. */
#ifndef KERNEL_ARCH_H
#define KERNEL_ARCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <arch/types.h>
#include "addr.h"
#include <arch/inline.h>   /* arch_activate_vspace(), arch_activate_vcpu() */
#include <arch/abi.h>      /* the register ABI: abi_tag(), abi_set_error(), ... */

struct platform;

/* Console: one character to the boot UART, polled. */
void arch_console_putc(char c);
/* The same without waiting: false, and nothing written, while the UART's
 * transmit FIFO is full (the Debug cap's Write bound rests on this). */
bool arch_console_try_putc(char c);

/* Stop this CPU for good (interrupts off, wait forever). */
__attribute__((noreturn)) void arch_halt(void);

/* Power the machine off if the platform can; halts otherwise. */
__attribute__((noreturn)) void arch_system_off(void);

/* User contexts. */
void arch_context_init_user(struct arch_context *context, uint32_t entry, uint32_t stack_top,
                            uint32_t argument);
uint32_t arch_context_pc(const struct arch_context *context);
/* The address of the system-call instruction a thread just executed. */
uint32_t arch_context_syscall_pc(const struct arch_context *context);
/* A syndrome's exception class, as the kernel's fault lines print it. */
uint32_t arch_syndrome_class(uint32_t syndrome);
/* Whether a trap's syndrome is a system call's (0: not a trap). */
bool arch_syndrome_is_syscall(uint32_t syndrome);
/* Make the thread execute its system call again when it resumes. */
void arch_context_restart_syscall(struct arch_context *context);

/* Generic timer, in counter ticks. */
uint64_t arch_timer_now(void);
uint32_t arch_timer_frequency(void);
void arch_timer_set_deadline(uint64_t deadline);

/* Stage-2 address spaces. Access rights for mappings. */
enum vspace_rights { VSPACE_READ = 1, VSPACE_WRITE = 2, VSPACE_EXECUTE = 4 };

/* Boot only: map a 4 KiB page of normal memory, tables from boot memory. */
int arch_vspace_boot_map(struct arch_vspace *vspace, uaddr_t address, paddr_t frame,
                         unsigned rights);
/* The physical address behind a mapped user address with at least `rights`. */
bool arch_vspace_translate(const struct arch_vspace *vspace, uaddr_t address, unsigned rights,
                           paddr_t *physical);
/* Make the I-cache see instructions just written through the D-side. */
void arch_sync_instructions(paddr_t start, size_t size);

/* Enter user level with this context (activated by the kernel); no return. */
__attribute__((noreturn)) void arch_enter_user(struct arch_context *context);

/* Take every pending interrupt: the arch's own (its timer, the vCPU
 * interface's), timeslice_tick() and irq_deliver() for the kernel's. */
void arch_handle_interrupts(void);

/* Whether an interrupt is waiting (for preemption points). */
bool arch_interrupt_pending(void);

/* Interrupts user level may own, and masking them at the controller. */
bool arch_irq_available(uint32_t irq);
void arch_irq_mask(uint32_t irq);
void arch_irq_unmask(uint32_t irq);

/* Multicore (kernel/core.c): an IPI that makes `core` enter the kernel;
 * a pause in a spin loop (lets the other cores run on an emulator). */
struct core;
void arch_send_ipi(const struct core *core);
void arch_cpu_relax(void);

/* Kernel virtual address of a physical RAM address. */
void *arch_phys_to_virt(paddr_t address);

#endif
