/* The rules of a system description that relate fields to each other and to
 * the platform (docs/configuration.md, "Errors"). Runs on a description that
 * parsed cleanly, so every field holds what its property said. */
#include <stdbool.h>
#include "core/format.h"
#include "core/string.h"
#include "core/system_internal.h"
#include "vmm_boot.h"

#define PAGE_SIZE 0x1000u

const struct system_component *system_component_at(const struct system *system, uint32_t i)
{
    return i < system->vm_count ? &system->vms[i].component
                                : &system->tasks[i - system->vm_count].component;
}

uint32_t system_component_count(const struct system *system)
{
    return system->vm_count + system->task_count;
}

void system_component_path(const struct system *system, uint32_t i, char *path)
{
    format_string(path, SYSTEM_PATH_MAX, "%s/%s", i < system->vm_count ? "/vms" : "/tasks",
                  system_component_at(system, i)->name);
}

int system_find_component(const struct system *system, const char *name)
{
    for (uint32_t i = 0; i < system_component_count(system); i++)
        if (core_strcmp(system_component_at(system, i)->name, name) == 0)
            return (int)i;
    return -1;
}

bool system_page_aligned(uint32_t value)
{
    return value % PAGE_SIZE == 0;
}

bool system_ranges_overlap(uint32_t a, uint32_t a_size, uint32_t b, uint32_t b_size)
{
    return (uint64_t)a < (uint64_t)b + b_size && (uint64_t)b < (uint64_t)a + a_size;
}

static bool range_inside(uint32_t base, uint32_t size, struct system_range outer)
{
    return base >= outer.base && (uint64_t)base + size <= (uint64_t)outer.base + outer.size;
}

static void check_priority(struct checker *c, const char *path, const char *property,
                           uint32_t priority)
{
    if (priority > c->platform->mcp)
        system_error(c->errors, path, "%s %u is above init's MCP %u", property,
                     (unsigned)priority, (unsigned)c->platform->mcp);
}

static void check_budget(struct checker *c, const char *path, const struct system_component *k)
{
    if ((k->budget_us == 0) != (k->period_us == 0))
        system_error(c->errors, path, "budget-us and period-us must both be given and "
                     "non-zero, or neither");
    else if (k->budget_us > k->period_us)
        system_error(c->errors, path, "budget-us %u exceeds period-us %u",
                     (unsigned)k->budget_us, (unsigned)k->period_us);
    if (k->restart_limit != 0 && k->fault_policy != SYSTEM_FAULT_RESTART)
        system_error(c->errors, path, "restart-limit is only for fault = \"restart\"");
}

static void check_device(struct checker *c, const char *path, struct system_range device)
{
    const struct system_platform *platform = c->platform;
    if (device.size == 0 || !system_page_aligned(device.base) || !system_page_aligned(device.size)) {
        system_error(c->errors, path, "device 0x%08x+0x%x must be whole pages",
                     (unsigned)device.base, (unsigned)device.size);
        return;
    }
    if (system_ranges_overlap(device.base, device.size, platform->console_uart.base,
                              platform->console_uart.size)) {
        system_error(c->errors, path, "device 0x%08x+0x%x is the console server's UART",
                     (unsigned)device.base, (unsigned)device.size);
        return;
    }
    for (uint32_t i = 0; i < platform->device_count; i++)
        if (range_inside(device.base, device.size, platform->devices[i]))
            return;
    system_error(c->errors, path, "device 0x%08x+0x%x is not a device of this platform",
                 (unsigned)device.base, (unsigned)device.size);
}

static bool irq_exists(const struct system_platform *platform, uint32_t irq)
{
    return irq >= 16 && irq < platform->irq_count;
}

static bool irq_reserved(const struct system_platform *platform, uint32_t irq)
{
    for (uint32_t i = 0; i < platform->reserved_irq_count; i++)
        if (platform->reserved_irqs[i] == irq)
            return true;
    return false;
}

