/* The PL011 model (vmm/vuart.c): ID and reset values, line prefixes and when
 * output is flushed, the receive FIFO, interrupt line changes, Linux's driver paths. */
#define UNIT_SUITE "vuart"
#include "unit.h"

#include "vmm/vuart.h"

#define DR     0x000u
#define RSR    0x004u
#define FR     0x018u
#define ILPR   0x020u
#define IBRD   0x024u
#define FBRD   0x028u
#define LCR_H  0x02cu
#define CR     0x030u
#define IFLS   0x034u
#define IMSC   0x038u
#define RIS    0x03cu
#define MIS    0x040u
#define ICR    0x044u
#define DMACR  0x048u

#define FR_CTS  (1u << 0)
#define FR_DSR  (1u << 1)
#define FR_DCD  (1u << 2)
#define FR_BUSY (1u << 3)
#define FR_RXFE (1u << 4)
#define FR_TXFF (1u << 5)
#define FR_RXFF (1u << 6)
#define FR_TXFE (1u << 7)
#define INT_RX  (1u << 4)
#define INT_TX  (1u << 5)
#define INT_RT  (1u << 6)
#define LCR_H_FEN (1u << 4)

/* The console and the interrupt line as the tests see them. */
struct console {
    char text[8192];
    size_t length;
    int output_calls;
    size_t largest_output;
    bool level;
    int irq_changes;
    int irq_redundant;     /* set_irq calls that did not change the level */
};

static struct console console;
static struct vuart uart;

static void fake_output(void *context, const char *text, size_t length)
{
    struct console *c = context;

    if (c->length + length < sizeof c->text) {
        memcpy(c->text + c->length, text, length);
        c->length += length;
        c->text[c->length] = '\0';
    }
    c->output_calls++;
    if (length > c->largest_output)
        c->largest_output = length;
}

static void fake_set_irq(void *context, bool level)
{
    struct console *c = context;

    if (level == c->level)
        c->irq_redundant++;
    c->level = level;
    c->irq_changes++;
}

static void reset_named(const char *name)
{
    static const struct vuart_ops ops = { &console, fake_output, fake_set_irq };

    memset(&console, 0, sizeof console);
    vuart_init(&uart, name, &ops);
}

static void reset(void)
{
    reset_named("vm");
}

static uint32_t rd(uint32_t offset)
{
    uint32_t value = 0xdeadbeefu;

    if (!vuart_read(&uart, offset, 4, &value))
        return 0xbad0bad0u;
    return value;
}

/* Linux's amba-pl011 uses 16-bit accesses (UPIO_MEM). */
static uint32_t rd16(uint32_t offset)
{
    uint32_t value = 0xdeadbeefu;

    if (!vuart_read(&uart, offset, 2, &value))
        return 0xbad0bad0u;
    return value;
}

static bool wr(uint32_t offset, uint32_t value)
{
    return vuart_write(&uart, offset, 2, value);
}

static void put_string(const char *text)
{
    for (; *text != '\0'; text++)
        wr(DR, (uint8_t)*text);
}

static size_t receive_string(const char *text)
{
    return vuart_receive(&uart, text, strlen(text));
}

/* What pl011_set_termios leaves behind: 115200 8N1 with FIFOs on. */
static void linux_set_termios(void)
{
    wr(CR, 0);
    wr(IBRD, 13);
    wr(FBRD, 1);
    wr(LCR_H, 0x60 | LCR_H_FEN);
    wr(CR, 0x0301);
}

/* pl011_startup then pl011_enable_interrupts (Linux 6.1). */
static void linux_startup(void)
{
    wr(ICR, 0x7f0 & ~INT_TX);                  /* OE|BE|PE|FE|RT|RX */
    uint32_t saved = rd16(IMSC);
    wr(IMSC, INT_RT | INT_RX);
    wr(IMSC, saved);                           /* pl011_allocate_irq */
    wr(IFLS, 0x12);
    uint32_t cr = rd16(CR) & ((1u << 11) | (1u << 10));
    wr(CR, cr | 0x301);
    wr(ICR, INT_RT | INT_RX);
    for (int i = 0; i < 32 && !(rd16(FR) & FR_RXFE); i++)
        rd16(DR);
    wr(IMSC, INT_RT | INT_RX);
}

/* --- identification and reset ------------------------------------------- */

