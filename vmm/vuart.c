/* PL011 emulation (TRM DDI 0183): what Linux's amba-pl011 driver and earlycon use.
 * Transmission is instantaneous, so the TX FIFO is always empty and never busy. */
#include "vuart.h"

#include "core/string.h"

/* Register offsets. */
#define UART_DR     0x000u
#define UART_RSR    0x004u   /* read: receive status; write: ECR (error clear) */
#define UART_FR     0x018u
#define UART_ILPR   0x020u
#define UART_IBRD   0x024u
#define UART_FBRD   0x028u
#define UART_LCR_H  0x02cu
#define UART_CR     0x030u
#define UART_IFLS   0x034u
#define UART_IMSC   0x038u
#define UART_RIS    0x03cu
#define UART_MIS    0x040u
#define UART_ICR    0x044u
#define UART_DMACR  0x048u
#define UART_ID_FIRST 0xfe0u  /* UARTPeriphID0..3, UARTPCellID0..3 */

/* Flag register. */
#define FR_CTS  (1u << 0)
#define FR_DSR  (1u << 1)
#define FR_DCD  (1u << 2)
#define FR_RXFE (1u << 4)
#define FR_RXFF (1u << 6)
#define FR_TXFE (1u << 7)
/* A console is always attached: report its modem inputs asserted, so a tty
 * opened without CLOCAL sees carrier and hardware flow control never stalls. */
#define FR_MODEM_PRESENT (FR_CTS | FR_DSR | FR_DCD)

/* Interrupt bits (IMSC, RIS, MIS, ICR). */
#define INT_RX  (1u << 4)
#define INT_TX  (1u << 5)
#define INT_RT  (1u << 6)
#define INT_ALL 0x7ffu

#define LCR_H_FEN (1u << 4)

/* Writable bits and reset values. */
#define ILPR_MASK  0xffu
#define IBRD_MASK  0xffffu
#define FBRD_MASK  0x3fu
#define LCR_H_MASK 0xffu
#define CR_MASK    0xff87u   /* bits 3-6 are reserved */
#define IFLS_MASK  0x3fu
#define DMACR_MASK 0x7u
#define CR_RESET   0x0300u   /* TXE | RXE, UART disabled */
#define IFLS_RESET 0x12u     /* both FIFO levels at half */

/* PrimeCell identification: part 0x011 (PL011), designer 0x41 (ARM), revision 1
 * (periph id 0x00141011, which amba-pl011 matches as 0x00041011 under mask
 * 0x000fffff, as QEMU's does), then the cell id 0xb105f00d. */
static const uint8_t id_registers[8] = { 0x11, 0x10, 0x14, 0x00, 0x0d, 0xf0, 0x05, 0xb1 };

/* --- interrupt line ----------------------------------------------------- */

/* RX and receive-timeout follow the FIFO: with data waiting, Linux must come
 * and read it, whatever ICR says (a timeout would fire again at once). */
static uint32_t raw_interrupts(const struct vuart *uart)
{
    uint32_t status = uart->tx_interrupt ? INT_TX : 0;

    if (uart->rx_count > 0)
        status |= INT_RX | INT_RT;
    return status;
}

static void update_irq(struct vuart *uart)
{
    bool level = (raw_interrupts(uart) & uart->imsc) != 0;

    if (level != uart->irq_level) {
        uart->irq_level = level;
        uart->ops.set_irq(uart->ops.context, level);
    }
}

/* --- output ------------------------------------------------------------- */

void vuart_flush(struct vuart *uart)
{
    if (uart->output_length == 0)
        return;
    uart->ops.output(uart->ops.context, uart->output, uart->output_length);
    uart->output_length = 0;
}

static void append_output(struct vuart *uart, char c)
{
    uart->output[uart->output_length++] = c;
    if (uart->output_length == VUART_OUTPUT_SIZE)
        vuart_flush(uart);
}

/* The prefix goes in front of a line's first byte, not after its '\n', so the
 * console never shows a prefix for a line that has not started. */
static void transmit(struct vuart *uart, char c)
{
    if (uart->at_line_start) {
        for (size_t i = 0; i < uart->prefix_length; i++)
            append_output(uart, uart->prefix[i]);
        uart->at_line_start = false;
    }
    append_output(uart, c);
    if (c == '\n') {
        uart->at_line_start = true;
        vuart_flush(uart);
    }
    /* The byte left the FIFO at once: it drained through the trigger level. */
    uart->tx_interrupt = true;
    update_irq(uart);
}

/* --- receive FIFO ------------------------------------------------------- */

/* With FIFOs disabled (LCR_H.FEN clear) the PL011 holds one character. Bytes
 * already queued when FEN is cleared stay until the guest reads them. */
static size_t rx_capacity(const struct vuart *uart)
{
    return (uart->lcr_h & LCR_H_FEN) ? VUART_RX_FIFO : 1;
}

size_t vuart_receive_space(const struct vuart *uart)
{
    size_t capacity = rx_capacity(uart);
    return uart->rx_count < capacity ? capacity - uart->rx_count : 0;
}

