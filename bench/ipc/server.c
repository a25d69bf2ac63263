/* The benchmark's IPC server, in an address space of its own. With a reply
 * object it answers every Call with an empty reply; without, it receives
 * one-way messages forever. */
#include "../bench.h"
#include "opal.h"

int main(const struct opal_bootinfo *argument_as_pointer)
{
    uint32_t argument = (uint32_t)(uintptr_t)argument_as_pointer;
    uint32_t endpoint = BENCH_SERVER_ENDPOINT(argument), reply = BENCH_SERVER_REPLY(argument);
    struct opal_message message = { 0 };
    if (reply == 0) {
        for (;;)
            opal_recv(endpoint, 0, &message);
    }
    opal_recv(endpoint, reply, &message);
    for (;;) {
        message.tag = 0;
        opal_reply_recv(endpoint, reply, &message);
    }
}
