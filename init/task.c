/* Building one instance of a native task from its description: its image in
 * a fresh VSpace with the stack and heap it asks for, its devices, channel
 * regions and boot info page mapped, and a CNode laid out as
 * lib/task_boot.h says. Everything comes from the task's arena. */
#include "core/string.h"
#include "init.h"
#include "process.h"
#include "task_boot.h"

#define PAGE 0x1000u
#define RW (OPAL_MAP_READ | OPAL_MAP_WRITE)

/* One instance being built: what each step makes and the next one uses. */
struct task_build {
    const struct init *init;
    struct component *component;
    const struct system_task *task;
    struct process process;
    uint32_t cnode;
    uint32_t interrupts;           /* this instance's: its interrupts signal it */
    struct task_boot_info info;    /* filled step by step, mapped last */
};

static int fail(const struct task_build *b, const char *what, int error)
{
    printf("init: task %s: %s: %s\n", b->component->name, what, opal_error_name(error));
    return error;
}

static int map_heap(const struct task_build *b)
{
    for (uint32_t offset = 0; offset < b->task->heap_size; offset += PAGE) {
        uint32_t frame;
        int error;
        if ((error = opal_alloc_object(OPAL_OBJECT_FRAME, OPAL_FRAME_SMALL_BITS, &frame)) ||
            (error = process_map_frame(frame, b->process.vspace, TASK_HEAP_ADDRESS + offset,
                                       RW)))
            return error;
    }
    return OPAL_OK;
}

/* Device range i at TASK_DEVICE_ADDRESS(i), uncached. */
static int map_devices(struct task_build *b)
{
    const struct system_component *config = b->component->config;
    for (uint32_t d = 0; d < config->device_count; d++) {
        const struct system_range *range = &config->devices[d];
        if (range->size > TASK_WINDOW_MAX)
            return OPAL_ERR_RANGE;
        for (uint32_t page = 0; page < range->size; page += PAGE) {
            int error = map_device_page(physical(range->base + page), b->process.vspace,
                                        vspace_address(TASK_DEVICE_ADDRESS(d) + page));
            if (error != OPAL_OK)
                return error;
        }
        b->info.devices[d] = (struct task_device){ range->base, range->size,
                                                   TASK_DEVICE_ADDRESS(d) };
    }
    b->info.device_count = config->device_count;
    return OPAL_OK;
}

/* Each channel's region at TASK_CHANNEL_ADDRESS(its index), its peer's
 * notification in TASK_SLOT_CHANNEL_FIRST + index. */
