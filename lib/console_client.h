/* The client side of the console server (docs/console.md): output goes into
 * the shared ring and waits for space when it is full (throttled, never
 * dropped); input is read from it. Without a connection, printf falls back
 * to the kernel's debug write. */
#ifndef LIB_CONSOLE_CLIENT_H
#define LIB_CONSOLE_CLIENT_H

#include <stdbool.h>
#include <stdint.h>

/* `ring`: where the shared page is mapped; `server`: the server's
 * notification (badged for this client, write right); `wait`: a
 * notification the server signals when output space was freed or input
 * arrived (the caller may also wait on it, e.g. as a bound notification). */
void console_client_attach(void *ring, uint32_t server, uint32_t wait);
bool console_client_attached(void);
/* All `length` bytes, waiting for space as needed. Bytes not ending in a
 * newline are asked out as a partial line (a prompt). */
void console_client_write(const char *bytes, uint32_t length);
/* The notification words a write's wait took from `wait` (0: none), which
 * may carry the badges of others that signal it (a VMM's disk, its
 * channels): the caller handles them, so no signal is lost. */
uint32_t console_client_take_signals(void);
/* Whether `length` bytes of output fit without waiting (for a task that
 * must not wait: it can leave a line out instead). */
bool console_client_has_room(uint32_t length);
/* Up to `max` input bytes; 0 when none wait. */
uint32_t console_client_read(char *bytes, uint32_t max);
bool console_client_input_pending(void);

#endif
