/* The console server's contract (docs/console.md): the task that owns the
 * UART, its CSpace and address space, and the starter that connects clients
 * to it. The shared ring's layout is lib/console_ring.h; the client side is
 * lib/console_client.h. */
#ifndef APPS_CONSOLE_CONSOLE_H
#define APPS_CONSOLE_CONSOLE_H

#include <stdbool.h>
#include "console_ring.h"   /* CONSOLE_MAX_CLIENTS */
#include "opal.h"

#define CONSOLE_NAME_MAX 16          /* with its NUL */

/* Its CSpace: one CNode of 2^CONSOLE_CNODE_BITS slots, guarded to resolve
 * a whole CPtr, holding only:
 *   CONSOLE_SLOT_NOTIFICATION   what it waits on: client i signals bit i,
 *                               the UART's interrupt CONSOLE_BADGE_UART
 *   CONSOLE_SLOT_UART_IRQ       the UART's IRQ handler (acked after input, and
 *                               after a wait for transmit space)
 *   CONSOLE_SLOT_CLIENT + i     client i's notification (write right): the
 *                               server signals output space and input */
#define CONSOLE_CNODE_BITS 5
#define CONSOLE_CNODE_GUARD OPAL_CNODE_GUARD(32 - CONSOLE_CNODE_BITS, 0)
enum console_slot {
    CONSOLE_SLOT_NOTIFICATION = 1,
    CONSOLE_SLOT_UART_IRQ = 2,
    CONSOLE_SLOT_CLIENT = 8,
};
#define CONSOLE_BADGE_UART (1u << 31)
#define CONSOLE_BADGE_CLIENT(index) (1u << (index))

/* Its address space: the client table (read-only), the PL011, client i's
 * ring at CONSOLE_RINGS_ADDRESS + i pages. */
#define CONSOLE_CONFIG_ADDRESS 0x00300000u
#define CONSOLE_UART_ADDRESS   0x00310000u
#define CONSOLE_RINGS_ADDRESS  0x00320000u

struct console_config {
    uint32_t magic;
    uint32_t clients;
    struct {
        char name[CONSOLE_NAME_MAX];
        uint32_t takes_input;    /* 0: typed bytes for it are dropped */
    } client[CONSOLE_MAX_CLIENTS];
};
#define CONSOLE_CONFIG_MAGIC 0x434f4e31u  /* "CON1" */

/* Scheduling: above every VMM (so a VM's output drains before its VMM
 * fills the ring again), below the control task. */
#define CONSOLE_PRIORITY 200u
#define CONSOLE_BUDGET_US 10000u

/* What a client gets, as caps in the starter's CSpace: the ring's frame
 * (to map read-write into the client) and the server's notification badged
 * for it (write right only). The caller moves them into the client. */
struct console_connection {
    uint32_t ring_frame;
    uint32_t server;
};

/* The starter (apps/console/start.c), linked into init: load the server
 * from its image (init finds it in the boot archive), connect clients, then start it (which maps the
 * UART: after any other device frame below it was taken). Objects come from
 * lib/alloc.c. `client_notification` is a cap the server may signal (a
 * copy is taken). Each prints what failed and returns the error. */
int console_prepare(const struct opal_bootinfo *bootinfo, const void *image, uint32_t size);
int console_connect(const char *name, bool takes_input, uint32_t client_notification,
                    struct console_connection *connection);
int console_start(void);

#endif
