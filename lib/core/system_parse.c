/* Reading the system description's DTB into struct system: every node and
 * property is known and typed here, so an unknown name or a wrong type is
 * an error with its node path (docs/configuration.md). */
#include <stdbool.h>
#include "core/fdt.h"
#include "core/format.h"
#include "core/string.h"
#include "core/system_property.h"
#include "opal/error.h"

struct parser {
    struct fdt fdt;
    struct system *system;
    struct system_errors *errors;
    /* per channel, the cells guest-address and guest-interrupt listed */
    uint32_t guest_address_count[SYSTEM_MAX_CHANNELS];
    uint32_t guest_irq_count[SYSTEM_MAX_CHANNELS];
};

static const struct property_rule root_rules[] = {
    { "compatible", TYPE_STRINGS, 4 }, { "model", TYPE_STRING, 64 },
    { "#address-cells", TYPE_U32, 0 }, { "#size-cells", TYPE_U32, 0 },
};
#define COMPONENT_RULES                                                                  \
    { "priority", TYPE_U32, 0 }, { "budget-us", TYPE_U32, 0 }, { "period-us", TYPE_U32, 0 }, \
    { "fault", TYPE_STRING, 8 }, { "restart-limit", TYPE_U32, 0 },                        \
    { "devices", TYPE_CELLS, 2 * SYSTEM_MAX_DEVICES }, { "irqs", TYPE_CELLS, SYSTEM_MAX_IRQS }
static const struct property_rule vm_rules[] = {
    COMPONENT_RULES, { "vmm-priority", TYPE_U32, 0 }, { "ram-base", TYPE_U32, 0 },
    { "ram-size", TYPE_U32, 0 }, { "vcpus", TYPE_U32, 0 },
    { "cpus", TYPE_CELLS, SYSTEM_MAX_VCPUS },
    { "kernel", TYPE_STRING, SYSTEM_FILE_MAX }, { "initrd", TYPE_STRING, SYSTEM_FILE_MAX },
    { "dtb-fragment", TYPE_STRING, SYSTEM_FILE_MAX }, { "bootargs", TYPE_STRING, SYSTEM_BOOTARGS_MAX },
    { "stray-access", TYPE_STRING, 8 },
    { "disk", TYPE_STRING, SYSTEM_NAME_MAX }, { "disk-region", TYPE_CELLS, 2 },
};
static const struct property_rule task_rules[] = {
    COMPONENT_RULES, { "image", TYPE_STRING, SYSTEM_FILE_MAX },
    { "stack-size", TYPE_U32, 0 }, { "heap-size", TYPE_U32, 0 }, { "cpu", TYPE_U32, 0 },
    { "arguments", TYPE_CELLS, SYSTEM_MAX_ARGUMENTS }, { "disk-sectors", TYPE_U32, 0 },
};
static const struct property_rule channel_rules[] = {
    { "ends", TYPE_STRINGS, 2 }, { "size", TYPE_U32, 0 },
    { "guest-address", TYPE_CELLS, 2 }, { "guest-interrupt", TYPE_CELLS, 2 },
};
static const struct property_rule schedule_rules[] = {
    { "components", TYPE_STRINGS, SYSTEM_MAX_WINDOWS },
    { "lengths-us", TYPE_CELLS, SYSTEM_MAX_WINDOWS },
};
static const struct property_rule console_rules[] = { { "input", TYPE_STRING, SYSTEM_NAME_MAX } };
#define RULES(table) PROPERTY_RULES(table)


/* The next child of parent after `previous` (-1: the first), or a negative
 * value when there is none (or the blob is broken). */
static int next_child(struct parser *p, int parent, int previous)
{
    int depth = 0;
    int node = fdt_next_node(&p->fdt, previous < 0 ? parent : previous, &depth);
    if (previous < 0)
        return depth == 1 ? node : -OPAL_ERR_NOT_FOUND;
    while (node >= 0 && depth > 0)
        node = fdt_next_node(&p->fdt, node, &depth);
    return depth == 0 ? node : -OPAL_ERR_NOT_FOUND;
}

static void child_path(char *path, const char *parent, const char *name)
{
    format_string(path, SYSTEM_PATH_MAX, "%s/%s", parent, name);
}