/* An interrupt that exists and is neither the kernel's nor the console's. */
static bool irq_available(const struct system_platform *platform, uint32_t irq)
{
    return irq_exists(platform, irq) && !irq_reserved(platform, irq) &&
           irq != platform->console_irq;
}

static void check_irq(struct checker *c, const char *path, uint32_t irq)
{
    const struct system_platform *platform = c->platform;
    if (!irq_exists(platform, irq))
        system_error(c->errors, path, "interrupt %u does not exist (16 to %u)", (unsigned)irq,
                     (unsigned)platform->irq_count - 1);
    else if (irq_reserved(platform, irq))
        system_error(c->errors, path, "interrupt %u is reserved by the kernel",
                     (unsigned)irq);
    else if (irq == platform->console_irq)
        system_error(c->errors, path, "interrupt %u is the console server's UART interrupt",
                     (unsigned)irq);
}

/* A device or interrupt belongs to one component (and appears once in it). */
static void check_exclusive(struct checker *c, uint32_t i, const char *path)
{
    const struct system *system = c->system;
    const struct system_component *k = system_component_at(system, i);
    for (uint32_t j = 0; j <= i; j++) {
        const struct system_component *other = system_component_at(system, j);
        char other_path[SYSTEM_PATH_MAX + 20];
        char name[SYSTEM_PATH_MAX];
        system_component_path(system, j, name);
        format_string(other_path, sizeof other_path, "also given to %s", name);
        for (uint32_t d = 0; d < k->device_count; d++)
            for (uint32_t e = 0; e < (j == i ? d : other->device_count); e++)
                if (system_ranges_overlap(k->devices[d].base, k->devices[d].size,
                                   other->devices[e].base, other->devices[e].size))
                {
                    system_error(c->errors, path, "device 0x%08x+0x%x is %s",
                                 (unsigned)k->devices[d].base, (unsigned)k->devices[d].size,
                                 j == i ? "listed twice" : other_path);
                    break;
                }
        for (uint32_t q = 0; q < k->irq_count; q++)
            for (uint32_t r = 0; r < (j == i ? q : other->irq_count); r++)
                if (k->irqs[q] == other->irqs[r]) {
                    system_error(c->errors, path, "interrupt %u is %s", (unsigned)k->irqs[q],
                                 j == i ? "listed twice" : other_path);
                    break;
                }
    }
}

static void check_component(struct checker *c, uint32_t i)
{
    const struct system_component *k = system_component_at(c->system, i);
    char path[SYSTEM_PATH_MAX];
    system_component_path(c->system, i, path);
    check_priority(c, path, "priority", k->priority);
    check_budget(c, path, k);
    for (uint32_t d = 0; d < k->device_count; d++)
        check_device(c, path, k->devices[d]);
    for (uint32_t q = 0; q < k->irq_count; q++)
        check_irq(c, path, k->irqs[q]);
    check_exclusive(c, i, path);
}

/* One region of a VM's guest-physical map, for the overlap check. */
struct guest_region {
    uint32_t base, size;
    char what[SYSTEM_PATH_MAX + 16];
};

/* What the VMM emulates in every VM (dts/guest-virt.dts): the GIC
 * distributor and CPU interface, the PL011 and the virtio transports. */
static const struct guest_region emulated_regions[] = {
    { GUEST_GICD_BASE, 0x10000u, "the emulated GIC distributor" },
    { GUEST_GICC_BASE, 0x10000u, "the emulated GIC CPU interface" },
    { GUEST_UART_BASE, GUEST_DEVICE_SIZE, "the emulated UART" },
    { GUEST_VIRTIO_BASE, GUEST_DEVICE_SIZE, "the virtio devices" },
};

#define EMULATED_REGIONS (sizeof emulated_regions / sizeof emulated_regions[0])
#define MAX_GUEST_REGIONS (EMULATED_REGIONS + 1 + SYSTEM_MAX_DEVICES + SYSTEM_MAX_CHANNELS)

