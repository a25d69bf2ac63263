/* Components: the records init keeps for each VM and task, what is made once
 * for each (its arena, notification, fault badge and console connection),
 * and building and tearing down an instance inside its arena. */
#include "core/string.h"
#include "init.h"
#include "process.h"
#include "runtime/mem.h"
#include "vmm_boot.h"

/* Where init maps a frame to fill it: one place per frame size, since a
 * page table made for a small frame would be in the way of a large one. */
#define SCRATCH_LARGE 0x30000000u
#define SCRATCH_SMALL 0x30200000u

struct component init_components[SYSTEM_MAX_COMPONENTS];
uint32_t init_component_count;

struct component *component_find(const char *name)
{
    for (uint32_t i = 0; i < init_component_count; i++)
        if (core_strcmp(init_components[i].name, name) == 0)
            return &init_components[i];
    return NULL;
}

static void add(enum component_kind kind, const struct system_component *config,
                const struct system_vm *vm, const struct system_task *task)
{
    struct component *c = &init_components[init_component_count];
    *c = (struct component){ .name = config->name, .kind = kind, .config = config, .vm = vm,
                             .task = task, .number = init_component_count + 1 };
    c->arena.owner = c->number;
    init_component_count++;
}

/* The console connection: a VM's VMM is signalled on its own notification
 * (VMM_BADGE_CONSOLE), a task on a notification of its own. */
static int connect_console(struct component *c)
{
    uint32_t signal = opal_alloc_slot();
    int error;
    if (signal == 0)
        return OPAL_ERR_NOT_ENOUGH_MEMORY;
    if (c->kind == COMPONENT_VM)
        error = opal_cnode_mint(OPAL_CAP_INIT_CNODE, signal, c->notification, OPAL_RIGHT_WRITE,
                                VMM_BADGE_CONSOLE);
    else if ((error = opal_alloc_object(OPAL_OBJECT_NOTIFICATION, 0, &c->console_wait)) == OPAL_OK)
        error = opal_cnode_copy(OPAL_CAP_INIT_CNODE, signal, c->console_wait, OPAL_RIGHT_WRITE);
    /* VMs read their input; a task only if the description gives it the console's. */
    bool takes_input = c->kind == COMPONENT_VM ||
                       core_strcmp(c->name, init_system.console_input) == 0;
    if (error == OPAL_OK)
        error = console_connect(c->name, takes_input, signal, &c->console_connection);
    opal_free_slot(signal);
    c->console = error == OPAL_OK;
    if (error != OPAL_OK)
        printf("init: %s: connecting it to the console: %s\n", c->name, opal_error_name(error));
    return error;
}

/* What outlives its instances: arena, notification, fault badge. */
static int prepare_once(struct component *c)
{
    int error;
    /* exactly what the checker counted for it */
    c->arena_size = system_arena_size(&init_system, c->number - 1, description_files());
    if ((error = opal_arena_carve(&c->arena, c->arena_size)))
        return error;
    if ((error = opal_alloc_object(OPAL_OBJECT_NOTIFICATION, 0, &c->notification)))
        return error;
    if ((c->parent = opal_alloc_slot()) == 0)
        return OPAL_ERR_NOT_ENOUGH_MEMORY;
    return opal_cnode_mint(OPAL_CAP_INIT_CNODE, c->parent, init_endpoint, OPAL_RIGHTS_ALL,
                           c->number);
}

int components_prepare(bool console)
{
    init_component_count = 0;
    for (uint32_t i = 0; i < init_system.vm_count; i++)
        add(COMPONENT_VM, &init_system.vms[i].component, &init_system.vms[i], NULL);
    for (uint32_t i = 0; i < init_system.task_count; i++)
        add(COMPONENT_TASK, &init_system.tasks[i].component, NULL, &init_system.tasks[i]);
    for (uint32_t i = 0; i < init_component_count; i++) {
        int error = prepare_once(&init_components[i]);
        if (error != OPAL_OK) {
            printf("init: %s: setting aside %llu MiB for it: %s\n", init_components[i].name,
                   (unsigned long long)(init_components[i].arena_size >> 20),
                   opal_error_name(error));
            return error;
        }
    }
    if (!console)
        return OPAL_OK;
    /* The component named in /console/input connects first: the server
     * gives input to its first client that takes it. */
    struct component *first = component_find(init_system.console_input);
    int error = first != NULL ? connect_console(first) : OPAL_OK;
    for (uint32_t i = 0; i < init_component_count && error == OPAL_OK; i++)
        if (&init_components[i] != first)
            error = connect_console(&init_components[i]);
    return error;
}

int component_build(struct component *c)
{
    opal_arena_enter(&c->arena);
    c->tcb_count = 0;
    int error = c->kind == COMPONENT_VM ? vm_build(c) : task_build(c);
    uint32_t domain = schedule_domain(c->name);
    for (uint32_t i = 0; i < c->tcb_count && error == OPAL_OK && domain != 0; i++)
        error = opal_sched_control_set_domain(OPAL_CAP_SCHED_CONTROL, c->tcbs[i], domain);
    opal_arena_enter(NULL);
    if (error != OPAL_OK) {
        component_teardown(c);
        return error;
    }
    c->running = true;
    return OPAL_OK;
}

int component_teardown(struct component *c)
{
    c->running = false;
    c->tcb_count = 0;
    return opal_arena_clear(&c->arena);
}

int give_irq(uint32_t irq, uint32_t notification, uint32_t badge, uint32_t cnode, uint32_t slot)
{
    uint32_t handler = opal_alloc_slot(), badged = opal_alloc_slot();
    int error;
    if (handler == 0 || badged == 0)
        return OPAL_ERR_NOT_ENOUGH_MEMORY;
    if ((error = opal_irq_control_get(OPAL_CAP_IRQ_CONTROL, irq, OPAL_CAP_INIT_CNODE, handler)) ||
        (error = opal_cnode_mint(OPAL_CAP_INIT_CNODE, badged, notification, OPAL_RIGHT_WRITE,
                                 badge)) ||
        (error = opal_irq_handler_set_notification(handler, badged)) ||
        (error = opal_cnode_move(cnode, slot, handler)))
        return error;
    return opal_free_slot(handler);
}

int map_copy(uint32_t frame, uint32_t vspace, uint32_t address, uint32_t rights)
{
    uint32_t copy = opal_alloc_slot();
    int error;
    if (copy == 0)
        return OPAL_ERR_NOT_ENOUGH_MEMORY;
    if ((error = opal_cnode_copy(OPAL_CAP_INIT_CNODE, copy, frame, OPAL_RIGHTS_ALL)))
        return error;
    return process_map_frame(copy, vspace, address, rights);
}

int map_filled_frame(uint32_t bits, const void *data, uint32_t size, uint32_t vspace,
                     uint32_t address, uint32_t rights)
{
    uint32_t frame;
    uint8_t *scratch = (uint8_t *)(bits == OPAL_FRAME_SMALL_BITS ? SCRATCH_SMALL : SCRATCH_LARGE);
    int error;
    if (size > 1u << bits)
        return OPAL_ERR_RANGE;
    if ((error = opal_alloc_object(OPAL_OBJECT_FRAME, bits, &frame)) ||
        (error = process_map_frame(frame, OPAL_CAP_INIT_VSPACE, (uint32_t)scratch,
                                   OPAL_MAP_READ | OPAL_MAP_WRITE)))
        return error;
    /* The rest of the frame is zero already: the kernel zeroes at retype. */
    memcpy(scratch, data, size);
    if ((error = opal_frame_unmap(frame)))
        return error;
    return process_map_frame(frame, vspace, address, rights);
}
