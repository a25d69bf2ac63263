/* The console server: the one task that drives the UART. Each client's
 * output is taken from its ring (lib/console_ring.h), assembled into lines
 * and written whole with "[name] " in front; typed input goes to the client
 * holding the input focus, moved with Ctrl-] n. Rules: docs/console.md. */
#include "console/console.h"
#include "console_ring.h"
#include "core/string.h"
#include "timer.h"

#define UART_DR    0x00
#define UART_FR    0x18
#define UART_IMSC  0x38
#define UART_ICR   0x44
#define UART_FR_RXFE (1u << 4)
#define UART_FR_TXFF (1u << 5)
#define UART_RX_INTERRUPTS ((1u << 4) | (1u << 6))   /* RX and receive timeout */
#define UART_TX_INTERRUPT  (1u << 5)

#define LINE_MAX 256
#define ESCAPE 0x1d                 /* Ctrl-] */
#define NOBODY 0xffffffffu

/* The ring's indexes this server writes are kept here and only copied out:
 * the client can write the whole page, so what is read back from it is
 * never trusted. */
struct client {
    struct console_ring *ring;
    uint32_t out_tail;              /* output bytes taken */
    uint32_t in_head;               /* input bytes delivered */
    char line[LINE_MAX];            /* the line being assembled */
    uint32_t length;
    uint32_t flushes_seen;          /* ring->out_flushes already honoured */
    bool cut;                       /* its partial line was ended by another's */
};

static const struct console_config *config = (const void *)CONSOLE_CONFIG_ADDRESS;
static struct client clients[CONSOLE_MAX_CLIENTS];
static uint32_t open_line = NOBODY; /* whose partial line the UART shows last */
static uint32_t focus = NOBODY;
static bool escape_pending;
static uint32_t dropped;            /* typed bytes for `focus` dropped, not yet reported */
static uint64_t last_report;        /* counter value at the last drop report */
static bool reported;               /* there was one */
static uint32_t pending;            /* notification bits taken while waiting for the UART */

static volatile uint32_t *uart(uint32_t offset)
{
    return (volatile uint32_t *)(uintptr_t)(CONSOLE_UART_ADDRESS + offset);
}

/* The transmit FIFO is full: sleep until it has drained to its trigger
 * level (IFLS) rather than spin at this priority. The PL011 raises TXRIS
 * when the level is crossed on the way down, so a stale one is cleared
 * before the FIFO is looked at again. Receive interrupts are masked
 * meanwhile (input waits in the receive FIFO for the few ms this takes):
 * left on, one would wake this loop over and over. Client bits taken here
 * are kept for the main loop. (QEMU's PL011 never reports a full FIFO.) */
static void wait_for_tx_space(void)
{
    *uart(UART_IMSC) = UART_TX_INTERRUPT;
    *uart(UART_ICR) = UART_TX_INTERRUPT;
    opal_irq_handler_ack(CONSOLE_SLOT_UART_IRQ);   /* it may be masked since a receive */
    while (*uart(UART_FR) & UART_FR_TXFF) {
        uint32_t word;
        opal_wait(CONSOLE_SLOT_NOTIFICATION, &word);
        pending |= word;
        if (word & CONSOLE_BADGE_UART) {
            *uart(UART_ICR) = UART_TX_INTERRUPT;
            opal_irq_handler_ack(CONSOLE_SLOT_UART_IRQ);
        }
    }
    /* Input that arrived meanwhile raises its interrupt now. */
    *uart(UART_IMSC) = UART_RX_INTERRUPTS;
}

static void uart_write(const char *bytes, uint32_t length)
{
    for (uint32_t i = 0; i < length; i++) {
        if (*uart(UART_FR) & UART_FR_TXFF)
            wait_for_tx_space();
        *uart(UART_DR) = (uint8_t)bytes[i];
    }
}

static void uart_string(const char *text)
{
    uart_write(text, core_strnlen(text, LINE_MAX));
}

/* Every line end on the UART is "\r\n", as the kernel's own lines. */
static void uart_line_end(void)
{
    uart_write("\r\n", 2);
}

/* A line's start on the UART: the partial line of another client ends
 * first (that client's next bytes then start with "[name]+ "). */
static void end_open_line(void)
{
    if (open_line == NOBODY)
        return;
    uart_line_end();
    clients[open_line].cut = true;
    open_line = NOBODY;
}

