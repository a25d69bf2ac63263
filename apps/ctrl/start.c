/* Starting the control task without a system description (the ctrl test
 * image's root task): its process, a task CSpace with the timer caps, a boot
 * info page, its priority and scheduling context (apps/ctrl/ctrl.h). */
#include "core/cpio.h"
#include "core/string.h"
#include "ctrl/ctrl.h"
#include "process.h"
#include "runtime/mem.h"
#include "timer.h"

#define SCRATCH_ADDRESS 0x3fe00000u

static int fail(const char *what, int error)
{
    printf("ctrl-start: %s: %s\n", what, opal_error_name(error));
    return error;
}

/* A fresh CNode with the timer notification (read right: the task may wait,
 * not signal), the timer's IRQ handler, made there, and a copy of the Debug
 * cap; returns the guarded cap to use as the task's CSpace root. */
static int make_cspace(uint32_t *root)
{
    uint32_t cnode, notification, guarded = opal_alloc_slot();
    int error;
    if (guarded == 0)
        return fail("a slot for the CSpace root", OPAL_ERR_NOT_ENOUGH_MEMORY);
    if ((error = opal_alloc_object(OPAL_OBJECT_CNODE, TASK_CNODE_BITS, &cnode)))
        return fail("CNode", error);
    if ((error = opal_cnode_mint(OPAL_CAP_INIT_CNODE, guarded, cnode, OPAL_RIGHTS_ALL,
                                 OPAL_CNODE_GUARD(32 - TASK_CNODE_BITS, 0))))
        return fail("guarding the CNode", error);
    if ((error = opal_alloc_object(OPAL_OBJECT_NOTIFICATION, 0, &notification)))
        return fail("notification", error);
    if ((error = opal_cnode_copy(cnode, TASK_SLOT_INTERRUPTS, notification,
                                 OPAL_RIGHT_READ)) ||
        (error = opal_free_slot(notification)))
        return fail("handing over the notification", error);
    if ((error = opal_irq_control_get(OPAL_CAP_IRQ_CONTROL, OPAL_TIMER_IRQ, cnode,
                                      TASK_SLOT_IRQ_FIRST)))
        return fail("timer IRQ handler", error);
    /* No console server here: it prints through the kernel's debug write. */
    if ((error = opal_cnode_copy(cnode, TASK_SLOT_DEBUG, OPAL_CAP_DEBUG, OPAL_RIGHTS_ALL)))
        return fail("the Debug cap", error);
    *root = guarded;
    return OPAL_OK;
}

/* The boot info page: its name and its one interrupt, no channels. */
static int give_boot_info(const struct process *ctrl, uint32_t period_us,
                          uint32_t report_seconds)
{
    uint32_t frame;
    int error;
    if ((error = opal_alloc_object(OPAL_OBJECT_FRAME, OPAL_FRAME_SMALL_BITS, &frame)) ||
        (error = process_map_frame(frame, OPAL_CAP_INIT_VSPACE, SCRATCH_ADDRESS,
                                   OPAL_MAP_READ | OPAL_MAP_WRITE)))
        return error;
    struct task_boot_info *info = (struct task_boot_info *)SCRATCH_ADDRESS;
    memset(info, 0, sizeof *info);
    info->magic = TASK_BOOT_MAGIC;
    core_strlcpy(info->name, "ctrl", sizeof info->name);
    info->irqs[0] = OPAL_TIMER_IRQ;
    info->irq_count = 1;
    info->arguments[0] = period_us;
    info->arguments[1] = report_seconds;
    info->argument_count = 2;
    if ((error = opal_frame_unmap(frame)))
        return error;
    return process_map_frame(frame, ctrl->vspace, TASK_BOOT_INFO_ADDRESS, OPAL_MAP_READ);
}

int ctrl_start(const struct opal_bootinfo *bootinfo, uint32_t period_us, uint32_t report_seconds)
{
    struct cpio_file file;
    struct process ctrl;
    uint32_t cspace;
    int error;
    if ((error = cpio_find((const void *)bootinfo->archive_address, bootinfo->archive_size,
                           "ctrl", &file)))
        return fail("finding ctrl in the boot archive", error);
    if ((error = process_load(file.data, file.size, 0, &ctrl)))
        return fail("loading ctrl", error);
    if ((error = make_cspace(&cspace)))
        return error;
    if ((error = give_boot_info(&ctrl, period_us, report_seconds)))
        return fail("boot info", error);
    struct process_start start = {
        .cspace = cspace, .priority = CTRL_PRIORITY, .budget_us = CTRL_BUDGET_US,
        .period_us = CTRL_BUDGET_PERIOD_US, .arguments = { period_us, report_seconds },
    };
    if ((error = process_start(&ctrl, &start)))
        return fail("starting ctrl", error);
    return OPAL_OK;
}
