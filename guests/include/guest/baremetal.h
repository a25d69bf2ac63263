/* What every bare-metal test guest (guests/testkit, probe, hostile) needs:
 * the VMM's virtual platform addresses, the GICv2 registers, the PSCI/SMCCC numbers they call,
 * console output and the generic counter. Header-only, so a guest's build
 * gains no object file. */
#ifndef GUEST_BAREMETAL_H
#define GUEST_BAREMETAL_H

#include <stdint.h>
#include "core/gicv2.h"
#include "vmm_boot.h"

/* The VMM's virtual platform (lib/vmm_boot.h): its emulated PL011's data
 * register, its distributor and the GIC's virtual CPU interface. */
#define UART_DR ((volatile uint32_t *)GUEST_UART_BASE)
#define GICD_BASE GUEST_GICD_BASE
#define GICC_BASE GUEST_GICC_BASE

#define PSCI_SYSTEM_OFF 0x84000008u
#define PSCI_NOT_SUPPORTED 0xffffffffu
#define NULL_FUNCTION 0x86000000u     /* a vendor-range SMCCC call nobody implements */

/* No flag polling: the VMM's emulated PL011 takes every write. */
static inline void put_string(const char *text)
{
    while (*text)
        *UART_DR = (uint32_t)*text++;
}

static inline void put_hex(uint32_t value)
{
    put_string("0x");
    for (int shift = 28; shift >= 0; shift -= 4)
        *UART_DR = (uint32_t)"0123456789abcdef"[(value >> shift) & 0xfu];
}

static inline void put_number(uint32_t value)
{
    char digits[11];
    int count = 0;
    do {
        digits[count++] = (char)('0' + value % 10);
        value /= 10;
    } while (value);
    while (count)
        *UART_DR = (uint32_t)digits[--count];
}

/* An SMCCC call with no arguments; r1-r3 may come back changed. */
static inline uint32_t hvc(uint32_t function)
{
    register uint32_t r0 __asm__("r0") = function;
    __asm__ volatile(".arch_extension virt\n hvc #0" : "+r"(r0) :: "r1", "r2", "r3", "memory");
    return r0;
}

/* The virtual count (CNTVCT); the ISB keeps it from being read early. */
static inline uint64_t counter(void)
{
    uint32_t low, high;
    __asm__ volatile("isb\n mrrc p15, 1, %0, %1, c14" : "=r"(low), "=r"(high));
    return (uint64_t)high << 32 | low;
}

static inline uint32_t counter_frequency(void)
{
    uint32_t frequency;
    __asm__ volatile("mrc p15, 0, %0, c14, c0, 0" : "=r"(frequency));
    return frequency;
}

#endif
