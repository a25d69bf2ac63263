/* What a native task started from a description does first: its output
 * through the console server when it has a connection, else through the
 * kernel's debug write with the Debug cap its starter may have given it. */
#include "console_client.h"
#include "opal.h"
#include "task_boot.h"

const struct task_boot_info *task_start(void)
{
    const struct task_boot_info *info = (const struct task_boot_info *)TASK_BOOT_INFO_ADDRESS;
    if (info->console)
        console_client_attach((void *)TASK_CONSOLE_RING_ADDRESS, TASK_SLOT_CONSOLE_SERVER,
                              TASK_SLOT_CONSOLE_WAIT);
    else
        opal_debug_use(TASK_SLOT_DEBUG);
    return info;
}
