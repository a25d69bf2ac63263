/* Components: the records init keeps for each VM and task, what is made once
 * for each (its arena, notification, fault badge and console connection),
 * and building and tearing down an instance inside its arena. */
#include "core/string.h"
#include "init.h"
#include "vmm_boot.h"

const struct component *component_find(const struct init *init, const char *name)
{
    for (uint32_t i = 0; i < init->component_count; i++)
        if (core_strcmp(init->components[i].name, name) == 0)
            return &init->components[i];
    return NULL;
}

static void add(struct init *init, enum component_kind kind,
                const struct system_component *config, const struct system_vm *vm,
                const struct system_task *task)
{
    struct component *c = &init->components[init->component_count];
    *c = (struct component){ .name = config->name, .kind = kind, .config = config, .vm = vm,
                             .task = task, .number = init->component_count + 1 };
    c->arena.owner = c->number;
    init->component_count++;
}

/* The console connection: a VM's VMM is signalled on its own notification
 * (VMM_BADGE_CONSOLE), a task on a notification of its own. */
static int connect_console(const struct init *init, struct component *c)
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
                       core_strcmp(c->name, init->system.console_input) == 0;
    if (error == OPAL_OK)
        error = console_connect(c->name, takes_input, signal, &c->console_connection);
    opal_free_slot(signal);
    c->console = error == OPAL_OK;
    if (error != OPAL_OK)
        printf("init: %s: connecting it to the console: %s\n", c->name, opal_error_name(error));
    return error;
}

/* Every component to the console server. The one named in /console/input
 * connects first (pass 0), the rest after it in order (pass 1): the server
 * gives input to its first client that takes it. */
static int connect_consoles(struct init *init)
{
    const struct component *first = component_find(init, init->system.console_input);
    int error = OPAL_OK;
    for (int pass = 0; pass < 2; pass++)
        for (uint32_t i = 0; i < init->component_count && error == OPAL_OK; i++)
            if ((&init->components[i] == first) == (pass == 0))
                error = connect_console(init, &init->components[i]);
    return error;
}

/* What outlives its instances: arena, notification, fault badge. */
static int prepare_once(const struct init *init, struct component *c)
{
    struct system_files files;
    int error;
    /* exactly what the checker counted for it */
    description_files(init->bootinfo, &files);
    c->arena_size = system_arena_size(&init->system, c->number - 1, &files);
    if ((error = opal_arena_carve(&c->arena, c->arena_size)))
        return error;
    if ((error = opal_alloc_object(OPAL_OBJECT_NOTIFICATION, 0, &c->notification)))
        return error;
    if ((c->parent = opal_alloc_slot()) == 0)
        return OPAL_ERR_NOT_ENOUGH_MEMORY;
    return opal_cnode_mint(OPAL_CAP_INIT_CNODE, c->parent, init->endpoint, OPAL_RIGHTS_ALL,
                           c->number);
}

int components_prepare(struct init *init)
{
    const struct system *system = &init->system;
    init->component_count = 0;
    for (uint32_t i = 0; i < system->vm_count; i++)
        add(init, COMPONENT_VM, &system->vms[i].component, &system->vms[i], NULL);
    for (uint32_t i = 0; i < system->task_count; i++)
        add(init, COMPONENT_TASK, &system->tasks[i].component, NULL, &system->tasks[i]);
    for (uint32_t i = 0; i < init->component_count; i++) {
        struct component *c = &init->components[i];
        int error = prepare_once(init, c);
        if (error != OPAL_OK) {
            printf("init: %s: setting aside %llu MiB for it: %s\n", c->name,
                   (unsigned long long)(c->arena_size >> 20), opal_error_name(error));
            return error;
        }
    }
    return connect_consoles(init);
}

int component_build(const struct init *init, struct component *c)
{
    opal_arena_enter(&c->arena);
    c->tcb_count = 0;
    int error = c->kind == COMPONENT_VM ? vm_build(init, c) : task_build(init, c);
    uint32_t domain = schedule_domain(&init->system, c->name);
    for (uint32_t i = 0; i < c->tcb_count && error == OPAL_OK && domain != 0; i++)
        error = opal_sched_control_set_domain(OPAL_CAP_SCHED_CONTROL, c->tcbs[i], domain);
    opal_arena_enter(NULL);
    if (error != OPAL_OK) {
        component_teardown(init, c);
        return error;
    }
    c->running = true;
    return OPAL_OK;
}

/* Whether the instance's memory may be reused: never a disk driver's (its
 * device may still be writing into it and into its clients' RAM: nothing
 * but the driver could stop it); a VM's with a disk once its driver has
 * let go of it (disk.c). */
static bool may_take_back(const struct init *init, const struct component *c)
{
    if (c->kind == COMPONENT_TASK && c->task->disk_sectors != 0) {
        printf("init: %s: a disk driver's device may still be writing into its memory and "
               "its clients' RAM\n", c->name);
        return false;
    }
    return disk_release(init, c);
}

int component_teardown(const struct init *init, struct component *c)
{
    /* Stopped first, so nothing of it writes to what outlives it (a link). */
    for (uint32_t i = 0; i < c->tcb_count; i++)
        opal_tcb_suspend(c->tcbs[i]);
    c->running = false;
    if (!may_take_back(init, c)) {
        c->set_aside = true;
        printf("init: %s: set aside: its threads are stopped and its memory stays out of "
               "use; it is not started again\n", c->name);
        return OPAL_ERR_ILLEGAL_OPERATION;
    }
    c->tcb_count = 0;
    return opal_arena_clear(&c->arena);
}

void component_budget(const struct component *c, uint32_t *budget_us, uint32_t *period_us)
{
    const struct system_component *config = c->config;
    *budget_us = config->budget_us ? config->budget_us : FULL_BUDGET_US;
    *period_us = config->budget_us ? config->period_us : FULL_BUDGET_US;
}
