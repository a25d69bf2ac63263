/* Console client (lib/console_client.h): the producer side of the output
 * ring and the consumer side of the input ring. */
#include "console_client.h"
#include <stddef.h>
#include "console_ring.h"
#include "opal.h"

static struct console_client {
    struct console_ring *ring;
    uint32_t server, wait;
    uint32_t others;    /* badges `wait` brought while waiting for space, not yet taken */
} client;

void console_client_attach(void *ring, uint32_t server, uint32_t wait)
{
    client = (struct console_client){ .ring = ring, .server = server, .wait = wait };
}

bool console_client_attached(void)
{
    return client.ring != NULL;
}

static uint32_t output_space(const struct console_ring *ring)
{
    return CONSOLE_RING_OUT_SIZE - (ring->out_head - ring->out_tail);
}

/* Throttling: announce that we wait, check again (the server may have
 * emptied the ring before seeing the flag), then sleep until it signals. */
static void wait_for_space(struct console_ring *ring)
{
    while (output_space(ring) == 0) {
        ring->client_waiting = 1;
        console_ring_barrier();
        if (output_space(ring) != 0)
            break;
        opal_signal(client.server);
        uint32_t word;
        opal_wait(client.wait, &word);
        client.others |= word;   /* every badge, the server's too: the owner decides */
    }
    ring->client_waiting = 0;
}

uint32_t console_client_take_signals(void)
{
    if (client.others == 0)
        return 0;   /* nearly always: one load after each exit */
    uint32_t others = client.others;
    client.others = 0;
    return others;
}

void console_client_write(const char *bytes, uint32_t length)
{
    struct console_ring *ring = client.ring;
    for (uint32_t i = 0; i < length; i++) {
        if (output_space(ring) == 0) {
            console_ring_barrier();
            wait_for_space(ring);
        }
        ring->out[ring->out_head % CONSOLE_RING_OUT_SIZE] = bytes[i];
        console_ring_barrier();
        ring->out_head++;
    }
    if (length > 0 && bytes[length - 1] != '\n')
        ring->out_flushes++;
    console_ring_barrier();
    opal_signal(client.server);
}

bool console_client_has_room(uint32_t length)
{
    return client.ring == NULL || output_space(client.ring) >= length;
}

bool console_client_input_pending(void)
{
    return client.ring != NULL && client.ring->in_head != client.ring->in_tail;
}

uint32_t console_client_read(char *bytes, uint32_t max)
{
    struct console_ring *ring = client.ring;
    uint32_t count = 0;
    if (ring == NULL)
        return 0;
    while (count < max && ring->in_tail != ring->in_head) {
        console_ring_barrier();
        bytes[count++] = ring->in[ring->in_tail % CONSOLE_RING_IN_SIZE];
        ring->in_tail++;
    }
    if (count > 0) {
        console_ring_barrier();
        opal_signal(client.server);   /* room again: the server reports input it dropped */
    }
    return count;
}