TEST(primecell_id_registers)
{
    static const uint32_t expected[8] = { 0x11, 0x10, 0x14, 0x00, 0x0d, 0xf0, 0x05, 0xb1 };
    uint32_t periph = 0, cell = 0;

    reset();
    for (uint32_t i = 0; i < 8; i++)
        CHECKF(rd(0xfe0 + 4 * i) == expected[i], "id register 0x%x", 0xfe0 + 4 * i);
    /* As drivers/amba/bus.c assembles them. */
    for (uint32_t i = 0; i < 4; i++) {
        periph |= (rd(0xfe0 + 4 * i) & 0xff) << (8 * i);
        cell |= (rd(0xff0 + 4 * i) & 0xff) << (8 * i);
    }
    CHECK_EQ(periph & 0x000fffffu, 0x00041011u); /* amba-pl011's id table entry and mask */
    CHECK_EQ(periph >> 20, 1);                  /* revision 1: Linux assumes a 16-byte FIFO */
    CHECK_EQ(cell, 0xb105f00du);
    CHECK(wr(0xfe0, 0));                       /* read-only */
    CHECK_EQ(rd(0xfe0), 0x11);
}

TEST(reset_values)
{
    reset();
    CHECK_EQ(rd(FR), FR_TXFE | FR_RXFE | FR_CTS | FR_DSR | FR_DCD);
    CHECK_EQ(rd(CR), 0x0300);
    CHECK_EQ(rd(IFLS), 0x12);
    CHECK_EQ(rd(LCR_H), 0);
    CHECK_EQ(rd(IBRD), 0);
    CHECK_EQ(rd(FBRD), 0);
    CHECK_EQ(rd(IMSC), 0);
    CHECK_EQ(rd(RIS), 0);
    CHECK_EQ(rd(MIS), 0);
    CHECK_EQ(rd(RSR), 0);
    CHECK_EQ(rd(DMACR), 0);
    CHECK_EQ(console.irq_changes, 0);
    CHECK_EQ(console.output_calls, 0);
    CHECK_EQ(vuart_receive_space(&uart), 1);   /* FIFOs off: one holding register */
}

TEST(registers_keep_their_implemented_bits)
{
    reset();
    wr(IBRD, 0xffff);
    CHECK_EQ(rd(IBRD), 0xffff);
    vuart_write(&uart, IBRD, 4, 0x12345678u);
    CHECK_EQ(rd(IBRD), 0x5678);
    wr(FBRD, 0xffff);
    CHECK_EQ(rd(FBRD), 0x3f);
    wr(LCR_H, 0xffff);
    CHECK_EQ(rd(LCR_H), 0xff);
    wr(CR, 0xffff);
    CHECK_EQ(rd(CR), 0xff87);
    wr(IFLS, 0xffff);
    CHECK_EQ(rd(IFLS), 0x3f);
    wr(IMSC, 0xffff);
    CHECK_EQ(rd(IMSC), 0x7ff);
    wr(DMACR, 0xffff);
    CHECK_EQ(rd(DMACR), 0x7);
    wr(ILPR, 0xffff);
    CHECK_EQ(rd(ILPR), 0xff);
    wr(FR, 0);                                 /* read-only */
    CHECK(rd(FR) & FR_TXFE);
    CHECK_EQ(rd(ICR), 0);                      /* write-only */
    CHECK(wr(0x008, 0xffff));                  /* reserved: RAZ/WI */
    CHECK_EQ(rd(0x008), 0);
    CHECK(wr(0x100, 0xffff));
    CHECK_EQ(rd(0x100), 0);
}

TEST(bad_sizes_and_offsets_rejected)
{
    uint32_t value;

    reset();
    CHECK(!vuart_read(&uart, FR, 3, &value));
    CHECK(!vuart_read(&uart, FR, 8, &value));
    CHECK(!vuart_read(&uart, FR, 0, &value));
    CHECK(!vuart_read(&uart, FR + 2, 2, &value));  /* not the start of a register */
    CHECK(!vuart_write(&uart, DR + 1, 1, 'x'));
    CHECK(!vuart_read(&uart, 0x1000, 4, &value));
    CHECK(!vuart_write(&uart, 0xfffffffcu, 4, 0));
    /* Narrow accesses see the low bytes. */
    CHECK(vuart_read(&uart, CR, 1, &value));
    CHECK_EQ(value, 0x00);
    CHECK(vuart_read(&uart, CR, 2, &value));
    CHECK_EQ(value, 0x300);
    CHECK(vuart_read(&uart, 0xfe8, 1, &value));
    CHECK_EQ(value, 0x14);
    /* Nothing was transmitted by the rejected DR write. */
    vuart_flush(&uart);
    CHECK_EQ(console.output_calls, 0);
    CHECK(!(rd(RIS) & INT_TX));
}

/* --- output ------------------------------------------------------------- */

