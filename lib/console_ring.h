/* The page a console client shares with the console server (apps/console,
 * docs/console.md): one ring of output bytes (client -> server) and one of
 * input bytes (server -> client). Indices run freely and wrap at 2^32; a
 * ring's fill is head - tail. Each index has one writer, so no locks. */
#ifndef LIB_CONSOLE_RING_H
#define LIB_CONSOLE_RING_H

#include <stdint.h>

#define CONSOLE_MAX_CLIENTS 8         /* the server serves one ring per client */
#define CONSOLE_RING_OUT_SIZE 2048u   /* powers of two: indices are masked */
#define CONSOLE_RING_IN_SIZE  1024u

struct console_ring {
    volatile uint32_t out_head;        /* client: bytes written */
    volatile uint32_t out_tail;        /* server: bytes taken */
    volatile uint32_t in_head;         /* server: bytes delivered */
    volatile uint32_t in_tail;         /* client: bytes read */
    volatile uint32_t out_flushes;     /* client: bumped to ask for a partial line out */
    volatile uint32_t client_waiting;  /* client: 1 while it waits for output space */
    uint32_t reserved[10];
    char out[CONSOLE_RING_OUT_SIZE];
    char in[CONSOLE_RING_IN_SIZE];
};

_Static_assert(sizeof(struct console_ring) <= 4096, "a console ring fits one page");

/* Orders the ring's bytes before the index that publishes them (and the
 * index read before the bytes). */
static inline void console_ring_barrier(void)
{
    __asm__ volatile("dmb ish" ::: "memory");
}

#endif
