/* The rules that come from what the kernel, init and the VMM enforce when
 * the system is built: each limit is taken from the header the enforcing
 * code uses, so a description the checker accepts is one they all accept. */
#include "console_ring.h"
#include "core/format.h"
#include "core/system_internal.h"
#include "opal/limits.h"
#include "process.h"
#include "task_boot.h"
#include "vmm_boot.h"

#define FOUR_GIB 0x100000000ull

/* The kernel's SchedControl refuses longer periods (budget ≤ period and
 * budget non-zero are system_check.c's). */
static void check_period(struct checker *c, uint32_t i)
{
    const struct system_component *k = system_component_at(c->system, i);
    if (k->period_us <= OPAL_SCHED_PERIOD_MAX_US)
        return;
    char path[SYSTEM_PATH_MAX];
    system_component_path(c->system, i, path);
    system_error(c->errors, path, "period-us %u is above the kernel's longest period, %u",
                 (unsigned)k->period_us, OPAL_SCHED_PERIOD_MAX_US);
}

/* What fits a task's address space (lib/process.h, lib/task_boot.h). */
static void check_task_layout(struct checker *c, uint32_t task_index)
{
    const struct system_task *task = &c->system->tasks[task_index];
    char path[SYSTEM_PATH_MAX];
    system_component_path(c->system, c->system->vm_count + task_index, path);
    if (task->stack_size > PROCESS_STACK_MAX)
        system_error(c->errors, path, "stack-size 0x%x is above 0x%x, the most a task's "
                     "address space has room for", (unsigned)task->stack_size,
                     PROCESS_STACK_MAX);
    if (task->heap_size > TASK_HEAP_MAX)
        system_error(c->errors, path, "heap-size 0x%x is above 0x%x, the most a task's "
                     "address space has room for", (unsigned)task->heap_size, TASK_HEAP_MAX);
    const struct system_component *k = &task->component;
    for (uint32_t d = 0; d < k->device_count; d++)
        if (k->devices[d].size > TASK_WINDOW_MAX)
            system_error(c->errors, path, "device 0x%08x+0x%x is larger than a task's device "
                         "window, 0x%x", (unsigned)k->devices[d].base,
                         (unsigned)k->devices[d].size, TASK_WINDOW_MAX);
}

/* Guest RAM appears in the VMM's own address space at its guest-physical
 * address (lib/vmm_boot.h), so it must miss what the VMM has there. */
static void check_vmm_layout(struct checker *c, uint32_t vm_index)
{
    static const struct {
        uint32_t base, size;
        const char *what;
    } own[] = {
        { VMM_OWN_BASE, VMM_OWN_END - VMM_OWN_BASE, "its boot info, stack and program" },
        { VMM_IMAGES_ADDRESS, VMM_IMAGES_MAX, "the guest's images" },
    };
    const struct system_vm *vm = &c->system->vms[vm_index];
    for (uint32_t i = 0; i < sizeof own / sizeof own[0]; i++) {
        if (!system_ranges_overlap(vm->ram_base, vm->ram_size, own[i].base, own[i].size))
            continue;
        char path[SYSTEM_PATH_MAX];
        system_component_path(c->system, vm_index, path);
        system_error(c->errors, path, "ram at 0x%08x+0x%x overlaps 0x%08x+0x%x, where the "
                     "VMM keeps %s", (unsigned)vm->ram_base, (unsigned)vm->ram_size,
                     (unsigned)own[i].base, (unsigned)own[i].size, own[i].what);
    }
}

/* In a VM, a channel's region is followed by its doorbell page, which the
 * VMM takes only below 4 GiB. */
static void check_channel_top(struct checker *c, uint32_t index)
{
    const struct system_channel *channel = &c->system->channels[index];
    for (uint32_t end = 0; end < 2; end++) {
        int k = system_find_component(c->system, channel->ends[end]);
        if (k < 0 || (uint32_t)k >= c->system->vm_count)
            continue;
        uint64_t top = (uint64_t)channel->guest_address[end] + channel->size + VMM_DOORBELL_SIZE;
        if (top <= FOUR_GIB)
            continue;
        char path[SYSTEM_PATH_MAX];
        format_string(path, sizeof path, "/channels/%s", channel->name);
        system_error(c->errors, path, "guest-address 0x%08x: the region (0x%x) and its "
                     "doorbell page (0x%x) in VM %s end past 4 GiB",
                     (unsigned)channel->guest_address[end], (unsigned)channel->size,
                     VMM_DOORBELL_SIZE, channel->ends[end]);
    }
}

/* The kernel's domain schedule: windows of a least a minimum length, and
 * a bounded total. */
static void check_windows(struct checker *c)
{
    const struct system *system = c->system;
    uint64_t total = 0;
    for (uint32_t w = 0; w < system->window_count; w++) {
        uint32_t length = system->windows[w].length_us;
        if (length < OPAL_DOMAIN_WINDOW_MIN_US)
            system_error(c->errors, "/schedule", "window %u: its length %u us is below the "
                         "kernel's shortest window, %u us", (unsigned)w, (unsigned)length,
                         OPAL_DOMAIN_WINDOW_MIN_US);
        total += length;
    }
    if (total > OPAL_DOMAIN_SCHEDULE_MAX_US)
        system_error(c->errors, "/schedule", "the windows add up to %llu us, above the "
                     "kernel's longest schedule, %u us", (unsigned long long)total,
                     OPAL_DOMAIN_SCHEDULE_MAX_US);
}

void system_check_limits(struct checker *c)
{
    const struct system *system = c->system;
    /* init connects every component to the console server. */
    if (system_component_count(system) > CONSOLE_MAX_CLIENTS)
        system_error(c->errors, "/", "%u VMs and tasks, more than the console server's %u "
                     "clients", (unsigned)system_component_count(system), CONSOLE_MAX_CLIENTS);
    for (uint32_t i = 0; i < system_component_count(system); i++)
        check_period(c, i);
    for (uint32_t i = 0; i < system->task_count; i++)
        check_task_layout(c, i);
    for (uint32_t i = 0; i < system->vm_count; i++)
        check_vmm_layout(c, i);
    for (uint32_t i = 0; i < system->channel_count; i++)
        check_channel_top(c, i);
    check_windows(c);
}
