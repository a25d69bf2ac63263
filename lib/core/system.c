/* The entry point of the system description: parse, check, count errors. */
#include <stdarg.h>
#include "core/format.h"
#include "core/string.h"
#include "core/system_internal.h"

void system_error(struct system_errors *errors, const char *path, const char *fmt, ...)
{
    char line[SYSTEM_PATH_MAX + 160];
    errors->count++;
    if (errors->count > SYSTEM_MAX_ERRORS + 1)
        return;
    if (errors->count == SYSTEM_MAX_ERRORS + 1) {
        errors->report(errors->context, "/: too many errors; the rest are not shown");
        return;
    }
    uint32_t used = (uint32_t)format_string(line, sizeof line, "%s: ", path);
    if (used >= sizeof line)
        used = sizeof line - 1;
    va_list args;
    va_start(args, fmt);
    format_string_v(line + used, sizeof line - used, fmt, args);
    va_end(args);
    errors->report(errors->context, line);
}

/* The kernel keeps the vGIC maintenance interrupt (25), its HYP timer (26)
 * and the virtual timer it injects itself (27). */
static const uint32_t qemu_virt_reserved_irqs[] = { 25, 26, 27 };

/* QEMU virt's devices a component may be given: the PL011 (but it is the
 * console server's, which always runs), PL031 RTC, PL061 GPIO and the
 * virtio-mmio transports. */
static const struct system_range qemu_virt_devices[] = {
    { 0x09000000u, 0x1000u }, { 0x09010000u, 0x1000u }, { 0x09030000u, 0x1000u },
    { 0x0a000000u, 0x4000u },
};

void system_platform_qemu_virt(struct system_platform *platform)
{
    *platform = (struct system_platform){
        .ram_base = 0x40000000u, .ram_size = 1u << 30,
        /* the kernel, init and the VMMs' own memory stay out of it */
        .ram_free = (1u << 30) - (64u << 20),
        .mcp = 255, .cores = 4, .irq_count = 288,
        .reserved_irqs = qemu_virt_reserved_irqs,
        .reserved_irq_count = sizeof qemu_virt_reserved_irqs / sizeof qemu_virt_reserved_irqs[0],
        .devices = qemu_virt_devices,
        .device_count = sizeof qemu_virt_devices / sizeof qemu_virt_devices[0],
        .console_uart = { 0x09000000u, 0x1000u }, .console_irq = 33,
    };
}

unsigned system_load(struct system *system, const void *blob, uint32_t blob_size,
                     const struct system_platform *platform, system_report_fn report,
                     void *context)
{
    struct system_errors errors = { .report = report, .context = context, .count = 0 };
    system_parse(system, blob, blob_size, &errors);
    if (errors.count == 0)
        system_check(system, platform, &errors);
    return errors.count;
}