size_t vuart_receive(struct vuart *uart, const char *bytes, size_t length)
{
    size_t accepted = vuart_receive_space(uart);

    if (accepted > length)
        accepted = length;
    for (size_t i = 0; i < accepted; i++) {
        uart->rx_fifo[(uart->rx_first + uart->rx_count) % VUART_RX_FIFO] = (uint8_t)bytes[i];
        uart->rx_count++;
    }
    update_irq(uart);
    return accepted;
}

/* DR read: the oldest byte with no error bits, or 0 when empty. */
static uint32_t pop_rx(struct vuart *uart)
{
    uint32_t byte;

    if (uart->rx_count == 0)
        return 0;
    byte = uart->rx_fifo[uart->rx_first];
    uart->rx_first = (uart->rx_first + 1) % VUART_RX_FIFO;
    uart->rx_count--;
    update_irq(uart);
    return byte;
}

/* --- registers ---------------------------------------------------------- */

static uint32_t flags(const struct vuart *uart)
{
    uint32_t value = FR_MODEM_PRESENT | FR_TXFE;

    if (uart->rx_count == 0)
        value |= FR_RXFE;
    if (vuart_receive_space(uart) == 0)
        value |= FR_RXFF;
    return value;
}

static uint32_t read_register(struct vuart *uart, uint32_t offset)
{
    switch (offset) {
    case UART_DR:    return pop_rx(uart);
    case UART_RSR:   return 0;   /* no framing, parity, break or overrun errors */
    case UART_FR:    return flags(uart);
    case UART_ILPR:  return uart->ilpr;
    case UART_IBRD:  return uart->ibrd;
    case UART_FBRD:  return uart->fbrd;
    case UART_LCR_H: return uart->lcr_h;
    case UART_CR:    return uart->cr;
    case UART_IFLS:  return uart->ifls;
    case UART_IMSC:  return uart->imsc;
    case UART_RIS:   return raw_interrupts(uart);
    case UART_MIS:   return raw_interrupts(uart) & uart->imsc;
    case UART_DMACR: return uart->dmacr;
    default:
        if (offset >= UART_ID_FIRST)
            return id_registers[(offset - UART_ID_FIRST) / 4];
        return 0;   /* ICR is write-only; the rest is reserved */
    }
}

static void write_register(struct vuart *uart, uint32_t offset, uint32_t value)
{
    switch (offset) {
    case UART_ILPR:  uart->ilpr = value & ILPR_MASK; break;
    case UART_IBRD:  uart->ibrd = value & IBRD_MASK; break;
    case UART_FBRD:  uart->fbrd = value & FBRD_MASK; break;
    case UART_LCR_H: uart->lcr_h = value & LCR_H_MASK; break;
    case UART_CR:    uart->cr = value & CR_MASK; break;
    case UART_IFLS:  uart->ifls = value & IFLS_MASK; break;
    case UART_IMSC:  uart->imsc = value & INT_ALL; break;
    case UART_ICR:
        if (value & INT_TX)
            uart->tx_interrupt = false;
        break;
    case UART_DMACR: uart->dmacr = value & DMACR_MASK; break;
    default:
        break;   /* ECR (nothing to clear), FR, RIS, MIS, IDs: read-only */
    }
    update_irq(uart);
}

static bool access_allowed(uint32_t offset, uint32_t size)
{
    return (size == 1 || size == 2 || size == 4) && offset % 4 == 0 && offset < VUART_SIZE;
}

static uint32_t size_mask(uint32_t size)
{
    return size == 4 ? 0xffffffffu : (1u << (8 * size)) - 1;
}

/* --- interface ---------------------------------------------------------- */

void vuart_init(struct vuart *uart, const char *name, const struct vuart_ops *ops)
{
    size_t name_length = name != NULL ? core_strnlen(name, VUART_NAME_MAX) : 0;

    *uart = (struct vuart){ .ops = *ops, .at_line_start = true, .cr = CR_RESET,
                            .ifls = IFLS_RESET };
    if (name_length > 0) {
        uart->prefix[0] = '[';
        for (size_t i = 0; i < name_length; i++)
            uart->prefix[1 + i] = name[i];
        uart->prefix[1 + name_length] = ']';
        uart->prefix[2 + name_length] = ' ';
        uart->prefix_length = name_length + 3;
    }
}

bool vuart_read(struct vuart *uart, uint32_t offset, uint32_t size, uint32_t *value)
{
    if (!access_allowed(offset, size))
        return false;
    *value = read_register(uart, offset) & size_mask(size);
    return true;
}

/* The transmitter runs whatever CR says, as QEMU's does: output is never lost
 * to a guest that prints before enabling the UART. */
bool vuart_write(struct vuart *uart, uint32_t offset, uint32_t size, uint32_t value)
{
    if (!access_allowed(offset, size))
        return false;
    value &= size_mask(size);
    if (offset == UART_DR) {
        transmit(uart, (char)(value & 0xffu));
        return true;
    }
    /* Linux ends each burst of tty output with an IMSC write (stop_tx), so
     * flushing here shows a prompt that has no newline yet. */
    vuart_flush(uart);
    write_register(uart, offset, value);
    return true;
}
