/* The GICv2 distributor and CPU interface, as the kernel's interrupt
 * controller: one CPU, all interrupts to it, acknowledged in HYP mode. */
#include "arch/cp15.h"
#include "arch/guest.h"
#include "arm.h"
#include "log.h"
#include "objects.h"
#include "platform.h"

#define GICD_CTLR        0x000
#define GICD_TYPER       0x004
#define GICD_ISENABLER   0x100
#define GICD_ICENABLER   0x180
#define GICD_ICPENDR     0x280
#define GICD_IPRIORITYR  0x400
#define GICD_ITARGETSR   0x800
#define GICD_ICFGR       0xc00

#define GICC_CTLR        0x00
#define GICC_PMR         0x04
#define GICC_BPR         0x08
#define GICC_IAR         0x0c
#define GICC_EOIR        0x10
#define GICC_DIR         0x1000

#define GIC_SPURIOUS     1023u
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
    interrupt_count = 32 * ((*gicd(GICD_TYPER) & 0x1f) + 1);
    for (unsigned i = 0; i < interrupt_count; i += 32) {
        *gicd(GICD_ICENABLER + i / 8) = ~0u;
        *gicd(GICD_ICPENDR + i / 8) = ~0u;
    }
    for (unsigned i = 0; i < interrupt_count; i += 4) {
        uint32_t byte = GIC_DEFAULT_PRIORITY;
        *gicd(GICD_IPRIORITYR + i) = byte | byte << 8 | byte << 16 | byte << 24;
        if (i >= 32)
            *gicd(GICD_ITARGETSR + i) = 0x01010101u; /* SPIs to CPU 0 */
    }
    *gicd(GICD_CTLR) = 1;
    *gicc(GICC_PMR) = 0xf0;
    *gicc(GICC_BPR) = 0;
    *gicc(GICC_CTLR) = 1;
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

/* Acknowledge and handle everything pending, then return. */
void gic_handle_pending(void)
{
    for (;;) {
        uint32_t iar = *gicc(GICC_IAR);
        uint32_t irq = iar & 0x3ff;
        if (irq == GIC_SPURIOUS)
            return;
        if (irq == platform.hyp_timer_irq)
            timer_handle_irq();
        else if (irq == platform.maintenance_irq)
            vgic_handle_maintenance();
        else if (irq != platform.virtual_timer_irq || !vgic_handle_vtimer())
            irq_deliver(irq);
        *gicc(GICC_EOIR) = iar;
    }
}
