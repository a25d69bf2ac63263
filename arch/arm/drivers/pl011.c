/* The PL011 UART as the kernel's polled boot console. The loader (QEMU,
 * U-Boot) has already configured line settings; we only transmit. */
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

void arch_console_putc(char c)
{
    while (*(volatile uint32_t *)(uart + UART_FR) & UART_FR_TXFF)
        ;
    *(volatile uint32_t *)(uart + UART_DR) = (uint8_t)c;
}