static bool copy_name(struct parser *p, const char *path, const char *name, char *to)
{
    if (core_strlen(name) >= SYSTEM_NAME_MAX) {
        system_error(p->errors, path, "the name is longer than %u characters",
                     SYSTEM_NAME_MAX - 1);
        return false;
    }
    core_strlcpy(to, name, SYSTEM_NAME_MAX);
    return true;
}

static const char *fault_names[] = { "stop", "restart", "halt" };

static void parse_component(struct parser *p, int node, const char *path,
                            struct system_component *c)
{
    property_require(&p->fdt, p->errors, node, path, "priority");
    c->priority = property_u32(&p->fdt, node, "priority", 0);
    c->budget_us = property_u32(&p->fdt, node, "budget-us", 0);
    c->period_us = property_u32(&p->fdt, node, "period-us", 0);
    c->restart_limit = property_u32(&p->fdt, node, "restart-limit", 0);
    char fault[8];
    property_string(&p->fdt, node, "fault", fault, sizeof fault);
    c->fault_policy = SYSTEM_FAULT_STOP;
    for (uint32_t i = 0; i < 3; i++)
        if (core_strcmp(fault, fault_names[i]) == 0)
            c->fault_policy = i;
    if (fault[0] != '\0' && core_strcmp(fault, fault_names[c->fault_policy]) != 0)
        system_error(p->errors, path, "fault must be \"stop\", \"restart\" or \"halt\"");
    uint32_t cells[2 * SYSTEM_MAX_DEVICES];
    uint32_t count = property_cells(&p->fdt, node, "devices", cells, 2 * SYSTEM_MAX_DEVICES);
    if (count % 2 != 0)
        system_error(p->errors, path, "devices must be <base size> pairs");
    for (c->device_count = 0; 2 * c->device_count + 1 < count; c->device_count++)
        c->devices[c->device_count] = (struct system_range){ cells[2 * c->device_count],
                                                            cells[2 * c->device_count + 1] };
    c->irq_count = property_cells(&p->fdt, node, "irqs", c->irqs, SYSTEM_MAX_IRQS);
}

