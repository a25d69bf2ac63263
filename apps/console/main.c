/* The console server: the one task that drives the UART. Each client's
 * output is taken from its ring (lib/console_ring.h), assembled into lines
 * and written whole with "[name] " in front; typed input goes to the client
 * holding the input focus, moved with Ctrl-] n. Rules: docs/console.md. */
#include "console/console.h"
#include "console_ring.h"
#include "core/string.h"

#define UART_DR    0x00
#define UART_FR    0x18
#define UART_IMSC  0x38
#define UART_ICR   0x44
#define UART_FR_RXFE (1u << 4)
#define UART_FR_TXFF (1u << 5)
#define UART_RX_INTERRUPTS ((1u << 4) | (1u << 6))   /* RX and receive timeout */

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
static bool escape_pending, input_held;

static volatile uint32_t *uart(uint32_t offset)
{
    return (volatile uint32_t *)(uintptr_t)(CONSOLE_UART_ADDRESS + offset);
}

static void uart_write(const char *bytes, uint32_t length)
{
    for (uint32_t i = 0; i < length; i++) {
        while (*uart(UART_FR) & UART_FR_TXFF)
            ;
        *uart(UART_DR) = (uint8_t)bytes[i];
    }
}

static void uart_string(const char *text)
{
    uart_write(text, core_strnlen(text, LINE_MAX));
}

/* A line's start on the UART: the partial line of another client ends
 * first (that client's next bytes then start with "[name]+ "). */
static void end_open_line(void)
{
    if (open_line == NOBODY)
        return;
    uart_string("\n");
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
    uart_string("\n");
}

static void emit(uint32_t index)
{
    struct client *client = &clients[index];
    if (client->length == 0)
        return;
    if (open_line != index) {
        end_open_line();
        uart_string("[");
        uart_string(config->client[index].name);
        uart_string(client->cut ? "]+ " : "] ");
        client->cut = false;
    }
    uart_write(client->line, client->length);
    open_line = client->line[client->length - 1] == '\n' ? NOBODY : index;
    client->length = 0;
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
    return CONSOLE_RING_IN_SIZE - (client->in_head - client->ring->in_tail);
}

static void deliver(char c)
{
    if (focus == NOBODY || !config->client[focus].takes_input)
        return;                      /* a component without input gets nothing */
    struct client *client = &clients[focus];
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
    } else if (c >= '1' && index < config->clients) {
        focus = index;
        say("input goes to ", config->client[focus].name, "");
    } else {
        help();
    }
}

/* Is there room for the next typed byte? While the focused client's ring
 * is full, input stays in the UART (its RX interrupt masked, so QEMU holds
 * back more) until the client reads some and signals. */
static bool room_for_input(void)
{
    if (focus == NOBODY || !config->client[focus].takes_input)
        return true;
    return input_space(&clients[focus]) > 0;
}

static void read_input(void)
{
    /* Clear first, then drain: a byte arriving after the clear raises the
     * interrupt again, where clearing after the drain could swallow it. */
    *uart(UART_ICR) = UART_RX_INTERRUPTS;
    while (!(*uart(UART_FR) & UART_FR_RXFE) && room_for_input()) {
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
    input_held = !(*uart(UART_FR) & UART_FR_RXFE);
    *uart(UART_IMSC) = input_held ? 0 : UART_RX_INTERRUPTS;
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
     * signal can be missed by reading the word's bits wrong. */
    for (;;) {
        uint32_t word;
        for (uint32_t i = 0; i < config->clients; i++)
            drain_output(i);
        if (input_held)
            read_input();      /* a client may have made room */
        opal_wait(CONSOLE_SLOT_NOTIFICATION, &word);
        if (word & CONSOLE_BADGE_UART) {
            read_input();
            opal_irq_handler_ack(CONSOLE_SLOT_UART_IRQ);
        }
    }
}
