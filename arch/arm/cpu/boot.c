/* The ARM half of the boot: the machine is made ready for the portable
 * kernel, and the few machine-level services it needs at boot and idle. */
#include "arch/cp15.h"
#include "arch/guest.h"
#include "arm.h"
#include "config.h"
#include "core.h"
#include "kernel.h"
#include "log.h"
#include "platform.h"

extern char __image_start[], __image_end[], boot_archive_start[], boot_archive_end[];

void arch_boot_init(uint32_t fdt_address)
{
    platform_discover(fdt_address);
    hyp_check_or_refuse();
    htpidr_write((uint32_t)(uintptr_t)&cores[0]);   /* HYP only: after the check */
    hyp_mmu_init();
    gic_init();
    arch_core_init();
}

void arch_boot_report(void)
{
    platform_report();
    log("CPU: MIDR 0x%08x, HYP mode, virtualization extensions present", midr_read());
    log("RAM       0x%08x-0x%08x (%u MiB)", (uint32_t)platform.ram_base,
        (uint32_t)(platform.ram_base + platform.ram_size - 1),
        (uint32_t)(platform.ram_size >> 20));
    log("kernel    0x%08x-0x%08x (HYP VA = PA)", (uint32_t)(uintptr_t)__image_start,
        (uint32_t)(uintptr_t)__image_end - 1);
    log("archive   0x%08x-0x%08x (%u bytes)", (uint32_t)(uintptr_t)boot_archive_start,
        (uint32_t)(uintptr_t)boot_archive_end - 1,
        (uint32_t)(boot_archive_end - boot_archive_start));
    log("UART      0x%08x, IRQ %u", platform.uart_base, platform.uart_irq);
    log("GIC       dist 0x%08x cpu 0x%08x hyp 0x%08x vcpu 0x%08x, maintenance IRQ %u",
        platform.gicd_base, platform.gicc_base, platform.gich_base, platform.gicv_base,
        platform.maintenance_irq);
    log("timer     %u Hz, HYP timer IRQ %u, virtual timer IRQ %u", arch_timer_frequency(),
        platform.hyp_timer_irq, platform.virtual_timer_irq);
    log("cores     %u listed (MPIDR of the boot core 0x%x)", platform.cores,
        platform.core_mpidr[0]);
    if (platform.cmdline[0])
        log("bootargs  \"%s\"", platform.cmdline);
}

void arch_boot_image(paddr_t *start, paddr_t *end, const void **archive, uint32_t *archive_size)
{
    *start = pa_make((uint32_t)(uintptr_t)__image_start); /* HYP maps RAM 1:1 */
    *end = pa_make((uint32_t)(uintptr_t)__image_end);
    *archive = boot_archive_start;
    *archive_size = (uint32_t)(boot_archive_end - boot_archive_start);
}

void *arch_phys_to_virt(paddr_t address)
{
    return (void *)(uintptr_t)pa_value(address);
}

/* Idle: the lock is free while the core waits (an IPI or its timer wakes
 * it; a pending interrupt wakes WFI even with interrupts masked). */
void arch_wait_for_interrupt(void)
{
    kernel_unlock();
    wfi();
    kernel_lock(core_self());
    arch_handle_interrupts();
}

void arch_halt(void)
{
    __asm__ volatile("cpsid aif");
    for (;;)
        wfi();
}

/* PSCI SYSTEM_OFF; QEMU's virt machine answers SMC from HYP when it has no
 * EL3 firmware. If nothing answers, halt. */
void arch_system_off(void)
{
    register uint32_t function __asm__("r0") = 0x84000008u;
    __asm__ volatile(".arch_extension sec\n smc #0" : "+r"(function) :: "memory");
    arch_halt();
}
