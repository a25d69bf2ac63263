/* The VMM's model of an Arm PL011 UART: guest output goes to the console with a
 * "[name] " prefix on every line, console input fills the receive FIFO. */
#ifndef VMM_VUART_H
#define VMM_VUART_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define VUART_SIZE        0x1000u
#define VUART_RX_FIFO     64     /* receive FIFO bytes when LCR_H.FEN is set (else 1) */
#define VUART_OUTPUT_SIZE 256    /* output buffered before handing it to output() */
#define VUART_NAME_MAX    16     /* longer names are cut */

struct vuart_ops {
    void *context;
    void (*output)(void *context, const char *text, size_t length); /* to the console */
    void (*set_irq)(void *context, bool level); /* the UART's interrupt line; called on changes only */
};

struct vuart {
    struct vuart_ops ops;
    char prefix[VUART_NAME_MAX + 3];   /* "[name] ", not NUL-terminated */
    size_t prefix_length;
    bool at_line_start;                /* the next output byte starts a line */
    char output[VUART_OUTPUT_SIZE];
    size_t output_length;
    uint8_t rx_fifo[VUART_RX_FIFO];
    size_t rx_first;                   /* index of the oldest byte */
    size_t rx_count;
    bool tx_interrupt;                 /* RIS.TXRIS: set by each transmitted byte, cleared by ICR */
    bool irq_level;                    /* what set_irq last said (false at reset) */
    uint32_t ilpr, ibrd, fbrd, lcr_h, cr, ifls, imsc, dmacr;
};

/* Reset state (CR = TXE|RXE, IFLS = 0x12, all else 0). name may be NULL or
 * empty for no prefix. The interrupt line starts low; set_irq is not called. */
void vuart_init(struct vuart *uart, const char *name, const struct vuart_ops *ops);

/* Guest MMIO at `offset` in the 4 KiB block, size 1, 2 or 4 bytes (Linux uses
 * 16-bit accesses, earlycon byte writes to DR). false: bad size, an offset that
 * is not 4-byte aligned, or past the block. Reserved offsets are RAZ/WI; a
 * narrow access sees the low bytes of the register. Every accepted write to a
 * register other than DR first flushes buffered output. */
bool vuart_read(struct vuart *uart, uint32_t offset, uint32_t size, uint32_t *value);
bool vuart_write(struct vuart *uart, uint32_t offset, uint32_t size, uint32_t value);

/* Console input into the receive FIFO; returns how many bytes were taken (the
 * caller keeps the rest and offers them again once the guest has read some). */
size_t vuart_receive(struct vuart *uart, const char *bytes, size_t length);
size_t vuart_receive_space(const struct vuart *uart);

/* Hands buffered output to output() now. */
void vuart_flush(struct vuart *uart);

#endif
