/* Building one instance of a native task from its description: its image in
 * a fresh VSpace with the stack and heap it asks for, its devices, channel
 * regions and boot info page mapped, and a CNode laid out as
 * lib/task_boot.h says. Everything comes from the task's arena. */
#include "core/cpio.h"
#include "core/string.h"
#include "init.h"
#include "process.h"
#include "task_boot.h"

#define PAGE 0x1000u
#define RW (OPAL_MAP_READ | OPAL_MAP_WRITE)
#define FULL_BUDGET_US 10000u

struct task_build {
    struct component *component;
    const struct system_task *task;
    struct process process;
    uint32_t cnode;
    uint32_t interrupts;           /* this instance's: its interrupts signal it */
    struct task_boot_info info;
};

static struct task_build build;

static int fail(const char *what, int error)
{
    printf("init: task %s: %s: %s\n", build.component->name, what, opal_error_name(error));
    return error;
}

static int map_heap(void)
{
    for (uint32_t offset = 0; offset < build.task->heap_size; offset += PAGE) {
        uint32_t frame;
        int error;
        if ((error = opal_alloc_object(OPAL_OBJECT_FRAME, OPAL_FRAME_SMALL_BITS, &frame)) ||
            (error = process_map_frame(frame, build.process.vspace, TASK_HEAP_ADDRESS + offset,
                                       RW)))
            return error;
    }
    return OPAL_OK;
}

/* Device range i at TASK_DEVICE_ADDRESS(i), uncached. */
static int map_devices(void)
{
    const struct system_component *config = build.component->config;
    for (uint32_t d = 0; d < config->device_count; d++) {
        const struct system_range *range = &config->devices[d];
        if (range->size > TASK_WINDOW_MAX)
            return OPAL_ERR_RANGE;
        for (uint32_t page = 0; page < range->size; page += PAGE) {
            uint32_t frame;
            int error = opal_alloc_device_frame(range->base + page, &frame);
            if (error == OPAL_OK)
                error = process_map_frame_with(frame, build.process.vspace,
                                               TASK_DEVICE_ADDRESS(d) + page, RW, OPAL_MAP_DEVICE);
            if (error != OPAL_OK)
                return error;
        }
        build.info.devices[d] = (struct task_device){ range->base, range->size,
                                                      TASK_DEVICE_ADDRESS(d) };
    }
    build.info.device_count = config->device_count;
    return OPAL_OK;
}

/* Each channel's region at TASK_CHANNEL_ADDRESS(its index), its peer's
 * notification in TASK_SLOT_CHANNEL_FIRST + index. */
static int give_channels(void)
{
    struct task_boot_info *info = &build.info;
    for (uint32_t k = 0; k < init_system.channel_count; k++) {
        const struct system_channel *channel = &init_system.channels[k];
        int end = channel_end(k, build.component);
        if (end < 0)
            continue;
        uint32_t index = info->channel_count++;
        struct task_channel *out = &info->channels[index];
        int error;
        if ((error = channel_map(k, build.process.vspace, TASK_CHANNEL_ADDRESS(index))) ||
            (error = channel_give_peer(k, build.component, build.cnode,
                                       TASK_SLOT_CHANNEL_FIRST + index)))
            return error;
        core_strlcpy(out->name, channel->name, sizeof out->name);
        core_strlcpy(out->peer, channel->ends[1 - end], sizeof out->peer);
        out->address = TASK_CHANNEL_ADDRESS(index);
        out->size = channel->size;
    }
    return OPAL_OK;
}

/* Interrupt i's handler in TASK_SLOT_IRQ_FIRST + i, bound to the task's
 * interrupt notification with badge TASK_BADGE_IRQ(i). */
static int give_irqs(void)
{
    const struct system_component *config = build.component->config;
    for (uint32_t i = 0; i < config->irq_count; i++) {
        int error = give_irq(config->irqs[i], build.interrupts, TASK_BADGE_IRQ(i),
                             build.cnode, TASK_SLOT_IRQ_FIRST + i);
        if (error != OPAL_OK)
            return error;
        build.info.irqs[i] = config->irqs[i];
    }
    build.info.irq_count = config->irq_count;
    return OPAL_OK;
}