static uint32_t guest_regions(const struct system *system, uint32_t vm_index,
                              struct guest_region *regions)
{
    const struct system_vm *vm = &system->vms[vm_index];
    uint32_t count = 0;
    for (; count < EMULATED_REGIONS; count++)
        regions[count] = emulated_regions[count];
    regions[count] = (struct guest_region){ vm->ram_base, vm->ram_size, "ram" };
    count++;
    for (uint32_t d = 0; d < vm->component.device_count; d++, count++) {
        regions[count].base = vm->component.devices[d].base;
        regions[count].size = vm->component.devices[d].size;
        core_strlcpy(regions[count].what, "device", sizeof regions[count].what);
    }
    for (uint32_t i = 0; i < system->channel_count; i++) {
        const struct system_channel *channel = &system->channels[i];
        for (uint32_t end = 0; end < 2; end++)
            if (core_strcmp(channel->ends[end], vm->component.name) == 0) {
                /* the shared region and the doorbell page after it */
                regions[count].base = channel->guest_address[end];
                regions[count].size = channel->size + SYSTEM_DOORBELL_SIZE;
                format_string(regions[count].what, sizeof regions[count].what,
                              "channel /channels/%s", channel->name);
                count++;
                break;
            }
    }
    return count;
}

/* Nothing in a VM's guest-physical map overlaps anything else. */
static void check_guest_map(struct checker *c, uint32_t vm_index, const char *path)
{
    struct guest_region regions[MAX_GUEST_REGIONS];
    uint32_t count = guest_regions(c->system, vm_index, regions);
    for (uint32_t i = EMULATED_REGIONS; i < count; i++)
        for (uint32_t j = 0; j < i; j++)
            if (system_ranges_overlap(regions[i].base, regions[i].size, regions[j].base,
                               regions[j].size))
                system_error(c->errors, path, "%s at 0x%08x+0x%x overlaps %s at 0x%08x+0x%x "
                             "in guest-physical memory", regions[i].what,
                             (unsigned)regions[i].base, (unsigned)regions[i].size,
                             regions[j].what, (unsigned)regions[j].base,
                             (unsigned)regions[j].size);
}

/* What the VMM adds for a Linux guest only (lib/vmm_boot.h): a bare-metal
 * guest may be given the real RTC's address and interrupt. */
static const struct guest_region linux_regions[] = {
    { GUEST_RTC_BASE, GUEST_DEVICE_SIZE, "the emulated RTC" },
};
#define LINUX_REGIONS (sizeof linux_regions / sizeof linux_regions[0])

void system_check_linux_devices(struct checker *c, uint32_t vm_index, const char *path)
{
    struct guest_region regions[MAX_GUEST_REGIONS];
    uint32_t count = guest_regions(c->system, vm_index, regions);
    for (uint32_t i = EMULATED_REGIONS; i < count; i++)
        for (uint32_t j = 0; j < LINUX_REGIONS; j++)
            if (system_ranges_overlap(regions[i].base, regions[i].size, linux_regions[j].base,
                                      linux_regions[j].size))
                system_error(c->errors, path, "%s at 0x%08x+0x%x overlaps %s at 0x%08x+0x%x, "
                             "which a Linux guest gets", regions[i].what,
                             (unsigned)regions[i].base, (unsigned)regions[i].size,
                             linux_regions[j].what, (unsigned)linux_regions[j].base,
                             (unsigned)linux_regions[j].size);
    const struct system_component *k = &c->system->vms[vm_index].component;
    for (uint32_t q = 0; q < k->irq_count; q++)
        if (k->irqs[q] == GUEST_RTC_IRQ)
            system_error(c->errors, path, "interrupt %u is the emulated RTC's in a Linux guest",
                         (unsigned)k->irqs[q]);
    for (uint32_t i = 0; i < c->system->channel_count; i++)
        for (uint32_t end = 0; end < 2; end++)
            if (core_strcmp(c->system->channels[i].ends[end], k->name) == 0 &&
                c->system->channels[i].guest_irq[end] == GUEST_RTC_IRQ)
                system_error(c->errors, path, "/channels/%s: guest-interrupt %u is the emulated "
                             "RTC's in a Linux guest",
                             c->system->channels[i].name,
                             (unsigned)c->system->channels[i].guest_irq[end]);
}