TEST(every_line_gets_the_prefix)
{
    reset();
    put_string("hello\r\nworld\r\n");
    CHECK_STR(console.text, "[vm] hello\r\n[vm] world\r\n");
    CHECK_EQ(console.output_calls, 2);         /* one per newline */
    put_string("\n\n");
    CHECK_STR(console.text, "[vm] hello\r\n[vm] world\r\n[vm] \n[vm] \n");
}

TEST(output_waits_for_a_trigger)
{
    reset();
    put_string("abc");
    CHECK_EQ(console.output_calls, 0);
    rd(FR);                                    /* reads never flush */
    rd(IMSC);
    CHECK_EQ(console.output_calls, 0);
    vuart_flush(&uart);
    CHECK_STR(console.text, "[vm] abc");
    CHECK_EQ(console.output_calls, 1);
    vuart_flush(&uart);                        /* nothing buffered: no call */
    CHECK_EQ(console.output_calls, 1);
}

TEST(a_line_split_across_flushes_keeps_one_prefix)
{
    reset();
    put_string("abc");
    wr(IMSC, 0);                               /* Linux's stop_tx ends the burst */
    CHECK_STR(console.text, "[vm] abc");
    put_string("def");
    wr(CR, 0x301);
    put_string("ghi\r\nnext");
    CHECK_STR(console.text, "[vm] abcdefghi\r\n");
    vuart_flush(&uart);
    CHECK_STR(console.text, "[vm] abcdefghi\r\n[vm] next");
}

TEST(any_non_dr_write_flushes)
{
    static const uint32_t offsets[] = { RSR, FR, ILPR, IBRD, FBRD, LCR_H, CR, IFLS, IMSC,
                                        RIS, MIS, ICR, DMACR, 0x00c, 0xfe0 };

    reset();
    for (size_t i = 0; i < sizeof offsets / sizeof offsets[0]; i++) {
        int before = console.output_calls;
        wr(DR, 'x');
        uint32_t value = rd(offsets[i]);
        CHECKF(console.output_calls == before, "read of 0x%x flushed", offsets[i]);
        vuart_write(&uart, offsets[i], 4, value);
        CHECKF(console.output_calls == before + 1, "write to 0x%x did not flush", offsets[i]);
    }
    CHECK_EQ(console.length, 5 + sizeof offsets / sizeof offsets[0]);
    /* A rejected write is not a register write: no flush. */
    wr(DR, 'y');
    int before = console.output_calls;
    CHECK(!vuart_write(&uart, CR, 3, 0));
    CHECK_EQ(console.output_calls, before);
}

TEST(full_buffer_is_handed_over_and_nothing_dropped)
{
    char expected[1200];
    size_t n = 0;

    reset();
    n += (size_t)sprintf(expected, "[vm] ");
    for (int i = 0; i < 1000; i++) {
        char c = (char)('a' + i % 26);
        wr(DR, (uint8_t)c);
        expected[n++] = c;
    }
    expected[n] = '\0';
    CHECK(console.output_calls >= 3);
    CHECK_EQ(console.largest_output, VUART_OUTPUT_SIZE);
    vuart_flush(&uart);
    CHECK_EQ(console.length, n);
    CHECK_STR(console.text, expected);
}

TEST(prefix_straddling_a_full_buffer)
{
    char expected[600];
    size_t n = 0;

    reset();
    /* Fill to two bytes short of full, then a newline and a new line: the
     * prefix of the second line spans the flush point. */
    n += (size_t)sprintf(expected, "[vm] ");
    for (size_t i = 0; i < VUART_OUTPUT_SIZE - 5 - 2; i++) {
        wr(DR, 'a');
        expected[n++] = 'a';
    }
    put_string("\n0123");
    n += (size_t)sprintf(expected + n, "\n[vm] 0123");
    vuart_flush(&uart);
    CHECK_STR(console.text, expected);
}

TEST(output_bytes_are_exact)
{
    reset();
    wr(DR, 0x1b);
    wr(DR, 0xff);
    wr(DR, 0x100 | 'z');                       /* only bits 7:0 are data */
    wr(DR, 0);
    vuart_flush(&uart);
    CHECK_EQ(console.length, 5 + 4);
    CHECK_EQ((uint8_t)console.text[5], 0x1b);
    CHECK_EQ((uint8_t)console.text[6], 0xff);
    CHECK_EQ(console.text[7], 'z');
    CHECK_EQ(console.text[8], 0);
}

TEST(names_empty_and_long)
{
    reset_named(NULL);
    put_string("plain\n");
    CHECK_STR(console.text, "plain\n");
    reset_named("");
    put_string("plain\n");
    CHECK_STR(console.text, "plain\n");
    reset_named("a-very-long-virtual-machine-name");
    put_string("x\n");
    CHECK_STR(console.text, "[a-very-long-virt] x\n");
}

