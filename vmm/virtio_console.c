/* The guest's virtio console (virtio 1.x, 5.3), one port, no features:
 * queue 0 receives (input), queue 1 transmits (output). */
#include "console_client.h"
#include "vmm/virtio_console.h"
#include "vmm/vmm.h"

#define RECEIVE_QUEUE  0u
#define TRANSMIT_QUEUE 1u

static struct virtio_console *console_of(struct virtio_device *device)
{
    return (struct virtio_console *)device;
}

/* Every buffer of each waiting chain goes out, in order. */
static void transmit(struct virtio_console *console)
{
    struct virtq_chain chain;
    while (virtio_take(&console->device, TRANSMIT_QUEUE, &chain)) {
        for (uint32_t i = 0; i < chain.count && !chain.buffers[i].writable; i++)
            console_output(console->device.vm, (const char *)chain.buffers[i].address,
                           chain.buffers[i].length);
        console->used = true;
        virtio_give(&console->device, TRANSMIT_QUEUE, chain.head, 0);
    }
    virtio_console_input(console);   /* what was typed before it took input */
}

bool virtio_console_takes_input(const struct virtio_console *console)
{
    return console->device.type && console->used && virtio_running(&console->device);
}

/* Each receive chain takes as much input as its first buffer holds. */
void virtio_console_input(struct virtio_console *console)
{
    struct virtio_device *device = &console->device;
    const struct virtq *q = &device->queues[RECEIVE_QUEUE];
    struct virtq_chain chain;
    while (console_client_input_pending() && q->ready &&
           virtq_waiting(device->vm, q) > 0 && virtio_take(device, RECEIVE_QUEUE, &chain)) {
        const struct virtq_buffer *b = &chain.buffers[0];
        uint32_t count = b->writable ? console_client_read((char *)b->address, b->length) : 0;
        virtio_give(device, RECEIVE_QUEUE, chain.head, count);
    }
}

/* Linux kicks the receive queue as soon as its driver posts buffers, long
 * before anything runs on hvc0: input goes there only once it is in use. */
static void notify(struct virtio_device *device, uint32_t q)
{
    struct virtio_console *console = console_of(device);
    if (q == TRANSMIT_QUEUE)
        transmit(console);
    else if (virtio_console_takes_input(console))
        virtio_console_input(console);
}

static void reset(struct virtio_device *device)
{
    console_of(device)->used = false;
}

static const struct virtio_type console_type = {
    .name = "virtio-console",
    .device_id = VIRTIO_ID_CONSOLE,
    .features = 0,
    .queue_count = 2,
    .notify = notify,
    .reset = reset,
};

void virtio_console_init(struct virtio_console *console, struct vm *vm)
{
    console->used = false;
    virtio_init(&console->device, &console_type, vm, GUEST_VIRTIO_CONSOLE);
}
