/* Starting the console server (apps/console/console.h): its process, its
 * CSpace, the UART mapped and its interrupt bound, one ring per client. */
#include "console/console.h"
#include "core/string.h"
#include "process.h"
#include "runtime/mem.h"

#define SCRATCH_ADDRESS 0x31000000u   /* where the starter fills the client table */
#define RW (OPAL_MAP_READ | OPAL_MAP_WRITE)

static struct console_start {
    const struct opal_bootinfo *bootinfo;
    struct process server;
    uint32_t cnode, notification;
    struct console_config config;
} start;

static int fail(const char *what, int error)
{
    printf("console-start: %s: %s\n", what, opal_error_name(error));
    return error;
}

static int make_cspace(void)
{
    int error;
    if ((error = opal_alloc_object(OPAL_OBJECT_CNODE, CONSOLE_CNODE_BITS, &start.cnode)))
        return fail("CNode", error);
    if ((error = opal_alloc_object(OPAL_OBJECT_NOTIFICATION, 0, &start.notification)) ||
        (error = opal_cnode_copy(start.cnode, CONSOLE_SLOT_NOTIFICATION, start.notification,
                                 OPAL_RIGHT_READ)))
        return fail("notification", error);
    return OPAL_OK;
}

/* The PL011 in the server, its interrupt signalled as CONSOLE_BADGE_UART. */
static int give_uart(void)
{
    uint32_t frame, handler = opal_alloc_slot(), badged = opal_alloc_slot();
    int error;
    if (handler == 0 || badged == 0)
        return fail("slots for the UART", OPAL_ERR_NOT_ENOUGH_MEMORY);
    if ((error = opal_alloc_device_frame(start.bootinfo->uart_base, &frame)) ||
        (error = process_map_frame_with(frame, start.server.vspace, CONSOLE_UART_ADDRESS, RW,
                                        OPAL_MAP_DEVICE)))
        return fail("mapping the UART", error);
    if ((error = opal_irq_control_get(OPAL_CAP_IRQ_CONTROL, start.bootinfo->uart_irq,
                                      OPAL_CAP_INIT_CNODE, handler)) ||
        (error = opal_cnode_mint(OPAL_CAP_INIT_CNODE, badged, start.notification,
                                 OPAL_RIGHT_WRITE, CONSOLE_BADGE_UART)) ||
        (error = opal_irq_handler_set_notification(handler, badged)) ||
        (error = opal_cnode_move(start.cnode, CONSOLE_SLOT_UART_IRQ, handler)))
        return fail("the UART interrupt", error);
    return OPAL_OK;
}

int console_prepare(const struct opal_bootinfo *bootinfo, const void *image, uint32_t size)
{
    int error;
    start = (struct console_start){ .bootinfo = bootinfo };
    if ((error = process_load(image, size, 0, &start.server)))
        return fail("loading console", error);
    return make_cspace();
}

int console_connect(const char *name, bool takes_input, uint32_t client_notification,
                    struct console_connection *connection)
{
    uint32_t index = start.config.clients;
    uint32_t ring, copy = opal_alloc_slot(), badged = opal_alloc_slot();
    int error;
    if (index == CONSOLE_MAX_CLIENTS || copy == 0 || badged == 0)
        return fail("no room for another client", OPAL_ERR_NOT_ENOUGH_MEMORY);
    if ((error = opal_alloc_object(OPAL_OBJECT_FRAME, OPAL_FRAME_SMALL_BITS, &ring)) ||
        (error = opal_cnode_copy(OPAL_CAP_INIT_CNODE, copy, ring, OPAL_RIGHTS_ALL)) ||
        (error = process_map_frame(ring, start.server.vspace,
                                   CONSOLE_RINGS_ADDRESS + index * 4096u, RW)))
        return fail("the client's ring", error);
    if ((error = opal_cnode_copy(start.cnode, CONSOLE_SLOT_CLIENT + index, client_notification,
                                 OPAL_RIGHT_WRITE)) ||
        (error = opal_cnode_mint(OPAL_CAP_INIT_CNODE, badged, start.notification,
                                 OPAL_RIGHT_WRITE, CONSOLE_BADGE_CLIENT(index))))
        return fail("the client's notifications", error);
    core_strlcpy(start.config.client[index].name, name, CONSOLE_NAME_MAX);
    start.config.client[index].takes_input = takes_input;
    start.config.clients = index + 1;
    *connection = (struct console_connection){ .ring_frame = copy, .server = badged };
    return OPAL_OK;
}

/* The client table in a page mapped read-only into the server. */
static int give_config(void)
{
    uint32_t frame;
    int error;
    start.config.magic = CONSOLE_CONFIG_MAGIC;
    if ((error = opal_alloc_object(OPAL_OBJECT_FRAME, OPAL_FRAME_SMALL_BITS, &frame)) ||
        (error = process_map_frame(frame, OPAL_CAP_INIT_VSPACE, SCRATCH_ADDRESS, RW)))
        return error;
    memcpy((void *)SCRATCH_ADDRESS, &start.config, sizeof start.config);
    if ((error = opal_frame_unmap(frame)))
        return error;
    return process_map_frame(frame, start.server.vspace, CONSOLE_CONFIG_ADDRESS, OPAL_MAP_READ);
}

int console_start(void)
{
    uint32_t guarded = opal_alloc_slot();
    int error;
    if (guarded == 0)
        return fail("a slot for the CSpace root", OPAL_ERR_NOT_ENOUGH_MEMORY);
    /* The UART's frame is carved last: device frames come in address order,
     * and the VMs' GIC frames lie below it. */
    if ((error = give_uart()))
        return error;
    if ((error = give_config()))
        return fail("the client table", error);
    if ((error = opal_cnode_mint(OPAL_CAP_INIT_CNODE, guarded, start.cnode, OPAL_RIGHTS_ALL,
                                 CONSOLE_CNODE_GUARD)))
        return fail("guarding the CNode", error);
    if ((error = process_start(&start.server, &(struct process_start){
                                   .cspace = guarded, .priority = CONSOLE_PRIORITY,
                                   .budget_us = CONSOLE_BUDGET_US,
                                   .period_us = CONSOLE_BUDGET_US })))
        return fail("starting console", error);
    return OPAL_OK;
}