TEST(transmitter_never_full_or_busy)
{
    reset();
    linux_set_termios();
    for (int i = 0; i < 200; i++) {
        CHECK_EQ(rd16(FR) & (FR_TXFF | FR_BUSY), 0);
        wr(DR, 'q');
    }
    CHECK(rd16(FR) & FR_TXFE);
}

/* --- receive ------------------------------------------------------------ */

TEST(receive_fifo_order_and_flags)
{
    reset();
    linux_set_termios();
    CHECK_EQ(vuart_receive_space(&uart), VUART_RX_FIFO);
    CHECK_EQ(receive_string("abc"), 3);
    CHECK_EQ(rd16(FR) & (FR_RXFE | FR_RXFF), 0);
    CHECK_EQ(vuart_receive_space(&uart), VUART_RX_FIFO - 3);
    CHECK_EQ(rd16(DR), 'a');
    CHECK_EQ(rd16(DR), 'b');
    CHECK_EQ(rd16(DR), 'c');
    CHECK(rd16(FR) & FR_RXFE);
    CHECK_EQ(rd16(DR), 0);                     /* empty */
    /* Wrap around the ring a few times. */
    for (int round = 0; round < 5; round++) {
        char text[41];
        for (int i = 0; i < 40; i++)
            text[i] = (char)('A' + (round * 40 + i) % 50);
        text[40] = '\0';
        CHECK_EQ(receive_string(text), 40);
        for (int i = 0; i < 40; i++)
            CHECKF(rd16(DR) == (uint8_t)text[i], "round %d byte %d", round, i);
    }
    CHECK(rd16(FR) & FR_RXFE);
}

TEST(receive_fifo_full_takes_what_fits)
{
    char input[100];

    reset();
    linux_set_termios();
    for (int i = 0; i < 100; i++)
        input[i] = (char)i;
    CHECK_EQ(vuart_receive(&uart, input, 100), VUART_RX_FIFO);
    CHECK_EQ(vuart_receive_space(&uart), 0);
    CHECK(rd16(FR) & FR_RXFF);
    CHECK_EQ(vuart_receive(&uart, input + VUART_RX_FIFO, 100 - VUART_RX_FIFO), 0);
    CHECK_EQ(rd16(DR), 0);                     /* byte 0 */
    CHECK(!(rd16(FR) & FR_RXFF));
    CHECK_EQ(vuart_receive_space(&uart), 1);
    CHECK_EQ(vuart_receive(&uart, input + VUART_RX_FIFO, 100 - VUART_RX_FIFO), 1);
    for (int i = 1; i <= VUART_RX_FIFO; i++)
        CHECKF(rd16(DR) == (uint32_t)i, "byte %d", i);
    CHECK(rd16(FR) & FR_RXFE);
    CHECK_EQ(rd16(RSR), 0);                    /* never an overrun */
}

TEST(fifo_disabled_holds_one_character)
{
    reset();
    CHECK_EQ(receive_string("xy"), 1);
    CHECK(rd16(FR) & FR_RXFF);
    CHECK_EQ(vuart_receive_space(&uart), 0);
    wr(LCR_H, LCR_H_FEN);
    CHECK_EQ(receive_string("y"), 1);
    wr(LCR_H, 0);                              /* queued bytes stay readable */
    CHECK(rd16(FR) & FR_RXFF);
    CHECK_EQ(rd16(DR), 'x');
    CHECK_EQ(rd16(DR), 'y');
    CHECK(rd16(FR) & FR_RXFE);
    CHECK_EQ(vuart_receive_space(&uart), 1);
}

/* --- interrupts --------------------------------------------------------- */

TEST(receive_interrupt_follows_the_fifo)
{
    reset();
    linux_set_termios();
    linux_startup();
    CHECK_EQ(console.irq_changes, 0);
    receive_string("ls\n");
    CHECK(console.level);
    CHECK_EQ(console.irq_changes, 1);
    CHECK_EQ(rd16(RIS), INT_RX | INT_RT);
    CHECK_EQ(rd16(MIS), INT_RX | INT_RT);
    receive_string("more");                    /* already high: no call */
    CHECK_EQ(console.irq_changes, 1);
    /* The handler clears other bits but not RX/RT; ICR cannot clear them
     * while data waits anyway. */
    wr(ICR, INT_RX | INT_RT);
    CHECK(console.level);
    CHECK_EQ(rd16(RIS), INT_RX | INT_RT);
    while (!(rd16(FR) & FR_RXFE))
        rd16(DR);
    CHECK(!console.level);
    CHECK_EQ(console.irq_changes, 2);
    CHECK_EQ(rd16(RIS), 0);
    CHECK_EQ(console.irq_redundant, 0);
}