static int give_channels(struct task_build *b)
{
    const struct system *system = &b->init->system;
    struct task_boot_info *info = &b->info;
    for (uint32_t k = 0; k < system->channel_count; k++) {
        const struct system_channel *channel = &system->channels[k];
        int end = channel_end(system, k, b->component);
        if (end < 0)
            continue;
        uint32_t index = info->channel_count++;
        struct task_channel *out = &info->channels[index];
        int error;
        if ((error = channel_map(b->init, k, b->process.vspace, TASK_CHANNEL_ADDRESS(index))) ||
            (error = channel_give_peer(b->init, k, b->component, b->cnode,
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
static int give_irqs(struct task_build *b)
{
    const struct system_component *config = b->component->config;
    for (uint32_t i = 0; i < config->irq_count; i++) {
        int error = give_irq(config->irqs[i], b->interrupts, TASK_BADGE_IRQ(i), b->cnode,
                             TASK_SLOT_IRQ_FIRST + i);
        if (error != OPAL_OK)
            return error;
        b->info.irqs[i] = config->irqs[i];
    }
    b->info.irq_count = config->irq_count;
    return OPAL_OK;
}

/* The console connection made once for the component: its ring mapped, the
 * server's endpoint and the notification it signals. */
static int give_console(struct task_build *b)
{
    const struct component *c = b->component;
    int error;
    b->info.console = 1;
    if ((error = map_copy(c->console_connection.ring_frame, b->process.vspace,
                          TASK_CONSOLE_RING_ADDRESS, RW)) ||
        (error = opal_cnode_copy(b->cnode, TASK_SLOT_CONSOLE_SERVER,
                                 c->console_connection.server, OPAL_RIGHTS_ALL)))
        return error;
    return opal_cnode_copy(b->cnode, TASK_SLOT_CONSOLE_WAIT, c->console_wait, OPAL_RIGHT_READ);
}

static int make_cspace(struct task_build *b, uint32_t *guarded)
{
    const struct component *c = b->component;
    int error;
    /* A disk driver's interrupts signal the notification its clients do
     * (lib/task_boot.h): it waits for both at once. */
    if (b->task->disk_sectors != 0)
        b->interrupts = c->notification;
    else if ((error = opal_alloc_object(OPAL_OBJECT_NOTIFICATION, 0, &b->interrupts)))
        return error;
    if ((error = make_guarded_cnode(TASK_CNODE_BITS, &b->cnode, guarded)) ||
        (error = opal_cnode_copy(b->cnode, TASK_SLOT_INTERRUPTS, b->interrupts,
                                 OPAL_RIGHT_READ)) ||
        (error = opal_cnode_copy(b->cnode, TASK_SLOT_CHANNELS, c->notification,
                                 OPAL_RIGHT_READ)) ||
        (error = opal_cnode_copy(b->cnode, TASK_SLOT_FAULT, c->parent, OPAL_RIGHTS_ALL)))
        return error;
    return c->console ? give_console(b) : OPAL_OK;
}

static int start(struct task_build *b, uint32_t cspace)
{
    const struct system_component *config = b->component->config;
    struct process_start how = {
        .cspace = cspace, .fault_endpoint = TASK_SLOT_FAULT, .priority = config->priority,
        .core = b->task->cpu,
    };
    component_budget(b->component, &how.budget_us, &how.period_us);
    for (uint32_t i = 0; i < b->task->argument_count; i++)
        how.arguments[i] = b->task->arguments[i];
    int error = process_start(&b->process, &how);
    if (error == OPAL_OK) {
        b->component->tcbs[0] = b->process.tcb;
        b->component->tcb_count = 1;
    }
    return error;
}

/* The boot info's fields known before anything is made. */
static void describe_task(struct task_build *b)
{
    const struct system_task *task = b->task;
    b->info.magic = TASK_BOOT_MAGIC;
    core_strlcpy(b->info.name, b->component->name, sizeof b->info.name);
    b->info.heap_size = task->heap_size;
    for (uint32_t i = 0; i < task->argument_count; i++)
        b->info.arguments[i] = task->arguments[i];
    b->info.argument_count = task->argument_count;
}

int task_build(const struct init *init, struct component *component)
{
    struct task_build b = { .init = init, .component = component, .task = component->task };
    struct system_file image;
    uint32_t cspace;
    int error;
    describe_task(&b);
    if ((error = archive_find(init->bootinfo, b.task->image, &image)))
        return fail(&b, "its image is not in the boot archive", error);
    if ((error = process_load(image.data, image.size, b.task->stack_size, &b.process)))
        return fail(&b, "loading its image", error);
    if ((error = map_heap(&b)))
        return fail(&b, "its heap", error);
    if ((error = map_devices(&b)))
        return fail(&b, "its devices", error);
    if ((error = make_cspace(&b, &cspace)))
        return fail(&b, "its capabilities", error);
    if ((error = give_irqs(&b)))
        return fail(&b, "its interrupts", error);
    if ((error = give_channels(&b)))
        return fail(&b, "its channels", error);
    if ((error = disk_give_driver(init, component, b.process.vspace, b.cnode, &b.info.disk)))
        return fail(&b, "its disk's DMA memory, links and RAM tables", error);
    if ((error = map_filled_frame(OPAL_FRAME_SMALL_BITS, &b.info, sizeof b.info,
                                  b.process.vspace, TASK_BOOT_INFO_ADDRESS, OPAL_MAP_READ)))
        return fail(&b, "its boot info", error);
    if ((error = start(&b, cspace)))
        return fail(&b, "starting it", error);
    return OPAL_OK;
}
