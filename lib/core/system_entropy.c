/* The rules of VMs' entropy drivers (docs/configuration.md, docs/devices.md):
 * each VM's `entropy` names a task that drives no disk, and such a task has
 * its device and interrupt and is never restarted (its device may still be
 * writing into its DMA memory). */
#include "core/string.h"
#include "core/system_internal.h"
#include "task_boot.h"

_Static_assert(SYSTEM_MAX_VMS <= TASK_ENTROPY_MAX_CLIENTS, "every VM may use one driver");

bool system_is_entropy_driver(const struct system *system, const char *name)
{
    for (uint32_t i = 0; i < system->vm_count; i++)
        if (core_strcmp(system->vms[i].entropy, name) == 0)
            return true;
    return false;
}

static void check_vm_entropy(struct checker *c, uint32_t vm_index)
{
    const struct system_vm *vm = &c->system->vms[vm_index];
    char path[SYSTEM_PATH_MAX];
    system_component_path(c->system, vm_index, path);
    int k = system_find_component(c->system, vm->entropy);
    if (k < 0 || (uint32_t)k < c->system->vm_count) {
        system_error(c->errors, path, "entropy \"%s\" is not a task", vm->entropy);
        return;
    }
    if (c->system->tasks[(uint32_t)k - c->system->vm_count].disk_sectors != 0)
        system_error(c->errors, path, "entropy \"%s\" is a disk driver (/tasks/%s has "
                     "disk-sectors): a driver task serves one device", vm->entropy, vm->entropy);
}

void system_check_entropy(struct checker *c)
{
    for (uint32_t i = 0; i < c->system->vm_count; i++)
        if (c->system->vms[i].entropy[0] != '\0')
            check_vm_entropy(c, i);
    for (uint32_t i = 0; i < c->system->task_count; i++)
        if (system_is_entropy_driver(c->system, c->system->tasks[i].component.name))
            system_check_driver_task(c, i, "an entropy driver");
}