/* The server's own lines, as "[console] ...". */
static void say(const char *first, const char *second, const char *third)
{
    end_open_line();
    uart_string("[console] ");
    uart_string(first);
    uart_string(second);
    uart_string(third);
    uart_line_end();
}

/* Out with what the client's line holds, "\n" last or not. "\r\n" reached
 * the buffer as "\n"; a "\r" at the end is held back, as it may be the
 * first half of one whose "\n" is still to come. A line that starts a new
 * UART line drops its leading "\r"s (the cursor is at the line's start
 * already; one would only return over the prefix), and the end of a line
 * that another's line already ended shows nothing: no "[name]+ " carrying
 * no bytes. Any other "\r" goes to the UART as it is. */
static void emit(uint32_t index)
{
    struct client *client = &clients[index];
    const char *line = client->line;
    uint32_t start = 0, end = client->length;
    bool whole = end > 0 && line[end - 1] == '\n';
    bool hold_cr = !whole && end > 0 && line[end - 1] == '\r';
    if (whole || hold_cr)
        end--;
    if (open_line != index) {
        while (start < end && line[start] == '\r')
            start++;
        if (start == end && (!whole || client->cut)) {
            if (whole)
                client->cut = false;    /* its line has ended: the next one is new */
            goto done;
        }
        end_open_line();
        uart_string("[");
        uart_string(config->client[index].name);
        uart_string(client->cut ? "]+ " : "] ");
        client->cut = false;
    }
    uart_write(line + start, end - start);
    if (whole) {
        uart_line_end();
        open_line = NOBODY;
    } else {
        open_line = index;
    }
done:
    client->length = 0;
    if (hold_cr)
        client->line[client->length++] = '\r';
}

/* Take what the client wrote; whole lines go out, a partial one when the
 * client asked (a prompt) or when it fills the line buffer. */
static void drain_output(uint32_t index)
{
    struct client *client = &clients[index];
    struct console_ring *ring = client->ring;
    uint32_t head = ring->out_head;
    console_ring_barrier();
    /* A fill beyond the ring's size is a broken or hostile client: skip to
     * its head rather than print up to 4 GiB of stale ring while every
     * other client waits. */
    if (head - client->out_tail > CONSOLE_RING_OUT_SIZE)
        client->out_tail = head;
    while (client->out_tail != head) {
        char c = ring->out[client->out_tail % CONSOLE_RING_OUT_SIZE];
        if (c == '\n' && client->length > 0 && client->line[client->length - 1] == '\r')
            client->length--;        /* "\r\n" is one line end */
        client->line[client->length++] = c;
        if (c == '\n' || client->length == LINE_MAX)
            emit(index);
        client->out_tail++;
    }
    console_ring_barrier();
    ring->out_tail = client->out_tail;
    uint32_t flushes = ring->out_flushes;
    if (flushes != client->flushes_seen) {
        client->flushes_seen = flushes;
        emit(index);
    }
    console_ring_barrier();
    if (ring->client_waiting) {
        ring->client_waiting = 0;
        opal_signal(CONSOLE_SLOT_CLIENT + index);
    }
}

static void help(void)
{
    char list[CONSOLE_MAX_CLIENTS * (CONSOLE_NAME_MAX + 4)];
    uint32_t at = 0;
    for (uint32_t i = 0; i < config->clients; i++) {
        const char *name = config->client[i].name;
        list[at++] = (char)('1' + i);
        list[at++] = ' ';
        for (uint32_t j = 0; name[j]; j++)
            list[at++] = name[j];
        if (i + 1 < config->clients) {
            list[at++] = ',';
            list[at++] = ' ';
        }
    }
    list[at] = '\0';
    say("input goes to ", focus == NOBODY ? "nobody" : config->client[focus].name, "");
    say("Ctrl-] n switches it (", list, "); Ctrl-] Ctrl-] types a Ctrl-]");
}

static uint32_t input_space(const struct client *client)
{
    uint32_t fill = client->in_head - client->ring->in_tail;
    return fill > CONSOLE_RING_IN_SIZE ? 0 : CONSOLE_RING_IN_SIZE - fill;  /* a broken in_tail: full */
}

static bool takes_input(uint32_t index)
{
    return index != NOBODY && config->client[index].takes_input;
}

