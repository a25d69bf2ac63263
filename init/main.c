/* init, the root task: the first user program, running at PL0 in its own
 * stage-2 address space. It builds the system from what the boot archive
 * holds: the console server (console) that owns the UART, the control task
 * (ctrl) beside a Linux VM (zImage) or the testkit guest, each VM with its
 * own VMM. Connected to the console server are ctrl and the Linux VM. (The system description in configs/ will
 * replace this choice.) Boot arguments it reads (docs/vmm.md):
 *   ctrl=off           do not start the control task
 *   ctrl.period=<us>   the control task's period (default 1000)
 *   ctrl.report=<s>    seconds between its reports (default 30) */
#include <stdbool.h>
#include "core/cmdline.h"
#include "core/cpio.h"
#include "core/string.h"
#include "runtime/mem.h"
#include "console/console.h"
#include "ctrl/ctrl.h"
#include "opal.h"
#include "vm.h"

#define VMM_PRIORITY  150
#define VCPU_PRIORITY 100
#define CTRL_REPORT_SECONDS 30   /* a quieter console than ctrl's own default */

/* The Linux VM's command line comes from the archive's "bootargs" file
 * (make's LINUX_BOOTARGS). */
static char linux_bootargs[VMM_BOOTARGS_MAX];

static struct vm_spec linux_vm = {
    .name = "linux0", .kind = VMM_GUEST_LINUX,
    .kernel = "zImage", .initrd = "initramfs.cpio.gz", .dtb = "guest.dtb",
    .ram_base = 0x40000000u, .ram_size = 256u << 20, .bootargs = linux_bootargs,
    .vmm_priority = VMM_PRIORITY, .vcpu_priority = VCPU_PRIORITY,
};

static const struct vm_spec testkit_vm = {
    .name = "testkit", .kind = VMM_GUEST_ELF, .kernel = "testkit",
    .ram_base = 0x40000000u, .ram_size = 16u << 20,
    .vmm_priority = VMM_PRIORITY, .vcpu_priority = VCPU_PRIORITY,
};

static bool archive_find(const struct opal_bootinfo *bootinfo, const char *name,
                         struct cpio_file *file)
{
    return cpio_find((const void *)bootinfo->archive_address, bootinfo->archive_size, name,
                     file) == OPAL_OK;
}

static bool archive_has(const struct opal_bootinfo *bootinfo, const char *name)
{
    struct cpio_file file;
    return archive_find(bootinfo, name, &file);
}

/* The "bootargs" file as a string, without a trailing newline; false (and
 * why) if it is missing, too long or holds a NUL. */
static bool read_bootargs(const struct opal_bootinfo *bootinfo, char *bootargs, uint32_t size)
{
    struct cpio_file file;
    if (!archive_find(bootinfo, "bootargs", &file)) {
        printf("init: no \"bootargs\" file in the boot archive\n");
        return false;
    }
    uint32_t length = file.size;
    if (length > 0 && ((const char *)file.data)[length - 1] == '\n')
        length--;
    if (length >= size || core_strnlen(file.data, length) != length) {
        printf("init: the guest command line (\"bootargs\", %u bytes) must be text of at "
               "most %u bytes\n", (unsigned)file.size, (unsigned)size - 1);
        return false;
    }
    memcpy(bootargs, file.data, length);
    bootargs[length] = '\0';
    return true;
}

/* A ctrl.* boot argument, or its default when absent; a bad value is
 * reported and the default used, so the control task still runs. */
static uint32_t ctrl_option(const char *cmdline, const char *key, uint32_t min, uint32_t max,
                            uint32_t default_value)
{
    uint32_t value;
    int error = cmdline_number(cmdline, key, max, &value);
    if (error == OPAL_ERR_NOT_FOUND)
        return default_value;
    if (error != OPAL_OK || value < min) {
        printf("init: %s must be a number in [%u, %u]; using %u\n", key, (unsigned)min,
               (unsigned)max, (unsigned)default_value);
        return default_value;
    }
    return value;
}

/* ctrl's console connection: a notification for the server to signal and
 * the caps ctrl_start moves into the task; false if there is none. */
static bool connect_ctrl(struct ctrl_console *console)
{
    struct console_connection connection;
    if (opal_alloc_object(OPAL_OBJECT_NOTIFICATION, 0, &console->wait) != OPAL_OK ||
        console_connect("ctrl", false, console->wait, &connection) != OPAL_OK)
        return false;
    console->ring_frame = connection.ring_frame;
    console->server = connection.server;
    return true;
}

static void start_ctrl(const struct opal_bootinfo *bootinfo, bool console_ready)
{
    struct ctrl_console console;
    bool connected = console_ready && connect_ctrl(&console);
    uint32_t period = ctrl_option(bootinfo->cmdline, "ctrl.period", CTRL_MIN_PERIOD_US,
                                  CTRL_MAX_PERIOD_US, CTRL_DEFAULT_PERIOD_US);
    uint32_t report = ctrl_option(bootinfo->cmdline, "ctrl.report", 1, CTRL_MAX_REPORT_SECONDS,
                                  CTRL_REPORT_SECONDS);
    if (ctrl_start(bootinfo, CTRL_ARGUMENT(period, report), connected ? &console : NULL) ==
        OPAL_OK)
        printf("init: ctrl started: period %uus, priority %u, budget %uus per %uus\n",
               (unsigned)period, CTRL_PRIORITY, CTRL_BUDGET_US, CTRL_BUDGET_PERIOD_US);
}

int main(const struct opal_bootinfo *bootinfo)
{
    if (bootinfo->magic != OPAL_BOOTINFO_MAGIC) {
        printf("init: boot info has a bad magic 0x%08x\n", (unsigned)bootinfo->magic);
        return 1;
    }
    if (bootinfo->version != OPAL_BOOTINFO_VERSION) {
        printf("init: boot info version %u, built for %u\n", (unsigned)bootinfo->version,
               OPAL_BOOTINFO_VERSION);
        return 1;
    }
    printf("init: hello from the root task, running at PL0 in its own address space\n");
    printf("init: RAM 0x%08x + %u MiB, %u MiB free for user level, timer %u Hz\n",
           (unsigned)bootinfo->ram_base, (unsigned)(bootinfo->ram_size >> 20),
           (unsigned)(bootinfo->free_ram >> 20), (unsigned)bootinfo->timer_frequency);
    if (bootinfo->cmdline[0])
        printf("init: command line \"%s\"\n", bootinfo->cmdline);
    opal_alloc_init(bootinfo);
    /* The console server is loaded first and started last, once it knows
     * its clients; until then they fill their rings. */
    bool console_ready = archive_has(bootinfo, "console") && console_prepare(bootinfo) == OPAL_OK;
    linux_vm.console = console_ready;
    if (archive_has(bootinfo, "ctrl") && !cmdline_has_word(bootinfo->cmdline, "ctrl=off"))
        start_ctrl(bootinfo, console_ready);
    if (archive_has(bootinfo, "zImage")) {
        if (read_bootargs(bootinfo, linux_bootargs, sizeof linux_bootargs))
            vm_start(bootinfo, &linux_vm);
    } else if (archive_has(bootinfo, "testkit"))
        vm_start(bootinfo, &testkit_vm);
    else
        printf("init: no guest in the boot archive; nothing more to do\n");
    if (console_ready && console_start() == OPAL_OK)
        printf("init: console server started: it owns the UART from here on\n");
    return 0;
}