/* stray-access: "abort" (the default) or "stop", in enum system_stray_access order. */
static void parse_stray_access(struct parser *p, int node, const char *path,
                               struct system_vm *vm)
{
    static const char *const names[] = { "abort", "stop" };
    char value[8];
    property_string(&p->fdt, node, "stray-access", value, sizeof value);
    vm->stray_access = SYSTEM_STRAY_ABORT;
    if (value[0] == '\0')
        return;
    for (uint32_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (core_strcmp(value, names[i]) == 0) {
            vm->stray_access = i;
            return;
        }
    system_error(p->errors, path, "stray-access must be \"abort\" or \"stop\"");
}

/* disk and disk-region: both or neither; the region is exactly
 * <start-sector sector-count>. What they name is system_disks.c's. */
static void parse_disk(struct parser *p, int node, const char *path, struct system_vm *vm)
{
    uint32_t region[2] = { 0, 0 };
    bool has_region = fdt_property(&p->fdt, node, "disk-region", NULL) != NULL;
    property_string(&p->fdt, node, "disk", vm->disk, sizeof vm->disk);
    if ((vm->disk[0] != '\0') != has_region) {
        system_error(p->errors, path, "disk and disk-region must both be given, or neither");
        return;
    }
    if (has_region && property_cells(&p->fdt, node, "disk-region", region, 2) != 2)
        system_error(p->errors, path, "disk-region must be <start-sector sector-count>");
    vm->disk_start = region[0];
    vm->disk_sectors = region[1];
}

static void parse_vm(struct parser *p, int node, const char *path, struct system_vm *vm)
{
    if (!property_check(&p->fdt, p->errors, node, path, RULES(vm_rules)))
        return;
    parse_component(p, node, path, &vm->component);
    property_require(&p->fdt, p->errors, node, path, "vmm-priority");
    property_require(&p->fdt, p->errors, node, path, "ram-base");
    property_require(&p->fdt, p->errors, node, path, "ram-size");
    property_require(&p->fdt, p->errors, node, path, "kernel");
    vm->vmm_priority = property_u32(&p->fdt, node, "vmm-priority", 0);
    vm->ram_base = property_u32(&p->fdt, node, "ram-base", 0);
    vm->ram_size = property_u32(&p->fdt, node, "ram-size", 0);
    vm->vcpus = property_u32(&p->fdt, node, "vcpus", 1);
    /* Absent: every vCPU on core 0 (cpus[] stays zero). */
    vm->cpu_count = property_cells(&p->fdt, node, "cpus", vm->cpus, SYSTEM_MAX_VCPUS);
    property_string(&p->fdt, node, "kernel", vm->kernel, sizeof vm->kernel);
    property_string(&p->fdt, node, "initrd", vm->initrd, sizeof vm->initrd);
    property_string(&p->fdt, node, "dtb-fragment", vm->dtb_fragment, sizeof vm->dtb_fragment);
    property_string(&p->fdt, node, "bootargs", vm->bootargs, sizeof vm->bootargs);
    parse_stray_access(p, node, path, vm);
    parse_disk(p, node, path, vm);
}

static void parse_task(struct parser *p, int node, const char *path, struct system_task *task)
{
    if (!property_check(&p->fdt, p->errors, node, path, RULES(task_rules)))
        return;
    parse_component(p, node, path, &task->component);
    property_require(&p->fdt, p->errors, node, path, "image");
    property_string(&p->fdt, node, "image", task->image, sizeof task->image);
    task->stack_size = property_u32(&p->fdt, node, "stack-size", 0x4000);
    task->heap_size = property_u32(&p->fdt, node, "heap-size", 0);
    task->cpu = property_u32(&p->fdt, node, "cpu", 0);
    task->argument_count = property_cells(&p->fdt, node, "arguments", task->arguments,
                                     SYSTEM_MAX_ARGUMENTS);
    task->disk_sectors = property_u32(&p->fdt, node, "disk-sectors", 0);
    if (task->disk_sectors == 0 && fdt_property(&p->fdt, node, "disk-sectors", NULL) != NULL)
        system_error(p->errors, path, "disk-sectors must be non-zero");
}

static void parse_channel(struct parser *p, int node, const char *path, uint32_t index)
{
    struct system_channel *channel = &p->system->channels[index];
    if (!property_check(&p->fdt, p->errors, node, path, RULES(channel_rules)))
        return;
    property_require(&p->fdt, p->errors, node, path, "ends");
    property_require(&p->fdt, p->errors, node, path, "size");
    uint32_t length;
    const char *ends = fdt_property(&p->fdt, node, "ends", &length);
    if (ends != NULL && property_string_count(ends, length) != 2)
        system_error(p->errors, path, "ends must name two components");
    for (uint32_t end = 0; end < 2; end++)
        property_list_string(&p->fdt, node, "ends", end, channel->ends[end], SYSTEM_NAME_MAX);
    channel->size = property_u32(&p->fdt, node, "size", 0);
    /* guest-address and guest-interrupt: one cell per VM end, matched to
     * ends by system_check(); here they are kept in order. */
    p->guest_address_count[index] = property_cells(&p->fdt, node, "guest-address",
                                              channel->guest_address, 2);
    p->guest_irq_count[index] = property_cells(&p->fdt, node, "guest-interrupt", channel->guest_irq, 2);
}

static bool is_vm(const struct system *system, const char *name)
{
    for (uint32_t i = 0; i < system->vm_count; i++)
        if (core_strcmp(system->vms[i].component.name, name) == 0)
            return true;
    return false;
}

static bool is_task(const struct system *system, const char *name)
{
    for (uint32_t i = 0; i < system->task_count; i++)
        if (core_strcmp(system->tasks[i].component.name, name) == 0)
            return true;
    return false;
}

/* VMs and tasks share one name space: a task named like a VM (or a VM,
 * like another) is reported here, before anything that looks them up. */
static void check_names(struct parser *p)
{
    const struct system *system = p->system;
    for (uint32_t i = 0; i < system->vm_count + system->task_count; i++) {
        bool task = i >= system->vm_count;
        const char *name = task ? system->tasks[i - system->vm_count].component.name
                                : system->vms[i].component.name;
        for (uint32_t j = 0; j < i; j++) {
            const char *other = j < system->vm_count
                                    ? system->vms[j].component.name
                                    : system->tasks[j - system->vm_count].component.name;
            if (core_strcmp(name, other) != 0)
                continue;
            char path[SYSTEM_PATH_MAX];
            child_path(path, task ? "/tasks" : "/vms", name);
            system_error(p->errors, path, "the name is already used by %s/%s",
                         j < system->vm_count ? "/vms" : "/tasks", other);
            break;
        }
    }
}

/* guest-address and guest-interrupt list one cell per end that is a VM, in
 * the order of ends; spread them so the index is the end (0 for a task end).
 * Runs once every VM is known. */
static void place_guest_cells(struct parser *p, const struct system_channel *channel,
                              const char *property, uint32_t *cells, uint32_t count)
{
    uint32_t listed[2] = { cells[0], cells[1] };
    uint32_t vm_ends = 0;
    /* An end that names both a VM and a task is check_names()'s error. */
    for (uint32_t end = 0; end < 2; end++)
        if (is_vm(p->system, channel->ends[end]) && is_task(p->system, channel->ends[end]))
            return;
    for (uint32_t end = 0; end < 2; end++) {
        bool vm = is_vm(p->system, channel->ends[end]);
        cells[end] = vm && vm_ends < count ? listed[vm_ends] : 0;
        vm_ends += vm;
    }
    if (count != vm_ends) {
        char path[SYSTEM_PATH_MAX];
        child_path(path, "/channels", channel->name);
        system_error(p->errors, path, "%s must have one cell per end that is a VM (%u)",
                     property, (unsigned)vm_ends);
    }
}

/* A section (/vms, /tasks, /channels): each child is one entry. */
typedef void (*parse_entry_fn)(struct parser *p, int node, const char *path, uint32_t index);

static void parse_section(struct parser *p, int section, const char *path, uint32_t max,
                          const char *what, uint32_t *count, parse_entry_fn parse_entry)
{
    property_check(&p->fdt, p->errors, section, path, NULL, 0);
    for (int node = next_child(p, section, -1); node >= 0; node = next_child(p, section, node)) {
        char entry_path[SYSTEM_PATH_MAX];
        const char *name = fdt_node_name(&p->fdt, node);
        child_path(entry_path, path, name != NULL ? name : "?");
        if (*count == max) {
            system_error(p->errors, entry_path, "more than %u %s", (unsigned)max, what);
            return;
        }
        parse_entry(p, node, entry_path, (*count)++);
    }
}

static void vm_entry(struct parser *p, int node, const char *path, uint32_t index)
{
    struct system_vm *vm = &p->system->vms[index];
    if (copy_name(p, path, fdt_node_name(&p->fdt, node), vm->component.name))
        parse_vm(p, node, path, vm);
}

static void task_entry(struct parser *p, int node, const char *path, uint32_t index)
{
    struct system_task *task = &p->system->tasks[index];
    if (copy_name(p, path, fdt_node_name(&p->fdt, node), task->component.name))
        parse_task(p, node, path, task);
}

static void channel_entry(struct parser *p, int node, const char *path, uint32_t index)
{
    struct system_channel *channel = &p->system->channels[index];
    if (copy_name(p, path, fdt_node_name(&p->fdt, node), channel->name))
        parse_channel(p, node, path, index);
}

static void parse_schedule(struct parser *p, int node)
{
    struct system *system = p->system;
    if (!property_check(&p->fdt, p->errors, node, "/schedule", RULES(schedule_rules)))
        return;
    property_require(&p->fdt, p->errors, node, "/schedule", "components");
    property_require(&p->fdt, p->errors, node, "/schedule", "lengths-us");
    uint32_t lengths[SYSTEM_MAX_WINDOWS];
    system->window_count = property_cells(&p->fdt, node, "lengths-us", lengths, SYSTEM_MAX_WINDOWS);
    uint32_t names_length;
    const char *names = fdt_property(&p->fdt, node, "components", &names_length);
    if (names != NULL && (uint32_t)property_string_count(names, names_length) != system->window_count)
        system_error(p->errors, "/schedule", "components and lengths-us must have as many "
                     "entries");
    for (uint32_t i = 0; i < system->window_count; i++) {
        property_list_string(&p->fdt, node, "components", i, system->windows[i].component,
                        SYSTEM_NAME_MAX);
        system->windows[i].length_us = lengths[i];
    }
}

static void parse_console(struct parser *p, int node)
{
    if (property_check(&p->fdt, p->errors, node, "/console", RULES(console_rules)))
        property_string(&p->fdt, node, "input", p->system->console_input, SYSTEM_NAME_MAX);
}

/* Each child of the root once, by name. */
static void parse_root_child(struct parser *p, int node, const char *name, uint32_t *seen)
{
    static const char *const names[] = { "vms", "tasks", "channels", "schedule", "console" };
    char path[SYSTEM_PATH_MAX];
    uint32_t which = 0;
    struct system *system = p->system;
    child_path(path, "", name);
    while (which < 5 && core_strcmp(name, names[which]) != 0)
        which++;
    if (which == 5) {
        system_error(p->errors, "/", "unknown node \"%s\"", name);
        return;
    }
    if (*seen & (1u << which)) {
        system_error(p->errors, path, "appears twice");
        return;
    }
    *seen |= 1u << which;
    if (which == 0)
        parse_section(p, node, path, SYSTEM_MAX_VMS, "VMs", &system->vm_count, vm_entry);
    else if (which == 1)
        parse_section(p, node, path, SYSTEM_MAX_TASKS, "tasks", &system->task_count,
                      task_entry);
    else if (which == 2)
        parse_section(p, node, path, SYSTEM_MAX_CHANNELS, "channels", &system->channel_count,
                      channel_entry);
    else if (which == 3)
        parse_schedule(p, node);
    else
        parse_console(p, node);
}

static bool is_section(const char *name)
{
    return name != NULL && (core_strcmp(name, "vms") == 0 || core_strcmp(name, "tasks") == 0 ||
                            core_strcmp(name, "channels") == 0);
}

/* Subnodes where none belong (under a VM, a task, a channel, /schedule or
 * /console) would be silently ignored otherwise. Depth 1 is the root. */
static void reject_deep_nodes(struct parser *p)
{
    const char *ancestors[4] = { "", "", "", "" };
    int depth = 0;
    for (int node = fdt_next_node(&p->fdt, -1, &depth); node >= 0;
         node = fdt_next_node(&p->fdt, node, &depth)) {
        /* The reader counts END_NODE tokens without checking their balance:
         * a node after the root closed is a broken blob (and a negative
         * depth must not index ancestors). */
        if (depth < 1 || (depth == 1 && node != 0)) {
            system_error(p->errors, "/", "the device tree blob is malformed here");
            return;
        }
        const char *name = fdt_node_name(&p->fdt, node);
        if (depth < 4)
            ancestors[depth] = name != NULL ? name : "?";
        bool allowed = depth <= 2 || (depth == 3 && is_section(ancestors[2]));
        if (allowed)
            continue;
        char path[SYSTEM_PATH_MAX];
        if (depth == 3)
            child_path(path, "", ancestors[2]);
        else
            format_string(path, sizeof path, "/%s/%s", ancestors[2], ancestors[3]);
        if (depth <= 4)
            system_error(p->errors, path, "unknown node \"%s\"", name != NULL ? name : "?");
    }
}

void system_parse(struct system *system, const void *blob, uint32_t blob_size,
                  struct system_errors *errors)
{
    struct parser p = { .system = system, .errors = errors };
    *system = (struct system){ .vm_count = 0 };
    if (fdt_open(&p.fdt, blob, blob_size) != OPAL_OK || fdt_next_node(&p.fdt, -1, NULL) != 0) {
        system_error(errors, "/", "not a device tree blob");
        return;
    }
    property_check(&p.fdt, errors, 0, "/", RULES(root_rules));
    if (fdt_stringlist_contains(&p.fdt, 0, "compatible", "opal,system") != 1)
        system_error(errors, "/", "compatible must be \"opal,system\"");
    uint32_t seen = 0;
    for (int node = next_child(&p, 0, -1); node >= 0; node = next_child(&p, 0, node)) {
        const char *name = fdt_node_name(&p.fdt, node);
        parse_root_child(&p, node, name != NULL ? name : "?", &seen);
    }
    reject_deep_nodes(&p);
    check_names(&p);
    for (uint32_t i = 0; i < system->channel_count; i++) {
        struct system_channel *channel = &system->channels[i];
        place_guest_cells(&p, channel, "guest-address", channel->guest_address,
                          p.guest_address_count[i]);
        place_guest_cells(&p, channel, "guest-interrupt", channel->guest_irq,
                          p.guest_irq_count[i]);
    }
}
