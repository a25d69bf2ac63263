/* Starting the control task (apps/ctrl/ctrl.h): its process, its CSpace
 * with the timer caps, its priority and scheduling context. */
#include "core/cpio.h"
#include "ctrl/ctrl.h"
#include "process.h"
#include "timer.h"

static int fail(const char *what, int error)
{
    printf("ctrl-start: %s: %s\n", what, opal_error_name(error));
    return error;
}

/* The console connection: its ring mapped, its two caps moved in. */
static int give_console(const struct process *ctrl, uint32_t cnode,
                        const struct ctrl_console *console)
{
    int error;
    if ((error = process_map_frame(console->ring_frame, ctrl->vspace, CTRL_CONSOLE_RING_ADDRESS,
                                   OPAL_MAP_READ | OPAL_MAP_WRITE)) ||
        (error = opal_cnode_move(cnode, CTRL_SLOT_CONSOLE_SERVER, console->server)) ||
        (error = opal_cnode_copy(cnode, CTRL_SLOT_CONSOLE_WAIT, console->wait, OPAL_RIGHT_READ)) ||
        (error = opal_free_slot(console->wait)))
        return fail("handing over the console connection", error);
    return OPAL_OK;
}

/* A fresh CNode with the timer notification (read right: the task may wait,
 * not signal) and the timer's IRQ handler, made there; returns the guarded
 * cap to use as the task's CSpace root. */
static int make_cspace(uint32_t *root, uint32_t *raw)
{
    uint32_t cnode, notification, guarded = opal_alloc_slot();
    int error;
    if (guarded == 0)
        return fail("a slot for the CSpace root", OPAL_ERR_NOT_ENOUGH_MEMORY);
    if ((error = opal_alloc_object(OPAL_OBJECT_CNODE, CTRL_CNODE_BITS, &cnode)))
        return fail("CNode", error);
    if ((error = opal_cnode_mint(OPAL_CAP_INIT_CNODE, guarded, cnode, OPAL_RIGHTS_ALL,
                                 CTRL_CNODE_GUARD)))
        return fail("guarding the CNode", error);
    if ((error = opal_alloc_object(OPAL_OBJECT_NOTIFICATION, 0, &notification)))
        return fail("notification", error);
    if ((error = opal_cnode_copy(cnode, CTRL_SLOT_TIMER_NOTIFICATION, notification,
                                 OPAL_RIGHT_READ)) ||
        (error = opal_free_slot(notification)))
        return fail("handing over the notification", error);
    if ((error = opal_irq_control_get(OPAL_CAP_IRQ_CONTROL, OPAL_TIMER_IRQ, cnode,
                                      CTRL_SLOT_TIMER_IRQ)))
        return fail("timer IRQ handler", error);
    *root = guarded;
    *raw = cnode;
    return OPAL_OK;
}

int ctrl_start(const struct opal_bootinfo *bootinfo, uint32_t argument,
               const struct ctrl_console *console)
{
    struct cpio_file file;
    struct process ctrl;
    uint32_t cspace, cnode;
    int error;
    if ((error = cpio_find((const void *)bootinfo->archive_address, bootinfo->archive_size,
                           "ctrl", &file)))
        return fail("finding ctrl in the boot archive", error);
    if ((error = process_load(file.data, file.size, &ctrl)))
        return fail("loading ctrl", error);
    if ((error = make_cspace(&cspace, &cnode)))
        return error;
    if (console && (error = give_console(&ctrl, cnode, console)))
        return error;
    if ((error = process_start(&ctrl, cspace, CTRL_PRIORITY, CTRL_BUDGET_US,
                               CTRL_BUDGET_PERIOD_US, argument)))
        return fail("starting ctrl", error);
    return OPAL_OK;
}