/* Whether the VM's emulated distributor has SPI `irq` (lib/vmm_boot.h). */
static bool guest_spi(uint32_t irq)
{
    return irq >= GUEST_FIRST_SPI && irq < GUEST_IRQ_COUNT;
}

/* A VM's passthrough interrupts are injected as the same IDs: SPIs its
 * VMM's distributor has, other than the emulated UART's. (One that does
 * not exist or is the kernel's or the console's is reported by check_irq.) */
static void check_vm_irqs(struct checker *c, const struct system_vm *vm, const char *path)
{
    for (uint32_t q = 0; q < vm->component.irq_count; q++) {
        uint32_t irq = vm->component.irqs[q];
        if (!irq_available(c->platform, irq))
            continue;
        if (!guest_spi(irq))
            system_error(c->errors, path, "interrupt %u is not a shared peripheral interrupt "
                         "a VM can be given (%u to %u)", (unsigned)irq, GUEST_FIRST_SPI,
                         GUEST_IRQ_COUNT - 1);
        else if (guest_irq_reserved(irq))
            system_error(c->errors, path, "interrupt %u %s in the VM", (unsigned)irq,
                         guest_irq_reserved(irq));
    }
}

static void check_vm(struct checker *c, uint32_t vm_index)
{
    const struct system_vm *vm = &c->system->vms[vm_index];
    char path[SYSTEM_PATH_MAX];
    system_component_path(c->system, vm_index, path);
    check_priority(c, path, "vmm-priority", vm->vmm_priority);
    check_vm_irqs(c, vm, path);
    if (vm->ram_size == 0 || !system_page_aligned(vm->ram_size) || !system_page_aligned(vm->ram_base))
        system_error(c->errors, path, "ram-base 0x%08x and ram-size 0x%x must be whole "
                     "pages, and ram-size non-zero", (unsigned)vm->ram_base,
                     (unsigned)vm->ram_size);
    else if ((uint64_t)vm->ram_base + vm->ram_size > GUEST_RAM_END_MAX)
        system_error(c->errors, path, "ram-size 0x%x at ram-base 0x%08x ends past 0x%08x, "
                     "the highest end of a VM's RAM", (unsigned)vm->ram_size,
                     (unsigned)vm->ram_base, GUEST_RAM_END_MAX);
    else
        check_guest_map(c, vm_index, path);
}

static void check_task(struct checker *c, uint32_t task_index)
{
    const struct system_task *task = &c->system->tasks[task_index];
    char path[SYSTEM_PATH_MAX];
    system_component_path(c->system, c->system->vm_count + task_index, path);
    if (task->stack_size == 0 || !system_page_aligned(task->stack_size) ||
        !system_page_aligned(task->heap_size))
        system_error(c->errors, path, "stack-size 0x%x and heap-size 0x%x must be whole "
                     "pages, and stack-size non-zero", (unsigned)task->stack_size,
                     (unsigned)task->heap_size);
}

/* Whether vIRQ `irq` of VM `vm` is already taken: by the emulated UART, a
 * passthrough interrupt, or an earlier channel end in the same VM. */
static bool guest_irq_taken(const struct system *system, int vm, uint32_t irq,
                            uint32_t channel_index, uint32_t end_index)
{
    const struct system_component *k = system_component_at(system, (uint32_t)vm);
    if (guest_irq_reserved(irq))
        return true;
    for (uint32_t q = 0; q < k->irq_count; q++)
        if (k->irqs[q] == irq)
            return true;
    for (uint32_t i = 0; i <= channel_index; i++)
        for (uint32_t end = 0; end < (i == channel_index ? end_index : 2); end++)
            if (core_strcmp(system->channels[i].ends[end], k->name) == 0 &&
                system->channels[i].guest_irq[end] == irq)
                return true;
    return false;
}

