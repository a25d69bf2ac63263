/* The system description at boot: system.dtb from the boot archive, read
 * and checked by the same code as the build's checker (lib/core/system*.c),
 * against this machine's RAM, interrupts and init's own priority. */
#include "init.h"

#define RESERVED_RAM (32u << 20)   /* init's own objects, page tables, channels */

static void print_error(void *context, const char *message)
{
    (void)context;
    printf("init: system.dtb: %s\n", message);
}

/* The checker's file lookup: the boot archive (`context`, the boot info). */
static bool find_file(void *context, const char *name, struct system_file *file)
{
    return archive_find(context, name, file) == OPAL_OK;
}

/* Where each VM's device tree is generated to be measured: scratch, not
 * state, and too large for init's stack. */
static uint8_t dtb_scratch[SYSTEM_FILES_SCRATCH];

void description_files(const struct opal_bootinfo *bootinfo, struct system_files *files)
{
    *files = (struct system_files){ .find = find_file, .context = (void *)bootinfo,
                                    .scratch = dtb_scratch };
}

/* This machine: its RAM and what is left of it, its console UART, and QEMU
 * virt's interrupts, the kernel's among them, and device windows (the same
 * lists as the build's checker). */
static void platform_from_bootinfo(const struct opal_bootinfo *bootinfo,
                                   struct system_platform *platform)
{
    system_platform_qemu_virt(platform);
    platform->ram_base = bootinfo->ram_base;
    platform->ram_size = bootinfo->ram_size;
    platform->ram_free = bootinfo->free_ram > RESERVED_RAM ? bootinfo->free_ram - RESERVED_RAM : 0;
    platform->mcp = OPAL_PRIORITY_MAX;
    platform->cores = bootinfo->cores;
    platform->console_uart = (struct system_range){ bootinfo->uart_base, 0x1000u };
    platform->console_irq = bootinfo->uart_irq;
}

unsigned description_load(const struct opal_bootinfo *bootinfo, struct system *system)
{
    struct system_file file;
    if (archive_find(bootinfo, "system.dtb", &file) != OPAL_OK) {
        printf("init: no system.dtb in the boot archive: nothing to build\n");
        return 1;
    }
    struct system_platform platform;
    platform_from_bootinfo(bootinfo, &platform);
    struct system_files files;
    description_files(bootinfo, &files);
    unsigned errors = system_load(system, file.data, file.size, &platform, print_error, NULL);
    if (errors == 0)
        errors = system_check_files(system, &platform, &files, print_error, NULL);
    if (errors != 0)
        printf("init: the system description has %u error%s: nothing is started\n", errors,
               errors == 1 ? "" : "s");
    return errors;
}
