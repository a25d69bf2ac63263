/* init, the root task: the first user program, running at PL0 in its own
 * stage-2 address space. It reads the system description (system.dtb in the
 * boot archive, docs/configuration.md), builds exactly what it says or, if
 * anything in it is wrong, nothing at all; then it handles the components'
 * faults by their policies (monitor.c). Boot arguments it reads:
 *   <name>=off                 do not start that component
 *   <name>.arguments=<a>,<b>   a task's start arguments instead of the description's
 *   vmm.crash=<name>           test hook: that VM's VMM faults at its first exit */
#include "core/cmdline.h"
#include "core/format.h"
#include "core/string.h"
#include "init.h"
#include "runtime/mem.h"

static bool check_bootinfo(const struct opal_bootinfo *bootinfo)
{
    if (bootinfo->magic != OPAL_BOOTINFO_MAGIC) {
        printf("init: boot info has a bad magic 0x%08x\n", (unsigned)bootinfo->magic);
        return false;
    }
    if (bootinfo->version != OPAL_BOOTINFO_VERSION) {
        printf("init: boot info version %u, built for %u\n", (unsigned)bootinfo->version,
               OPAL_BOOTINFO_VERSION);
        return false;
    }
    printf("init: hello from the root task, running at PL0 in its own address space\n");
    printf("init: RAM 0x%08x + %u MiB, %u MiB free for user level, timer %u Hz\n",
           (unsigned)bootinfo->ram_base, (unsigned)(bootinfo->ram_size >> 20),
           (unsigned)(bootinfo->free_ram >> 20), (unsigned)bootinfo->timer_frequency);
    if (bootinfo->cmdline[0])
        printf("init: command line \"%s\"\n", bootinfo->cmdline);
    return true;
}

/* <name>.arguments=<a>,<b>,... replaces a task's arguments; a value that
 * is not such a list is refused (false), so nothing is started with
 * arguments nobody asked for. */
static bool override_arguments(const char *cmdline, struct system_task *task)
{
    char key[SYSTEM_NAME_MAX + 16];
    uint32_t arguments[SYSTEM_MAX_ARGUMENTS], count;
    format_string(key, sizeof key, "%s.arguments", task->component.name);
    int error = cmdline_numbers(cmdline, key, SYSTEM_MAX_ARGUMENTS, arguments, &count);
    if (error == OPAL_ERR_NOT_FOUND)
        return true;
    if (error != OPAL_OK) {
        const char *value = cmdline_value(cmdline, key);
        uint32_t length = 0;
        while (value[length] != '\0' && value[length] != ' ' && value[length] != '\t')
            length++;
        printf("init: boot argument %s=%.*s: it must be 1 to %u decimal numbers from 0 to "
               "4294967295, separated by commas\n", key, (int)length, value,
               SYSTEM_MAX_ARGUMENTS);
        return false;
    }
    memcpy(task->arguments, arguments, sizeof arguments);
    task->argument_count = count;
    return true;
}

static bool wanted(const char *cmdline, const struct component *c)
{
    char off[SYSTEM_NAME_MAX + 4];
    format_string(off, sizeof off, "%s=off", c->name);
    return !cmdline_has_word(cmdline, off);
}

static void report_started(const struct component *c)
{
    const struct system_component *config = c->config;
    if (c->kind == COMPONENT_VM)
        printf("init: VM %s: %u MiB at 0x%08x, VMM started\n", c->name,
               (unsigned)(c->vm->ram_size >> 20), (unsigned)c->vm->ram_base);
    else if (config->budget_us)
        printf("init: task %s started: priority %u, budget %uus per %uus\n", c->name,
               (unsigned)config->priority, (unsigned)config->budget_us,
               (unsigned)config->period_us);
    else
        printf("init: task %s started: priority %u\n", c->name, (unsigned)config->priority);
}

/* The console server is loaded first and started before any component:
 * if it cannot be, nothing is started (a system without its output and
 * input is not the one described). An image without it would leave every
 * component without output: components print only through it (the
 * kernel's debug write needs a Debug cap, which init gives no one). */
static bool console_present(const struct opal_bootinfo *bootinfo, struct system_file *file)
{
    if (archive_find(bootinfo, "console", file) == OPAL_OK)
        return true;
    printf("init: the boot image holds no console server (\"console\"): no component "
           "could print; nothing is started\n");
    return false;
}

static bool start_console(void)
{
    if (console_start() != OPAL_OK) {
        printf("init: the console server did not start (the line above says why): "
               "nothing else is started\n");
        return false;
    }
    printf("init: console server started: it owns the UART from here on\n");
    return true;
}

/* Everything the description says, in order; false after the first failure. */
static bool build_system(struct init *init)
{
    struct system_file console;
    if (!console_present(init->bootinfo, &console))
        return false;
    if (console_prepare(init->bootinfo, console.data, console.size) != OPAL_OK) {
        printf("init: the console server cannot be loaded (the line above says why): "
               "nothing is started\n");
        return false;
    }
    if (opal_alloc_object(OPAL_OBJECT_ENDPOINT, 0, &init->endpoint) != OPAL_OK ||
        components_prepare(init) != OPAL_OK || devices_prepare(init) != OPAL_OK ||
        channels_prepare(init) != OPAL_OK || disks_prepare(init) != OPAL_OK)
        return false;
    clock_read(init);
    if (!start_console())
        return false;
    for (uint32_t i = 0; i < init->component_count; i++) {
        struct component *c = &init->components[i];
        if (!wanted(init->bootinfo->cmdline, c)) {
            printf("init: %s: off (boot argument %s=off)\n", c->name, c->name);
            continue;
        }
        if (component_build(init, c) != OPAL_OK)
            return false;
        report_started(c);
    }
    return schedule_start(&init->system) == OPAL_OK;
}

/* The description read, checked and given the boot arguments' overrides;
 * false (with the lines saying why) if there is nothing to build. */
static bool load_system(const struct opal_bootinfo *bootinfo, struct system *system)
{
    if (description_load(bootinfo, system) != 0)
        return false;
    bool arguments_ok = true;
    for (uint32_t i = 0; i < system->task_count; i++)
        arguments_ok &= override_arguments(bootinfo->cmdline, &system->tasks[i]);
    if (!arguments_ok) {
        printf("init: the boot arguments have errors: nothing is started\n");
        return false;
    }
    printf("init: system: %u VM%s, %u task%s, %u channel%s\n", (unsigned)system->vm_count,
           system->vm_count == 1 ? "" : "s", (unsigned)system->task_count,
           system->task_count == 1 ? "" : "s", (unsigned)system->channel_count,
           system->channel_count == 1 ? "" : "s");
    return true;
}

int main(const struct opal_bootinfo *bootinfo)
{
    /* What init builds and then supervises: static, as it lives as long as
     * init does and is 11 KiB of its 64 KiB stack. */
    static struct init init;
    init.bootinfo = bootinfo;
    if (!check_bootinfo(bootinfo))
        return 1;
    opal_alloc_init(bootinfo);
    if (!load_system(bootinfo, &init.system))
        return 1;
    if (!build_system(&init)) {
        printf("init: the system could not be built: it halts\n");
        print_flush();
        opal_system_off();
    }
    print_flush();
    opal_tcb_set_priority(OPAL_CAP_INIT_TCB, OPAL_CAP_INIT_TCB, MONITOR_PRIORITY);
    monitor_run(&init);
    return 0;
}
