/* testkit: a minimal bare-metal guest that measures the hypervisor. It
 * prints through the VMM's emulated PL011, times null hypercalls (an HVC
 * whose function the VMM does not know, answered NOT_SUPPORTED) with the
 * virtual counter, takes its passthrough PL031's match interrupt twice
 * (tests/configs/testkit.dts gives it the RTC and interrupt 34), and powers
 * off through PSCI. */
#include <stdint.h>
#include "guest/baremetal.h"

#define HVC_ROUNDS 1000u

/* The passthrough PL031 (identity-mapped) and its interrupt, SPI 2. */
#define RTC_BASE 0x09010000u
#define RTC_DR   0x00u     /* data: seconds */
#define RTC_MR   0x04u     /* match: interrupt when DR reaches it */
#define RTC_IMSC 0x10u     /* interrupt mask set/clear: 1 = enabled */
#define RTC_ICR  0x1cu     /* interrupt clear */
#define RTC_IRQ  34u
#define RTC_ROUNDS 2u

void testkit_main(void);

static volatile uint32_t *reg32(uint32_t base, uint32_t offset)
{
    return (volatile uint32_t *)(base + offset);
}

static volatile uint8_t *reg8(uint32_t base, uint32_t offset)
{
    return (volatile uint8_t *)(base + offset);
}

/* SPI RTC_IRQ enabled, to CPU 0, in the distributor; the CPU interface
 * on, every priority unmasked. The guest's IRQs stay masked in the CPSR:
 * it polls GICC_IAR and waits with WFI, which a pending interrupt ends. */
static void gic_setup(void)
{
    *reg8(GICD_BASE, GICD_IPRIORITYR + RTC_IRQ) = 0xa0;
    *reg8(GICD_BASE, GICD_ITARGETSR + RTC_IRQ) = 0x01;
    *reg32(GICD_BASE, GICD_ISENABLER + RTC_IRQ / 32 * 4) = 1u << (RTC_IRQ % 32);
    *reg32(GICD_BASE, GICD_CTLR) = GICD_CTLR_ENABLE;
    *reg32(GICC_BASE, GICC_PMR) = 0xff;
    *reg32(GICC_BASE, GICC_CTLR) = GICC_CTLR_ENABLE;
}

/* The next interrupt the CPU interface gives (acknowledged); others than
 * RTC_IRQ are ended and skipped. */
static uint32_t wait_for_rtc_irq(void)
{
    for (;;) {
        uint32_t irq = *reg32(GICC_BASE, GICC_IAR) & GIC_INTERRUPT_ID;
        if (irq == RTC_IRQ)
            return irq;
        if (irq == GIC_SPURIOUS)
            __asm__ volatile("dsb\n wfi" ::: "memory");
        else
            *reg32(GICC_BASE, GICC_EOIR) = irq;
    }
}

/* The RTC's match interrupt one second from now, taken through the GIC:
 * prints how long it took, in ms and in ns (under -icount with the RTC on
 * the virtual clock, the ns past 1,000,000,000 are the delivery's latency:
 * host interrupt, kernel, VMM, injection, guest). */
static void rtc_round(void)
{
    *reg32(RTC_BASE, RTC_ICR) = 1;
    *reg32(RTC_BASE, RTC_MR) = *reg32(RTC_BASE, RTC_DR) + 1;
    uint64_t start = counter();
    *reg32(RTC_BASE, RTC_IMSC) = 1;
    uint32_t irq = wait_for_rtc_irq();
    uint64_t ticks = counter() - start;
    *reg32(RTC_BASE, RTC_IMSC) = 0;
    *reg32(RTC_BASE, RTC_ICR) = 1;     /* the device's line low before the EOI */
    *reg32(GICC_BASE, GICC_EOIR) = irq;
    uint64_t nanoseconds = ticks * 1000000000ull / counter_frequency();
    put_string("testkit: passthrough irq ");
    put_number(irq);
    put_string(" delivered after ");
    put_number((uint32_t)(nanoseconds / 1000000));
    put_string(" ms (");
    put_number(nanoseconds > 0xffffffffu ? 0xffffffffu : (uint32_t)nanoseconds);
    put_string(" ns)\n");
}

void testkit_main(void)
{
    put_string("testkit: ready\n");
    uint32_t failures = 0;
    uint64_t start = counter();
    for (uint32_t i = 0; i < HVC_ROUNDS; i++)
        failures += hvc(NULL_FUNCTION) != PSCI_NOT_SUPPORTED;
    uint64_t ticks = counter() - start;
    /* Nanoseconds per round trip; under -icount shift=0 also instructions. */
    uint32_t nanoseconds = (uint32_t)(ticks * 1000000000ull / counter_frequency() / HVC_ROUNDS);
    put_string("testkit: null hvc rounds ");
    put_number(HVC_ROUNDS);
    put_string(" failures ");
    put_number(failures);
    put_string(" ns-per-round-trip ");
    put_number(nanoseconds);
    put_string("\n");
    /* The second round proves the VMM acked the host interrupt after the EOI. */
    gic_setup();
    for (uint32_t round = 0; round < RTC_ROUNDS; round++)
        rtc_round();
    hvc(PSCI_SYSTEM_OFF);
    put_string("testkit: still running after SYSTEM_OFF\n");
}