static void check_channel_end(struct checker *c, uint32_t index, uint32_t end,
                              const char *path)
{
    const struct system_channel *channel = &c->system->channels[index];
    int k = system_find_component(c->system, channel->ends[end]);
    if (k < 0) {
        system_error(c->errors, path, "end \"%s\" is not a VM or task", channel->ends[end]);
        return;
    }
    if ((uint32_t)k >= c->system->vm_count)
        return;
    uint32_t irq = channel->guest_irq[end];
    if (!system_page_aligned(channel->guest_address[end]))
        system_error(c->errors, path, "guest-address 0x%08x must be page-aligned",
                     (unsigned)channel->guest_address[end]);
    if (!guest_spi(irq))
        system_error(c->errors, path, "guest-interrupt %u is not a shared peripheral "
                     "interrupt of the VM's emulated GIC (%u to %u)", (unsigned)irq,
                     GUEST_FIRST_SPI, GUEST_IRQ_COUNT - 1);
    else if (guest_irq_taken(c->system, k, irq, index, end))
        system_error(c->errors, path, "guest-interrupt %u is already used in VM %s",
                     (unsigned)irq, channel->ends[end]);
}

static void check_channel(struct checker *c, uint32_t index)
{
    const struct system_channel *channel = &c->system->channels[index];
    char path[SYSTEM_PATH_MAX];
    format_string(path, sizeof path, "/channels/%s", channel->name);
    if (core_strcmp(channel->ends[0], channel->ends[1]) == 0)
        system_error(c->errors, path, "both ends are \"%s\"", channel->ends[0]);
    if (channel->size == 0 || !system_page_aligned(channel->size) ||
        channel->size > SYSTEM_CHANNEL_MAX_SIZE)
        system_error(c->errors, path, "size 0x%x must be a non-zero number of whole pages, "
                     "at most 0x%x", (unsigned)channel->size, SYSTEM_CHANNEL_MAX_SIZE);
    for (uint32_t end = 0; end < 2; end++)
        check_channel_end(c, index, end, path);
}

static void check_schedule(struct checker *c)
{
    const struct system *system = c->system;
    if (system->window_count == 0)
        return;
    for (uint32_t w = 0; w < system->window_count; w++) {
        if (system_find_component(system, system->windows[w].component) < 0)
            system_error(c->errors, "/schedule", "window %u: \"%s\" is not a VM or task",
                         (unsigned)w, system->windows[w].component);
    }
    for (uint32_t i = 0; i < system_component_count(system); i++) {
        uint32_t w = 0;
        while (w < system->window_count &&
               core_strcmp(system->windows[w].component, system_component_at(system, i)->name) != 0)
            w++;
        if (w == system->window_count)
            system_error(c->errors, "/schedule", "\"%s\" has no window, so it would never run",
                         system_component_at(system, i)->name);
    }
}

void system_check(const struct system *system, const struct system_platform *platform,
                  struct system_errors *errors)
{
    struct checker c = { .system = system, .platform = platform, .errors = errors };
    if (system_component_count(system) == 0)
        system_error(errors, "/", "no VM and no task: nothing to run");
    for (uint32_t i = 0; i < system_component_count(system); i++)
        check_component(&c, i);
    for (uint32_t i = 0; i < system->vm_count; i++)
        check_vm(&c, i);
    for (uint32_t i = 0; i < system->task_count; i++)
        check_task(&c, i);
    for (uint32_t i = 0; i < system->channel_count; i++)
        check_channel(&c, i);
    check_schedule(&c);
    if (system->console_input[0] != '\0' && system_find_component(system, system->console_input) < 0)
        system_error(errors, "/console", "input \"%s\" is not a VM or task",
                     system->console_input);
    system_check_cores(&c);
    system_check_disks(&c);
    system_check_memory(&c, NULL);
    system_check_limits(&c);
}
