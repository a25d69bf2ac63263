/* Per-thread IPC buffers, found by the calling thread's stack pointer in a
 * small table of registered stacks; the root thread's is the default. */
#include "opal.h"

struct registered_stack {
    uint32_t low, high;
    struct opal_ipc_buffer *buffer;
};

static struct registered_stack stacks[OPAL_IPC_BUFFER_THREADS];
static unsigned stacks_used;    /* entries ever used: lookups scan no further */

int opal_ipc_buffer_register(void *stack_low, void *stack_high, struct opal_ipc_buffer *buffer)
{
    for (unsigned i = 0; i < OPAL_IPC_BUFFER_THREADS; i++) {
        if (stacks[i].buffer == 0) {
            stacks[i] = (struct registered_stack){ (uint32_t)stack_low, (uint32_t)stack_high,
                                                   buffer };
            if (i >= stacks_used)
                stacks_used = i + 1;
            return OPAL_OK;
        }
    }
    return OPAL_ERR_NOT_ENOUGH_MEMORY;
}

void opal_ipc_buffer_unregister(void *stack_low)
{
    for (unsigned i = 0; i < OPAL_IPC_BUFFER_THREADS; i++)
        if (stacks[i].buffer && stacks[i].low == (uint32_t)stack_low)
            stacks[i] = (struct registered_stack){ 0 };
}

struct opal_ipc_buffer *opal_ipc_buffer(void)
{
    uint32_t sp;
    __asm__("mov %0, sp" : "=r"(sp));
    for (unsigned i = 0; i < stacks_used; i++)
        if (stacks[i].buffer && sp >= stacks[i].low && sp <= stacks[i].high)
            return stacks[i].buffer;
    return (struct opal_ipc_buffer *)OPAL_ROOT_IPC_BUFFER;
}
