/* The GICv2 distributor and CPU interfaces, as the kernel's interrupt
 * controller: every SPI goes to core 0, each core takes its own PPIs (its
 * timers, its maintenance interrupt) and SGIs (IPIs), in HYP mode. */
#include "core/gicv2.h"
#include "arch/cp15.h"
#include "arch/guest.h"
#include "arm.h"
#include "log.h"
#include "objects.h"
#include "platform.h"

#define GIC_DEFAULT_PRIORITY 0xa0u

static unsigned interrupt_count;

static volatile uint32_t *gicd(uint32_t offset)
{
    return (volatile uint32_t *)(platform.gicd_base + offset);
}

static volatile uint32_t *gicc(uint32_t offset)
{
    return (volatile uint32_t *)(platform.gicc_base + offset);
}

void gic_init(void)
{
    *gicd(GICD_CTLR) = 0;
    interrupt_count = 32 * (GICD_TYPER_IT_LINES(*gicd(GICD_TYPER)) + 1);
    for (unsigned i = 0; i < interrupt_count; i += 32) {
        *gicd(GICD_ICENABLER + i / 8) = ~0u;
        *gicd(GICD_ICPENDR + i / 8) = ~0u;
    }
    /* Reading an SGI's target register gives the reader's own bit. */
    uint32_t boot_core = *gicd(GICD_ITARGETSR) & 0xffu;
    for (unsigned i = 0; i < interrupt_count; i += 4) {
        uint32_t byte = GIC_DEFAULT_PRIORITY;
        *gicd(GICD_IPRIORITYR + i) = byte | byte << 8 | byte << 16 | byte << 24;
        if (i >= GIC_FIRST_SPI)
            *gicd(GICD_ITARGETSR + i) = boot_core * 0x01010101u;
    }
    *gicd(GICD_CTLR) = GICD_CTLR_ENABLE;
}

/* Each core's own: its CPU interface, its bit for IPIs, the IPI on. The
 * banked registers (SGIs', PPIs' priorities and enables) are the core's. */
void gic_cpu_init(void)
{
    arch_core_self()->gic_mask = (uint8_t)(*gicd(GICD_ITARGETSR) & 0xffu);
    uint32_t byte = GIC_DEFAULT_PRIORITY;
    for (unsigned i = 0; i < GIC_FIRST_SPI; i += 4)
        *gicd(GICD_IPRIORITYR + i) = byte | byte << 8 | byte << 16 | byte << 24;
    gic_enable(ARCH_IPI_SGI);
    *gicc(GICC_PMR) = 0xf0;
    *gicc(GICC_BPR) = 0;
    *gicc(GICC_CTLR) = GICC_CTLR_ENABLE;
}

void gic_enable(unsigned irq)
{
    *gicd(GICD_ISENABLER + (irq / 32) * 4) = 1u << (irq % 32);
}

void gic_disable(unsigned irq)
{
    *gicd(GICD_ICENABLER + (irq / 32) * 4) = 1u << (irq % 32);
}

/* ISR.I: an IRQ is pending at this CPU, masked or not. */
bool arch_interrupt_pending(void)
{
    uint32_t isr;
    __asm__ volatile("mrc p15, 0, %0, c12, c1, 0" : "=r"(isr));
    return isr & (1u << 7);
}

/* User level may own any interrupt but the software-generated ones and the
 * kernel's own timer and maintenance interrupts. */
bool arch_irq_available(uint32_t irq)
{
    return irq >= 16 && irq < interrupt_count && irq != platform.hyp_timer_irq &&
           irq != platform.maintenance_irq;
}

void arch_irq_mask(uint32_t irq)
{
    if (irq < interrupt_count)
        gic_disable(irq);
}

void arch_irq_unmask(uint32_t irq)
{
    if (irq < interrupt_count)
        gic_enable(irq);
}

/* Acknowledge and handle everything pending, then return: the arch's own
 * interrupts here, the rest to the kernel (kernel/include/arch.h). */
void arch_handle_interrupts(void)
{
    for (;;) {
        uint32_t iar = *gicc(GICC_IAR);
        uint32_t irq = iar & GIC_INTERRUPT_ID;
        if (irq == GIC_SPURIOUS)
            return;
        if (irq == ARCH_IPI_SGI)
            ; /* an IPI only brings the core in: the entry's scheduling does the rest */
        else if (irq == platform.hyp_timer_irq)
            timer_handle_irq();
        else if (irq == platform.maintenance_irq)
            gich_handle_maintenance();
        else if (irq != platform.virtual_timer_irq || !gich_handle_vtimer())
            irq_deliver(irq);
        *gicc(GICC_EOIR) = iar;
    }
}
