/* The debug wrappers most programs use: the kernel's console write,
 * power-off and invariant check through the program's one Debug cap. */
#include "opal.h"

static uint32_t debug_cap = OPAL_CAP_DEBUG;

void opal_debug_use(uint32_t debug)
{
    debug_cap = debug;
}

/* The kernel takes only what the UART's FIFO holds now, so it never waits
 * for the line (docs/api.md); the waiting is done here, yielding. */
int opal_debug_write(const char *bytes, uint32_t length)
{
    for (;;) {
        uint32_t taken;
        int error = opal_debug_write_some(debug_cap, bytes, length, &taken);
        if (error != OPAL_OK || taken >= length)
            return error;
        bytes += taken;
        length -= taken;
        opal_yield();
    }
}

void opal_system_off(void)
{
    print_flush();
    opal_exit(opal_debug_system_off(debug_cap));
}

int opal_check_invariants(void)
{
    return opal_debug_check_invariants(debug_cap);
}
