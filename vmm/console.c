/* The VM's console: its UART output goes out line by line through the
 * kernel's debug write (so lines from different components never mix), and
 * input comes from the physical PL011, mapped into the VMM, on its RX IRQ. */
#include "vmm/vmm.h"

#define UART_DR    0x00
#define UART_FR    0x18
#define UART_IMSC  0x38
#define UART_ICR   0x44
#define UART_FR_RXFE (1u << 4)
#define UART_RX_INTERRUPTS ((1u << 4) | (1u << 6))   /* RX and receive timeout */

static volatile uint32_t *uart(uint32_t offset)
{
    return (volatile uint32_t *)(uintptr_t)(VMM_UART_ADDRESS + offset);
}

static bool have_input(const struct vm *vm)
{
    return vm->info->uart_irq != 0;
}

void console_init(struct vm *vm)
{
    if (!have_input(vm))
        return;
    *uart(UART_IMSC) |= UART_RX_INTERRUPTS;
}

void console_output(void *context, const char *text, size_t length)
{
    (void)context;
    opal_debug_write(text, (uint32_t)length);
}

/* Move what the UART holds into the guest's UART while it has room. What
 * does not fit stays in the hardware FIFO with the RX interrupt masked at
 * the UART (QEMU then holds back further input), until the guest has read
 * some (console_resume): nothing typed is lost, and the VMM never spins. */
void console_input(struct vm *vm)
{
    /* Clear first, then drain: a byte arriving after the clear raises the
     * interrupt again, where clearing after the drain could swallow it. */
    *uart(UART_ICR) = UART_RX_INTERRUPTS;
    while (!(*uart(UART_FR) & UART_FR_RXFE) && vuart_receive_space(&vm->uart) > 0) {
        char c = (char)(*uart(UART_DR) & 0xff);
        vuart_receive(&vm->uart, &c, 1);
    }
    vm->input_blocked = !(*uart(UART_FR) & UART_FR_RXFE);
    if (vm->input_blocked)
        *uart(UART_IMSC) &= ~UART_RX_INTERRUPTS;
    opal_irq_handler_ack(VMM_CAP_UART_IRQ);
}

void console_resume(struct vm *vm)
{
    if (!vm->input_blocked || vuart_receive_space(&vm->uart) == 0)
        return;
    console_input(vm);
    if (!vm->input_blocked)
        *uart(UART_IMSC) |= UART_RX_INTERRUPTS;
}