static int make_cspace(uint32_t *guarded)
{
    struct component *c = build.component;
    int error;
    if ((error = opal_alloc_object(OPAL_OBJECT_CNODE, TASK_CNODE_BITS, &build.cnode)))
        return error;
    if ((*guarded = opal_alloc_slot()) == 0)
        return OPAL_ERR_NOT_ENOUGH_MEMORY;
    if ((error = opal_cnode_mint(OPAL_CAP_INIT_CNODE, *guarded, build.cnode, OPAL_RIGHTS_ALL,
                                 OPAL_CNODE_GUARD(32 - TASK_CNODE_BITS, 0))) ||
        (error = opal_alloc_object(OPAL_OBJECT_NOTIFICATION, 0, &build.interrupts)) ||
        (error = opal_cnode_copy(build.cnode, TASK_SLOT_INTERRUPTS, build.interrupts,
                                 OPAL_RIGHT_READ)) ||
        (error = opal_cnode_copy(build.cnode, TASK_SLOT_CHANNELS, c->notification,
                                 OPAL_RIGHT_READ)) ||
        (error = opal_cnode_copy(build.cnode, TASK_SLOT_FAULT, c->parent, OPAL_RIGHTS_ALL)))
        return error;
    if (!c->console)
        return OPAL_OK;
    build.info.console = 1;
    if ((error = map_copy(c->console_connection.ring_frame, build.process.vspace,
                          TASK_CONSOLE_RING_ADDRESS, RW)) ||
        (error = opal_cnode_copy(build.cnode, TASK_SLOT_CONSOLE_SERVER,
                                 c->console_connection.server, OPAL_RIGHTS_ALL)))
        return error;
    return opal_cnode_copy(build.cnode, TASK_SLOT_CONSOLE_WAIT, c->console_wait, OPAL_RIGHT_READ);
}

static int start(uint32_t cspace)
{
    const struct system_component *config = build.component->config;
    struct process_start how = {
        .cspace = cspace, .fault_endpoint = TASK_SLOT_FAULT, .priority = config->priority,
        .budget_us = config->budget_us ? config->budget_us : FULL_BUDGET_US,
        .period_us = config->budget_us ? config->period_us : FULL_BUDGET_US,
    };
    for (uint32_t i = 0; i < build.task->argument_count; i++)
        how.arguments[i] = build.task->arguments[i];
    int error = process_start(&build.process, &how);
    if (error == OPAL_OK) {
        build.component->tcbs[0] = build.process.tcb;
        build.component->tcb_count = 1;
    }
    return error;
}

int task_build(struct component *component)
{
    struct cpio_file image;
    uint32_t cspace;
    int error;
    build = (struct task_build){ .component = component, .task = component->task };
    build.info.magic = TASK_BOOT_MAGIC;
    core_strlcpy(build.info.name, component->name, sizeof build.info.name);
    build.info.heap_size = build.task->heap_size;
    for (uint32_t i = 0; i < build.task->argument_count; i++)
        build.info.arguments[i] = build.task->arguments[i];
    build.info.argument_count = build.task->argument_count;
    if ((error = cpio_find((const void *)init_bootinfo->archive_address,
                           init_bootinfo->archive_size, build.task->image, &image)))
        return fail("its image is not in the boot archive", error);
    if ((error = process_load(image.data, image.size, build.task->stack_size, &build.process)))
        return fail("loading its image", error);
    if ((error = map_heap()))
        return fail("its heap", error);
    if ((error = map_devices()))
        return fail("its devices", error);
    if ((error = make_cspace(&cspace)))
        return fail("its capabilities", error);
    if ((error = give_irqs()))
        return fail("its interrupts", error);
    if ((error = give_channels()))
        return fail("its channels", error);
    if ((error = map_filled_frame(OPAL_FRAME_SMALL_BITS, &build.info, sizeof build.info,
                                  build.process.vspace, TASK_BOOT_INFO_ADDRESS, OPAL_MAP_READ)))
        return fail("its boot info", error);
    if ((error = start(cspace)))
        return fail("starting it", error);
    return OPAL_OK;
}