TEST(masking_and_unmasking_moves_the_line)
{
    reset();
    linux_set_termios();
    receive_string("q");
    CHECK_EQ(console.irq_changes, 0);          /* IMSC = 0: line stays low */
    CHECK_EQ(rd16(RIS), INT_RX | INT_RT);
    CHECK_EQ(rd16(MIS), 0);
    wr(IMSC, INT_RT);                          /* throttle/unthrottle style */
    CHECK(console.level);
    CHECK_EQ(rd16(MIS), INT_RT);
    wr(IMSC, 0);
    CHECK(!console.level);
    wr(IMSC, INT_RX);
    CHECK(console.level);
    CHECK_EQ(console.irq_changes, 3);
    CHECK_EQ(console.irq_redundant, 0);
}

TEST(transmit_interrupt_like_the_real_part)
{
    reset();
    linux_set_termios();
    CHECK(!(rd16(RIS) & INT_TX));              /* nothing sent yet */
    wr(DR, 'a');
    CHECK(rd16(RIS) & INT_TX);                 /* FIFO drained through the level */
    CHECK_EQ(console.irq_changes, 0);          /* masked */
    wr(IMSC, INT_TX);                          /* start_tx could not finish */
    CHECK(console.level);
    CHECK_EQ(rd16(MIS), INT_TX);
    wr(ICR, INT_TX);
    CHECK(!console.level);
    CHECK_EQ(rd16(RIS), 0);
    wr(DR, 'b');                               /* next byte raises it again */
    CHECK(console.level);
    wr(IMSC, 0);                               /* stop_tx */
    CHECK(!console.level);
    CHECK_EQ(console.irq_changes, 4);
    CHECK_EQ(console.irq_redundant, 0);
}

/* pl011_tx_chars(from_irq = false) writes while TXFF is clear, then stop_tx
 * writes IMSC: the whole burst goes out, TXIM never has to be set, and a
 * prompt without a newline reaches the console at the IMSC write. */
TEST(linux_tty_write_burst_shows_a_prompt)
{
    const char *burst = "\r\n~ # ";

    reset();
    linux_set_termios();
    linux_startup();
    uint32_t im = rd16(IMSC);
    for (const char *c = burst; *c != '\0'; c++) {
        if (rd16(FR) & FR_TXFF)
            break;
        wr(DR, (uint8_t)*c);
    }
    im &= ~INT_TX;
    wr(IMSC, im);
    CHECK_STR(console.text, "[vm] \r\n[vm] ~ # ");
    CHECK(!console.level);
    /* Echo of typed input continues the same line without a prefix. */
    receive_string("l");
    CHECK(console.level);
    CHECK_EQ(rd16(DR), 'l');
    CHECK(!console.level);
    wr(DR, 'l');
    wr(IMSC, im);
    CHECK_STR(console.text, "[vm] \r\n[vm] ~ # l");
}

TEST(linux_startup_drains_stale_input)
{
    reset();
    linux_set_termios();
    receive_string("stale");
    linux_startup();
    CHECK(rd16(FR) & FR_RXFE);
    CHECK_EQ(rd16(IMSC), INT_RT | INT_RX);
    CHECK(!console.level);
    CHECK_EQ(rd16(CR) & 0x301, 0x301);
}

/* pl011_console_write: enable TX in CR, write each byte after polling TXFF,
 * wait for BUSY to clear, restore CR. */
TEST(linux_console_write)
{
    reset();
    linux_set_termios();
    uint32_t old_cr = rd16(CR);
    wr(CR, old_cr | 0x101);
    for (const char *c = "Booting Linux\r\n"; *c != '\0'; c++) {
        while (rd16(FR) & FR_TXFF)
            ;
        wr(DR, (uint8_t)*c);
    }
    while (rd16(FR) & FR_BUSY)
        ;
    wr(CR, old_cr);
    CHECK_STR(console.text, "[vm] Booting Linux\r\n");
}

TEST(earlycon_byte_writes)
{
    uint32_t value;

    reset();
    CHECK(vuart_write(&uart, DR, 1, 'e'));
    CHECK(vuart_write(&uart, DR, 4, '\n'));
    CHECK(vuart_read(&uart, FR, 4, &value));
    CHECK_EQ(value & FR_BUSY, 0);
    CHECK_STR(console.text, "[vm] e\n");
}
