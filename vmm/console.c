/* The VM's console, through the console server (docs/console.md): guest
 * output goes into the VMM's ring, where the server puts "[name] " in
 * front of each line; input arrives in the ring and fills the guest's UART
 * as it has room. init connects every VMM (it starts nothing without the
 * server); a VMM started otherwise writes through the kernel's debug write,
 * which works only if its starter gave it a Debug cap. */
#include "console_client.h"
#include "vmm/vmm.h"

void console_init(struct vm *vm)
{
    if (vm->info->console)
        console_client_attach((void *)VMM_CONSOLE_RING_ADDRESS, VMM_CAP_CONSOLE,
                              VMM_CAP_NOTIFICATION);
}

/* Throttling: when the ring is full this waits for the server inside the
 * guest's UART access, so the guest's vCPU stalls on its write until the
 * line has gone out; nothing is dropped. */
void console_output(void *context, const char *text, size_t length)
{
    (void)context;
    if (console_client_attached())
        console_client_write(text, (uint32_t)length);
    else
        opal_debug_write(text, (uint32_t)length);
}

/* Move waiting input into the guest's UART while it has room (into hvc0
 * instead once the guest uses it: virtio_console.c). What does
 * not fit stays in the ring, to be taken after the guest has read some;
 * once the ring is full the server drops further typed bytes and says so
 * (a guest that never reads cannot wedge the console's Ctrl-]). Called on
 * the server's signal and after each guest access to its UART. */
void console_input(struct vm *vm)
{
    if (virtio_console_takes_input(&vm->virtio_console)) {
        virtio_console_input(&vm->virtio_console);
        return;
    }
    char bytes[VUART_RX_FIFO];
    size_t space = vuart_receive_space(&vm->uart);
    if (space == 0 || !console_client_input_pending())
        return;
    uint32_t count = console_client_read(bytes, space < sizeof bytes ? space : sizeof bytes);
    vuart_receive(&vm->uart, bytes, count);
}