/* "[console] 37 input bytes for linux0 dropped: it is not reading". */
static void report_dropped(void)
{
    char number[11];
    uint32_t at = sizeof number - 1;
    if (dropped == 0)
        return;
    number[at] = '\0';
    for (uint32_t n = dropped; at == sizeof number - 1 || n > 0; n /= 10)
        number[--at] = (char)('0' + n % 10);
    end_open_line();
    uart_string("[console] ");
    uart_string(number + at);
    uart_string(" input bytes for ");
    uart_string(config->client[focus].name);
    uart_string(" dropped: it is not reading");
    uart_line_end();
    dropped = 0;
    last_report = opal_counter();
    reported = true;
}

/* Reports other than the one before a focus switch come at most once a
 * second, so that a paste into a slow reader does not flood the UART. */
static bool report_due(void)
{
    return dropped > 0 &&
           (!reported || opal_counter() - last_report >= opal_counter_frequency());
}

/* A typed byte for the focused client. The server never stops reading the
 * UART (else a client that does not read would keep Ctrl-] from being
 * seen): what its full ring cannot take is dropped and counted, and the
 * count reported when the focus moves, when a dropped byte ends a typed
 * line, and when the client reads again. */
static void deliver(char c)
{
    if (!takes_input(focus))
        return;                      /* a component without input gets nothing */
    struct client *client = &clients[focus];
    if (input_space(client) == 0) {
        dropped++;
        if ((c == '\r' || c == '\n') && report_due())
            report_dropped();
        return;
    }
    if (report_due())
        report_dropped();
    client->ring->in[client->in_head++ % CONSOLE_RING_IN_SIZE] = c;
    console_ring_barrier();
    client->ring->in_head = client->in_head;
    opal_signal(CONSOLE_SLOT_CLIENT + focus);
}

static void switch_focus(char c)
{
    uint32_t index = (uint32_t)(c - '1');
    if (c == ESCAPE) {
        deliver(c);
        return;
    }
    report_dropped();                /* what was lost, before the focus moves */
    if (c >= '1' && index < config->clients) {
        focus = index;
        say("input goes to ", config->client[focus].name, "");
    } else {
        help();
    }
}

static void read_input(void)
{
    /* Clear first, then drain: a byte arriving after the clear raises the
     * interrupt again, where clearing after the drain could swallow it.
     * The FIFO is always drained: escapes are acted on whoever reads. */
    *uart(UART_ICR) = UART_RX_INTERRUPTS;
    while (!(*uart(UART_FR) & UART_FR_RXFE)) {
        char c = (char)(*uart(UART_DR) & 0xff);
        if (escape_pending) {
            escape_pending = false;
            switch_focus(c);
        } else if (c == ESCAPE) {
            escape_pending = true;
        } else {
            deliver(c);
        }
    }
}

static uint32_t first_taking_input(void)
{
    for (uint32_t i = 0; i < config->clients; i++)
        if (config->client[i].takes_input)
            return i;
    return config->clients ? 0 : NOBODY;
}

int main(const struct opal_bootinfo *unused)
{
    (void)unused;
    if (config->magic != CONSOLE_CONFIG_MAGIC || config->clients > CONSOLE_MAX_CLIENTS) {
        opal_debug_write("console: no client table\n", 25);
        return 1;
    }
    for (uint32_t i = 0; i < config->clients; i++)
        clients[i].ring = (struct console_ring *)(uintptr_t)(CONSOLE_RINGS_ADDRESS + i * 4096u);
    focus = first_taking_input();
    help();
    *uart(UART_IMSC) = UART_RX_INTERRUPTS;
    /* Every wake-up looks at every client: a handful of index loads, and no
     * signal can be missed by reading the word's bits wrong. Bits taken
     * while waiting for the UART to transmit (`pending`) mean another pass
     * before sleeping. */
    for (;;) {
        uint32_t word;
        pending = 0;
        for (uint32_t i = 0; i < config->clients; i++)
            drain_output(i);
        if (takes_input(focus) && input_space(&clients[focus]) > 0 && report_due())
            report_dropped();  /* it reads again */
        if (pending)
            continue;
        opal_wait(CONSOLE_SLOT_NOTIFICATION, &word);
        if (word & CONSOLE_BADGE_UART) {
            read_input();
            opal_irq_handler_ack(CONSOLE_SLOT_UART_IRQ);
        }
    }
}
