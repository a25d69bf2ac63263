/* The rules of VMs' disks (docs/configuration.md, docs/devices.md): each
 * VM's `disk` names a task that is a disk driver (`disk-sectors`), its
 * `disk-region` is non-empty, inside that disk and clear of every other
 * VM's region on it; and a driver has its device and interrupt and is
 * never restarted (its device may still be writing into its memory). */
#include "core/string.h"
#include "core/system_internal.h"
#include "task_boot.h"

_Static_assert(SYSTEM_MAX_VMS <= TASK_DISK_MAX_CLIENTS, "every VM may use one driver");

/* The task VM `vm`'s disk names, or NULL (reported) if it is none or no driver. */
static const struct system_task *driver_of(struct checker *c, const struct system_vm *vm,
                                           const char *path)
{
    int k = system_find_component(c->system, vm->disk);
    if (k < 0 || (uint32_t)k < c->system->vm_count) {
        system_error(c->errors, path, "disk \"%s\" is not a task", vm->disk);
        return NULL;
    }
    const struct system_task *task = &c->system->tasks[(uint32_t)k - c->system->vm_count];
    if (task->disk_sectors == 0) {
        system_error(c->errors, path, "disk \"%s\" is not a disk driver: /tasks/%s has no "
                     "disk-sectors", vm->disk, vm->disk);
        return NULL;
    }
    return task;
}

static bool regions_overlap(const struct system_vm *a, const struct system_vm *b)
{
    return (uint64_t)a->disk_start < (uint64_t)b->disk_start + b->disk_sectors &&
           (uint64_t)b->disk_start < (uint64_t)a->disk_start + a->disk_sectors;
}

static void check_vm_disk(struct checker *c, uint32_t vm_index)
{
    const struct system_vm *vm = &c->system->vms[vm_index];
    char path[SYSTEM_PATH_MAX];
    system_component_path(c->system, vm_index, path);
    const struct system_task *task = driver_of(c, vm, path);
    if (task == NULL)
        return;
    if (vm->disk_sectors == 0) {
        system_error(c->errors, path, "disk-region <%u 0> has 0 sectors",
                     (unsigned)vm->disk_start);
        return;
    }
    if ((uint64_t)vm->disk_start + vm->disk_sectors > task->disk_sectors) {
        system_error(c->errors, path, "disk-region <%u %u> ends past the disk's end: "
                     "/tasks/%s has disk-sectors %u", (unsigned)vm->disk_start,
                     (unsigned)vm->disk_sectors, vm->disk, (unsigned)task->disk_sectors);
        return;
    }
    for (uint32_t j = 0; j < vm_index; j++) {
        const struct system_vm *other = &c->system->vms[j];
        if (core_strcmp(other->disk, vm->disk) == 0 && regions_overlap(vm, other)) {
            system_error(c->errors, path, "disk-region <%u %u> overlaps /vms/%s's <%u %u> "
                         "on disk \"%s\"", (unsigned)vm->disk_start, (unsigned)vm->disk_sectors,
                         other->component.name, (unsigned)other->disk_start,
                         (unsigned)other->disk_sectors, vm->disk);
            return;
        }
    }
}

static void check_driver(struct checker *c, uint32_t task_index)
{
    const struct system_task *task = &c->system->tasks[task_index];
    if (task->disk_sectors == 0)
        return;
    char path[SYSTEM_PATH_MAX];
    system_component_path(c->system, c->system->vm_count + task_index, path);
    if (task->component.device_count == 0 || task->component.irq_count == 0)
        system_error(c->errors, path, "a disk driver needs its device and its interrupt "
                     "(devices and irqs)");
    if (task->component.fault_policy == SYSTEM_FAULT_RESTART)
        system_error(c->errors, path, "a disk driver cannot be restarted (fault = \"restart\"): "
                     "its device may still be writing into its memory");
}

void system_check_disks(struct checker *c)
{
    for (uint32_t i = 0; i < c->system->vm_count; i++)
        if (c->system->vms[i].disk[0] != '\0')
            check_vm_disk(c, i);
    for (uint32_t i = 0; i < c->system->task_count; i++)
        check_driver(c, i);
}
