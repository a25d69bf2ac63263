/* The guest's virtio console (hvc0): its output and input go through the
 * console server, as the PL011's do. */
#ifndef VMM_VIRTIO_CONSOLE_H
#define VMM_VIRTIO_CONSOLE_H

#include "vmm/virtio.h"

struct virtio_console {
    struct virtio_device device;   /* first: the transport's view */
    bool used;                     /* the guest has written to it: input goes here */
};

void virtio_console_init(struct virtio_console *console, struct vm *vm);
/* Whether input should go to it rather than the UART: the guest has it
 * running and has written to it (a console or a shell is on hvc0). */
bool virtio_console_takes_input(const struct virtio_console *console);
/* Waiting input into the guest's receive buffers, as far as it has them. */
void virtio_console_input(struct virtio_console *console);

#endif
