/* The PL011 UART as the kernel's polled boot console. The loader (QEMU,
 * U-Boot) has already configured line settings; we only transmit. */
#include <stdbool.h>
#include <stdint.h>
#include "arm.h"
#include "plat/qemu-virt/platform.h"

#define UART_DR 0x00
#define UART_FR 0x18
#define UART_FR_TXFF (1u << 5)

static volatile uint8_t *uart = (volatile uint8_t *)PLATFORM_FALLBACK_UART;

void pl011_init(uint32_t base)
{
    uart = (volatile uint8_t *)base;
}

bool arch_console_try_putc(char c)
{
    if (*(volatile uint32_t *)(uart + UART_FR) & UART_FR_TXFF)
        return false;
    *(volatile uint32_t *)(uart + UART_DR) = (uint8_t)c;
    return true;
}

void arch_console_putc(char c)
{
    while (!arch_console_try_putc(c))
        ;
}
