/* What the components take of the platform's free RAM: each one's arena,
 * sized by the one formula init carves with (system_arena_size), and the
 * channel regions and disk links init makes once. */
#include "blk_link.h"
#include "core/format.h"
#include "core/system_internal.h"
#include "task_boot.h"

#define SMALL_PAGE 0x1000u

static uint64_t round_up(uint64_t value, uint64_t unit)
{
    return (value + unit - 1) / unit * unit;
}

/* The size of file `name`, 0 if it is not known (no files, no name, no file). */
static uint32_t file_size(const struct system_files *files, const char *name)
{
    struct system_file file;
    if (files == NULL || name[0] == '\0' || !files->find(files->context, name, &file))
        return 0;
    return file.size;
}

uint64_t system_arena_size(const struct system *system, uint32_t i,
                           const struct system_files *files)
{
    uint64_t bytes;
    if (i < system->vm_count) {
        const struct system_vm *vm = &system->vms[i];
        bytes = round_up(vm->ram_size, VMM_IMAGE_ALIGN) +
                round_up(file_size(files, vm->kernel), VMM_IMAGE_ALIGN) +
                round_up(file_size(files, vm->initrd), VMM_IMAGE_ALIGN) +
                VMM_IMAGE_ALIGN /* the generated DTB */ + round_up(file_size(files, "vmm"), SMALL_PAGE);
    } else {
        const struct system_task *task = &system->tasks[i - system->vm_count];
        bytes = round_up(file_size(files, task->image), SMALL_PAGE) + task->stack_size +
                task->heap_size + (task->disk_sectors != 0 ? TASK_DISK_DMA_SIZE : 0);
    }
    return round_up(bytes + SYSTEM_COMPONENT_OVERHEAD, SYSTEM_ARENA_UNIT);
}

/* Arenas in the order init carves them, then the channel regions; the
 * first VM that does not fit is named. */
void system_check_memory(struct checker *c, const struct system_files *files)
{
    const struct system *system = c->system;
    uint64_t used = 0, free = c->platform->ram_free;
    bool reported = false;
    for (uint32_t i = 0; i < system_component_count(system); i++) {
        uint64_t arena = system_arena_size(system, i, files);
        if (!reported && i < system->vm_count && used + arena > free) {
            char path[SYSTEM_PATH_MAX];
            system_component_path(system, i, path);
            system_error(c->errors, path, "ram-size 0x%x does not fit: with its images and "
                         "init's objects it takes 0x%llx bytes, and 0x%llx of the 0x%llx bytes "
                         "free for components are already used",
                         (unsigned)system->vms[i].ram_size, (unsigned long long)arena,
                         (unsigned long long)used, (unsigned long long)free);
            reported = true;
        }
        used += arena;
    }
    for (uint32_t i = 0; i < system->channel_count; i++)
        used += system->channels[i].size;
    /* a disk's link and RAM table per VM with one, made once like channels */
    for (uint32_t i = 0; i < system->vm_count; i++)
        used += system->vms[i].disk[0] != '\0' ? BLK_LINK_SIZE + SMALL_PAGE : 0;
    if (!reported && used > free)
        system_error(c->errors, "/", "the components need 0x%llx bytes of RAM (their RAM, "
                     "images, stacks, heaps and channels, and 0x%x each for init's objects), "
                     "more than the 0x%llx free", (unsigned long long)used,
                     SYSTEM_COMPONENT_OVERHEAD, (unsigned long long)free);
}
