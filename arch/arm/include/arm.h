/* Interfaces between the pieces of arch/arm (not seen by the portable kernel). */
#ifndef ARCH_ARM_ARM_H
#define ARCH_ARM_ARM_H

#include <stdint.h>
#include "arch.h"

/* entry/vectors.S */
extern char hyp_vectors[];
__attribute__((noreturn)) void enter_user_context(struct arch_context *context);
void arch_handle_kernel_exception(unsigned kind, const struct arch_context *frame);

/* plat/: platform discovery from the device tree, with a fallback */
void platform_discover(uint32_t fdt_address);
void platform_fallback(void);
void platform_report(void);

/* drivers/pl011.c */
void pl011_init(uint32_t base);

/* cpu/hyp.c: the HYP-mode and feature check, and HYP/trap configuration */
void hyp_check_or_refuse(void);
void hyp_configure_traps(void);

/* cpu/cores.c (arch_core_init and arch_start_cores are in kernel.h) */
#define ARCH_IPI_SGI 0          /* the one IPI: "enter the kernel" */

/* mmu/: the HYP tables are built once, each core turns its MMU on */
void hyp_mmu_init(void);
void hyp_mmu_enable(void);
void stage2_init(void);

/* irq/: the distributor once, each core's CPU interface */
void gic_init(void);
void gic_cpu_init(void);
void gic_enable(unsigned irq);
void gic_disable(unsigned irq);
void timer_init(void);
void timer_handle_irq(void);

#endif
