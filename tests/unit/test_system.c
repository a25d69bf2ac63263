/* The system description's parser and checker (lib/core/system*.c) on the
 * blobs dtc makes of configs/ (argument 1: default.dtb, 2: native-only.dtb),
 * and on truncated and mutated copies, which must never crash it. The error
 * texts themselves are checked by tests/test_configs.py on the bad corpus. */
#define UNIT_SUITE "system"
#include "unit.h"
#include "fdt_blob.h"
#include "core/fdt.h"
#include "core/fdt_edit.h"
#include "core/system.h"
#include "opal/error.h"
#include "opal/limits.h"
#include "process.h"
#include "task_boot.h"
#include "vmm_boot.h"

struct reports {
    unsigned count;
    char first[256];
    char all[2048];   /* every line, each ended by a newline, as far as it fits */
};

static void collect(void *context, const char *message)
{
    struct reports *reports = context;
    if (reports->count++ == 0)
        snprintf(reports->first, sizeof reports->first, "%s", message);
    size_t used = strlen(reports->all);
    snprintf(reports->all + used, sizeof reports->all - used, "%s\n", message);
}

static struct system loaded;

static unsigned load_blob(const void *blob, size_t size, const struct system_platform *platform,
                          struct reports *reports)
{
    *reports = (struct reports){ 0 };
    return system_load(&loaded, blob, (uint32_t)size, platform, collect, reports);
}

static struct system_platform qemu_virt(void)
{
    struct system_platform platform;
    system_platform_qemu_virt(&platform);
    return platform;
}

/* Command-line blob `arg` on QEMU virt, which must pass. */
static void load_cleanly(int arg)
{
    struct blob blob = load(arg);
    struct system_platform platform = qemu_virt();
    struct reports reports;
    CHECKF(load_blob(blob.data, blob.size, &platform, &reports) == 0, "%s", reports.first);
}

TEST(default_system_reads_as_written)
{
    load_cleanly(1);
    CHECK_EQ(loaded.vm_count, 1);
    const struct system_vm *vm = &loaded.vms[0];
    CHECK_STR(vm->component.name, "linux0");
    CHECK_EQ(vm->ram_base, 0x40000000u);
    CHECK_EQ(vm->ram_size, 256u << 20);
    CHECK_EQ(vm->vcpus, 1);
    CHECK_STR(vm->kernel, "zImage");
    CHECK_STR(vm->initrd, "initramfs.cpio.gz");
    CHECK_STR(vm->dtb_fragment, "");
    CHECK_STR(vm->bootargs, "console=ttyAMA0 root=/dev/vda quiet");
    CHECK_EQ(vm->vmm_priority, 150);
    CHECK_EQ(vm->component.priority, 100);
    CHECK_EQ(vm->component.fault_policy, SYSTEM_FAULT_RESTART);
    CHECK_STR(vm->disk, "blk");
    CHECK_EQ(vm->disk_start, 2048);
    CHECK_EQ(vm->disk_sectors, 524288);
    CHECK_STR(vm->entropy, "rng");
    CHECK_EQ(loaded.task_count, 3);
    const struct system_task *ctrl = &loaded.tasks[0];
    CHECK_STR(ctrl->image, "ctrl");
    CHECK_EQ(ctrl->component.priority, 250);
    CHECK_EQ(ctrl->component.budget_us, 200);
    CHECK_EQ(ctrl->component.period_us, 1000);
    CHECK_EQ(ctrl->component.irq_count, 1);
    CHECK_EQ(ctrl->component.irqs[0], 30);
    CHECK_EQ(ctrl->argument_count, 2);
    CHECK_EQ(ctrl->arguments[0], 1000);
    CHECK_EQ(ctrl->arguments[1], 30);
    CHECK_EQ(ctrl->stack_size, 0x4000);
    CHECK_EQ(ctrl->component.fault_policy, SYSTEM_FAULT_HALT);
    CHECK_EQ(ctrl->disk_sectors, 0);
    const struct system_task *blk = &loaded.tasks[1];
    CHECK_STR(blk->image, "blk");
    CHECK_EQ(blk->component.priority, 200);
    CHECK_EQ(blk->component.irq_count, 1);
    CHECK_EQ(blk->component.irqs[0], 79);
    CHECK_EQ(blk->component.device_count, 1);
    CHECK_EQ(blk->component.devices[0].base, 0x0a003000u);
    CHECK_EQ(blk->arguments[0], 0x0a003e00u);
    CHECK_EQ(blk->disk_sectors, 1050624);
    CHECK_EQ(blk->component.fault_policy, SYSTEM_FAULT_STOP);
    CHECK(!system_is_entropy_driver(&loaded, "ctrl"));
    const struct system_task *rng = &loaded.tasks[2];
    CHECK_STR(rng->component.name, "rng");
    CHECK_STR(rng->image, "rng");
    CHECK_EQ(rng->component.device_count, 1);
    CHECK_EQ(rng->component.devices[0].base, 0x0a002000u);
    CHECK_EQ(rng->component.irqs[0], 71);
    CHECK_EQ(rng->arguments[0], 0x0a002e00u);
    CHECK_EQ(rng->disk_sectors, 0);
    CHECK(system_is_entropy_driver(&loaded, "rng"));
    CHECK(!system_is_entropy_driver(&loaded, "blk"));
    CHECK_STR(loaded.console_input, "linux0");
    CHECK_EQ(loaded.window_count, 0);
}

TEST(native_only_has_channel_and_schedule)
{
    load_cleanly(2);
    CHECK_EQ(loaded.vm_count, 0);
    CHECK_EQ(loaded.channel_count, 1);
    CHECK_STR(loaded.channels[0].ends[0], "ctrl");
    CHECK_STR(loaded.channels[0].ends[1], "echo");
    CHECK_EQ(loaded.channels[0].guest_address[0], 0);
    CHECK_EQ(loaded.window_count, 2);
    CHECK_EQ(loaded.windows[1].length_us, 500);
}

/* The platform decides what fits: the same description on a smaller board. */
TEST(platform_facts_come_from_the_caller)
{
    struct blob blob = load(1);
    struct system_platform platform = qemu_virt();
    struct reports reports;
    platform.ram_free = 128u << 20;
    CHECK_EQ(load_blob(blob.data, blob.size, &platform, &reports), 1);
    CHECK_STR(reports.first, "/vms/linux0: ram-size 0x10000000 does not fit: with its images "
                             "and init's objects it takes 0x10600000 bytes, and 0x0 of the "
                             "0x8000000 bytes free for components are already used");
    platform = qemu_virt();
    platform.mcp = 200;
    CHECK_EQ(load_blob(blob.data, blob.size, &platform, &reports), 1);
    CHECK_STR(reports.first, "/tasks/ctrl: priority 250 is above init's MCP 200");
}

/* Past SYSTEM_MAX_ERRORS the count goes on but one line stands for the rest. */
TEST(errors_are_bounded)
{
    struct blob blob = load(1);
    size_t capacity = blob.size + 4096;
    uint8_t *copy = calloc(1, capacity);
    memcpy(copy, blob.data, blob.size);
    for (int i = 0; i < 40; i++) {
        char name[24];
        snprintf(name, sizeof name, "unknown%d", i);
        CHECK_EQ(fdt_edit_set_cells(copy, capacity, "/", name, (const uint32_t[]){ 1 }, 1),
                 OPAL_OK);
    }
    struct system_platform platform = qemu_virt();
    struct reports reports;
    CHECK_EQ(load_blob(copy, capacity, &platform, &reports), 40);
    CHECK_EQ(reports.count, SYSTEM_MAX_ERRORS + 1);
    CHECK_STR(reports.first, "/: unknown property \"unknown0\"");
    free(copy);
}

TEST(properties_are_listed_in_order)
{
    struct blob blob = load(1);
    struct fdt fdt;
    CHECK_EQ(fdt_open(&fdt, blob.data, blob.size), OPAL_OK);
    int node = fdt_path_offset(&fdt, "/tasks/ctrl");
    const char *name;
    const void *value;
    uint32_t length;
    int cursor = fdt_next_property(&fdt, node, 0, &name, &value, &length);
    CHECK(cursor > 0);
    CHECK_STR(name, "image");
    CHECK_EQ(length, 5);
    int count = 1;
    while ((cursor = fdt_next_property(&fdt, node, cursor, &name, &value, &length)) > 0)
        count++;
    CHECK_EQ(cursor, -OPAL_ERR_NOT_FOUND);
    CHECK_EQ(count, 7);
    /* A cursor inside the node's header or past the block is refused. */
    CHECK_EQ(fdt_next_property(&fdt, node, 4, &name, &value, &length),
             -OPAL_ERR_INVALID_ARGUMENT);
    CHECK(fdt_next_property(&fdt, node, 0x7ffffff0, &name, &value, &length) < 0);
}

TEST(truncated_blobs_are_rejected)
{
    struct blob blob = load(1);
    struct system_platform platform = qemu_virt();
    struct reports reports;
    for (size_t size = 0; size < blob.size; size++) {
        uint8_t *copy = unit_copy(blob.data, size);
        CHECK(load_blob(copy, size, &platform, &reports) > 0);
        free(copy);
    }
}

/* END_NODE tokens that close more nodes than were opened, then a node: the
 * reader reports a depth below the root, which the parser must refuse
 * rather than use as an index (it once wrote before a stack array). */
TEST(unbalanced_end_nodes_are_refused)
{
    static const uint32_t structure[] = { FDT_BEGIN_NODE, 0, FDT_END_NODE, FDT_END_NODE,
                                          FDT_END_NODE, FDT_END_NODE, FDT_BEGIN_NODE,
                                          0x78000000, FDT_END_NODE, FDT_END };
    enum { STRUCTURE_OFFSET = 56, BLOB_SIZE = 512 };
    uint8_t *blob = calloc(1, BLOB_SIZE);
    for (unsigned i = 0; i < sizeof structure / sizeof structure[0]; i++)
        put_be32(blob + STRUCTURE_OFFSET + 4 * i, structure[i]);
    set_header(blob, 0, FDT_MAGIC);
    set_header(blob, 1, BLOB_SIZE);
    set_header(blob, 2, STRUCTURE_OFFSET);
    set_header(blob, 3, STRUCTURE_OFFSET + sizeof structure);
    set_header(blob, 4, 40);
    set_header(blob, 5, 17);
    set_header(blob, 6, 16);
    set_header(blob, 8, 4);
    set_header(blob, 9, sizeof structure);
    struct system_platform platform = qemu_virt();
    struct reports reports;
    CHECK(load_blob(blob, BLOB_SIZE, &platform, &reports) > 0);
    CHECKF(strstr(reports.all, "/: the device tree blob is malformed here\n") != NULL, "%s",
           reports.all);
    free(blob);
}

/* Each byte flipped in turn, then random multi-byte damage: whatever the
 * result, no crash (ASan/UBSan watch) and the error count stays sane. */
TEST(mutated_blobs_never_crash)
{
    struct blob blob = load(1);
    struct system_platform platform = qemu_virt();
    struct reports reports;
    uint8_t *copy = unit_copy(blob.data, blob.size);
    for (size_t at = 0; at < blob.size; at++) {
        copy[at] ^= 0xff;
        load_blob(copy, blob.size, &platform, &reports);
        CHECK(reports.count <= SYSTEM_MAX_ERRORS + 1);
        copy[at] ^= 0xff;
    }
    srand(5);
    for (int round = 0; round < 3000; round++) {
        memcpy(copy, blob.data, blob.size);
        for (int n = 1 + rand() % 4; n > 0; n--)
            copy[(size_t)rand() % blob.size] = (uint8_t)rand();
        load_blob(copy, blob.size, &platform, &reports);
        CHECK(reports.count <= SYSTEM_MAX_ERRORS + 1);
    }
    free(copy);
}

/* The default description (argument 1) with edits, in a buffer with room;
 * free() it. */
static uint8_t *edited_default(size_t *capacity)
{
    struct blob blob = load(1);
    *capacity = blob.size + 4096;
    uint8_t *copy = calloc(1, *capacity);
    memcpy(copy, blob.data, blob.size);
    return copy;
}

static void set_cell(uint8_t *blob, size_t capacity, const char *node, const char *name,
                     uint32_t value)
{
    CHECK_EQ(fdt_edit_set_cells(blob, capacity, node, name, &value, 1), OPAL_OK);
}

/* Every limit the kernel, init and the VMM enforce, met exactly, passes:
 * the checker is no stricter than they are. */
TEST(limits_met_exactly_pass)
{
    size_t capacity;
    uint8_t *blob = edited_default(&capacity);
    set_cell(blob, capacity, "/tasks/ctrl", "period-us", OPAL_SCHED_PERIOD_MAX_US);
    set_cell(blob, capacity, "/tasks/ctrl", "stack-size", PROCESS_STACK_MAX);
    set_cell(blob, capacity, "/vms/linux0", "ram-base", GUEST_RAM_END_MAX - (256u << 20));
    set_cell(blob, capacity, "/vms/linux0", "irqs", GUEST_IRQ_COUNT - 1);
    struct system_platform platform = qemu_virt();
    struct reports reports;
    CHECKF(load_blob(blob, capacity, &platform, &reports) == 0, "%s", reports.all);
    CHECK_EQ(loaded.tasks[0].stack_size, 0xfe000u);
    free(blob);
}

TEST(stray_access_is_abort_unless_stop)
{
    size_t capacity;
    uint8_t *blob = edited_default(&capacity);
    struct system_platform platform = qemu_virt();
    struct reports reports;
    CHECK_EQ(load_blob(blob, capacity, &platform, &reports), 0);
    CHECK_EQ(loaded.vms[0].stray_access, SYSTEM_STRAY_ABORT);
    CHECK_EQ(fdt_edit_set_string(blob, capacity, "/vms/linux0", "stray-access", "stop"), OPAL_OK);
    CHECK_EQ(load_blob(blob, capacity, &platform, &reports), 0);
    CHECK_EQ(loaded.vms[0].stray_access, SYSTEM_STRAY_STOP);
    CHECK_EQ(fdt_edit_set_string(blob, capacity, "/vms/linux0", "stray-access", "abort"), OPAL_OK);
    CHECK_EQ(load_blob(blob, capacity, &platform, &reports), 0);
    CHECK_EQ(loaded.vms[0].stray_access, SYSTEM_STRAY_ABORT);
    free(blob);
}

/* The console's UART and interrupt come from the platform: elsewhere than
 * QEMU virt's, interrupt 33 is only the VM's emulated UART. */
TEST(console_uart_and_irq_come_from_the_platform)
{
    size_t capacity;
    uint8_t *blob = edited_default(&capacity);
    set_cell(blob, capacity, "/vms/linux0", "irqs", 33);
    const uint32_t rtc[] = { 0x09010000u, 0x1000u };
    CHECK_EQ(fdt_edit_set_cells(blob, capacity, "/tasks/ctrl", "devices", rtc, 2), OPAL_OK);
    struct system_platform platform = qemu_virt();
    platform.console_uart = (struct system_range){ 0x09010000u, 0x1000u };
    platform.console_irq = 30;
    struct reports reports;
    CHECK_EQ(load_blob(blob, capacity, &platform, &reports), 3);
    CHECK_STR(reports.all, "/tasks/ctrl: device 0x09010000+0x1000 is the console server's UART\n"
                           "/tasks/ctrl: interrupt 30 is the console server's UART interrupt\n"
                           "/vms/linux0: interrupt 33 is the emulated UART's in the VM\n");
    free(blob);
}

/* Limits no QEMU virt description can reach: a task's device window and
 * heap. */
TEST(task_windows_are_bounded)
{
    size_t capacity;
    uint8_t *blob = edited_default(&capacity);
    const uint32_t big[] = { 0x10000000u, TASK_WINDOW_MAX + 0x1000u };
    CHECK_EQ(fdt_edit_set_cells(blob, capacity, "/tasks/ctrl", "devices", big, 2), OPAL_OK);
    set_cell(blob, capacity, "/tasks/ctrl", "heap-size", TASK_HEAP_MAX + 0x1000u);
    static const struct system_range devices[] = { { 0x10000000u, 0x10000000u },
                                                   { 0x0a003000u, 0x1000u },     /* blk's */
                                                   { 0x0a002000u, 0x1000u } };   /* rng's */
    struct system_platform platform = qemu_virt();
    platform.devices = devices;
    platform.device_count = 3;
    platform.ram_free = 0xfffff000u;
    struct reports reports;
    unsigned errors = load_blob(blob, capacity, &platform, &reports);
    free(blob);
    CHECK_EQ(errors, 2);
    CHECK_STR(reports.all, "/tasks/ctrl: heap-size 0xd0001000 is above 0xd0000000, the most a "
                           "task's address space has room for\n"
                           "/tasks/ctrl: device 0x10000000+0x101000 is larger than a task's "
                           "device window, 0x100000\n");
}

/* The memory check at its exact limit: default.dts's arenas (linux0: 256
 * MiB of RAM, the DTB's 2 MiB frame and SYSTEM_COMPONENT_OVERHEAD; ctrl:
 * its 16 KiB stack and the overhead; blk: its stack, 128 KiB of DMA memory
 * and the overhead; rng: its stack, a DMA page and the overhead; in whole
 * 2 MiB units) and linux0's disk link (16 pages), RAM table (a page) and
 * entropy link (a page), made once, fill the free RAM exactly and pass; a
 * page less is refused. */
TEST(memory_met_exactly_passes)
{
    struct blob blob = load(1);
    struct system_platform platform = qemu_virt();
    struct reports reports;
    uint32_t needed = 0x10600000u + 3 * 0x600000u + 0x12000u;
    platform.ram_free = needed;
    CHECKF(load_blob(blob.data, blob.size, &platform, &reports) == 0, "%s", reports.all);
    CHECK_EQ(system_arena_size(&loaded, 0, NULL), 0x10600000u);
    CHECK_EQ(system_arena_size(&loaded, 1, NULL), 0x600000u);
    CHECK_EQ(system_arena_size(&loaded, 2, NULL), 0x600000u);
    CHECK_EQ(system_arena_size(&loaded, 3, NULL), 0x600000u);
    platform.ram_free = needed - 0x1000u;
    CHECK_EQ(load_blob(blob.data, blob.size, &platform, &reports), 1);
    CHECK_STR(reports.first, "/: the components need 0x11812000 bytes of RAM (their RAM, "
                             "images, stacks, heaps and channels, and 0x400000 each for init's "
                             "objects), more than the 0x11811000 free");
}

/* vcpus and cpus: read as written, defaults on core 0, each core checked
 * against the platform's count (init's comes from the boot info). */
TEST(vcpus_are_placed_on_the_platforms_cores)
{
    size_t capacity;
    uint8_t *blob = edited_default(&capacity);
    struct system_platform platform = qemu_virt();
    struct reports reports;
    CHECK_EQ(platform.cores, 4);
    set_cell(blob, capacity, "/vms/linux0", "vcpus", 4);
    CHECKF(load_blob(blob, capacity, &platform, &reports) == 0, "%s", reports.all);
    CHECK_EQ(loaded.vms[0].vcpus, 4);
    CHECK_EQ(loaded.vms[0].cpu_count, 0);
    CHECK_EQ(loaded.vms[0].cpus[3], 0);
    CHECK_EQ(loaded.tasks[0].cpu, 0);
    const uint32_t cpus[] = { 0, 1, 2, 3 };
    CHECK_EQ(fdt_edit_set_cells(blob, capacity, "/vms/linux0", "cpus", cpus, 4), OPAL_OK);
    set_cell(blob, capacity, "/tasks/ctrl", "cpu", 3);
    CHECKF(load_blob(blob, capacity, &platform, &reports) == 0, "%s", reports.all);
    CHECK_EQ(loaded.vms[0].cpus[2], 2);
    CHECK_EQ(loaded.tasks[0].cpu, 3);
    platform.cores = 2;
    CHECK_EQ(load_blob(blob, capacity, &platform, &reports), 3);
    CHECK_STR(reports.all, "/vms/linux0: cpus: vCPU 2 is on core 2, which this platform lacks "
                           "(cores 0 to 1)\n"
                           "/vms/linux0: cpus: vCPU 3 is on core 3, which this platform lacks "
                           "(cores 0 to 1)\n"
                           "/tasks/ctrl: cpu 3 is a core this platform lacks (cores 0 to 1)\n");
    platform = qemu_virt();
    set_cell(blob, capacity, "/vms/linux0", "vcpus", 2);
    CHECK_EQ(load_blob(blob, capacity, &platform, &reports), 1);
    CHECK_STR(reports.first, "/vms/linux0: cpus lists 4 cores for 2 vCPUs: one core per vCPU");
    set_cell(blob, capacity, "/vms/linux0", "vcpus", 0);
    CHECK_EQ(load_blob(blob, capacity, &platform, &reports), 1);
    CHECK_STR(reports.first, "/vms/linux0: vcpus is 0: a VM has 1 to 8 vCPUs");
    free(blob);
}

/* Budgets add up per core: each vCPU of a VM counts its budget on its own
 * core; two components filling two cores pass, the same on one are refused. */
TEST(budgets_add_up_per_core)
{
    size_t capacity;
    uint8_t *blob = edited_default(&capacity);
    struct system_platform platform = qemu_virt();
    struct reports reports;
    set_cell(blob, capacity, "/vms/linux0", "vcpus", 2);
    set_cell(blob, capacity, "/vms/linux0", "budget-us", 900);
    set_cell(blob, capacity, "/vms/linux0", "period-us", 1000);
    const uint32_t apart[] = { 1, 2 }, together[] = { 1, 1 };
    CHECK_EQ(fdt_edit_set_cells(blob, capacity, "/vms/linux0", "cpus", apart, 2), OPAL_OK);
    CHECKF(load_blob(blob, capacity, &platform, &reports) == 0, "%s", reports.all);
    set_cell(blob, capacity, "/tasks/ctrl", "cpu", 2);
    CHECK_EQ(load_blob(blob, capacity, &platform, &reports), 1);
    CHECK_STR(reports.first, "/tasks/ctrl: its budget takes core 2 to 110.0%, above 100%");
    set_cell(blob, capacity, "/tasks/ctrl", "cpu", 0);
    CHECK_EQ(fdt_edit_set_cells(blob, capacity, "/vms/linux0", "cpus", together, 2), OPAL_OK);
    CHECK_EQ(load_blob(blob, capacity, &platform, &reports), 1);
    CHECK_STR(reports.first, "/vms/linux0: its budget takes core 1 to 180.0%, above 100%");
    free(blob);
}

/* A fake boot archive: names with sizes, and bytes for the ELFs. */
struct fake_file {
    const char *name;
    const void *data;
    uint32_t size;
};
struct fake_archive {
    struct fake_file files[6];
};

static bool fake_find(void *context, const char *name, struct system_file *file)
{
    static const uint8_t zeros[16];
    const struct fake_archive *archive = context;
    for (unsigned i = 0; i < 6 && archive->files[i].name != NULL; i++)
        if (strcmp(archive->files[i].name, name) == 0) {
            file->data = archive->files[i].data != NULL ? archive->files[i].data : zeros;
            file->size = archive->files[i].size;
            return true;
        }
    return false;
}

/* A minimal ARM executable: one RX segment of memsz bytes at vaddr. */
static void make_elf(uint8_t elf[84], uint32_t vaddr, uint32_t memsz)
{
    memset(elf, 0, 84);
    memcpy(elf, "\x7f" "ELF\x01\x01\x01", 7);
    const uint32_t header[][2] = {
        { 16, 2 }, { 18, 40 }, { 20, 1 }, { 24, vaddr }, { 28, 52 }, { 40, 52 }, { 42, 32 },
        { 44, 1 }, { 52, 1 }, { 56, 84 }, { 60, vaddr }, { 64, vaddr }, { 68, 0 },
        { 72, memsz }, { 76, 5 }, { 80, 0x1000 },
    };
    for (unsigned i = 0; i < sizeof header / sizeof header[0]; i++) {
        uint32_t at = header[i][0], value = header[i][1];
        bool half = at == 16 || at == 18 || (at >= 40 && at < 52);
        for (unsigned b = 0; b < (half ? 2u : 4u); b++)
            elf[at + b] = (uint8_t)(value >> (8 * b));
    }
}

static unsigned check_files(const struct system_platform *platform, struct fake_archive *archive,
                            struct reports *reports)
{
    static uint8_t scratch[SYSTEM_FILES_SCRATCH];
    struct system_files files = { .find = fake_find, .context = archive, .scratch = scratch };
    *reports = (struct reports){ 0 };
    return system_check_files(&loaded, platform, &files, collect, reports);
}

/* The files' rules at their limits: a zImage ending where the initrd
 * starts, an initrd filling the images area but for the DTB's 2 MiB, the
 * arenas with these images filling the free RAM; one byte or page more is
 * refused with the file, its size and the limit. */
TEST(image_limits_met_exactly_pass)
{
    struct blob blob = load(1);
    struct system_platform platform = qemu_virt();
    struct reports reports;
    CHECK_EQ(load_blob(blob.data, blob.size, &platform, &reports), 0);
    static uint8_t ctrl[84], blk[84];
    make_elf(ctrl, PROCESS_IMAGE_BASE, 0x1000);
    make_elf(blk, PROCESS_IMAGE_BASE, 0x1000);   /* also rng's */
    uint32_t kernel = GUEST_INITRD_OFFSET_MAX - GUEST_KERNEL_OFFSET;
    uint32_t initrd = VMM_IMAGES_MAX - 0x8000000u - VMM_IMAGE_ALIGN;
    struct fake_archive archive = { { { "zImage", NULL, kernel },
                                      { "initramfs.cpio.gz", NULL, initrd },
                                      { "vmm", NULL, 0x1000 }, { "ctrl", ctrl, 84 },
                                      { "blk", blk, 84 }, { "rng", blk, 84 } } };
    /* linux0: 256 MiB RAM, 128 + 126 MiB of images, 2 MiB DTB, a VMM page
     * and the overhead, in 2 MiB units; ctrl: a page, 16 KiB of stack and
     * the overhead; blk and rng: the same and their DMA memory; linux0's
     * disk link, RAM table and entropy link. */
    uint32_t needed = 0x20600000u + 3 * 0x600000u + 0x12000u;
    platform.ram_free = needed;
    CHECKF(check_files(&platform, &archive, &reports) == 0, "%s", reports.all);
    platform.ram_free = needed - 0x1000u;
    CHECK_EQ(check_files(&platform, &archive, &reports), 1);
    CHECK_STR(reports.first, "/: the components need 0x21812000 bytes of RAM (their RAM, "
                             "images, stacks, heaps and channels, and 0x400000 each for init's "
                             "objects), more than the 0x21811000 free");
    platform.ram_free = 0xfffff000u;
    archive.files[1].size = initrd + 1;
    CHECK_EQ(check_files(&platform, &archive, &reports), 1);
    CHECK_STR(reports.first, "/vms/linux0: the generated device tree (0x72e bytes) does not fit "
                             "the VMM's images area: 0x10000000 bytes, 0x10000000 taken by the "
                             "images before it");
    archive.files[0].size = kernel + 1;
    archive.files[1].size = 16;
    CHECK_EQ(check_files(&platform, &archive, &reports), 1);
    CHECK_STR(reports.first, "/vms/linux0: kernel \"zImage\" (0x7ff0001 bytes) does not fit "
                             "its RAM: the VMM puts it at ram-base + 0x10000 and the initrd at "
                             "ram-base + 0x8000000 (half of ram-size 0x10000000, at most "
                             "0x8000000)");
    archive.files[0].size = 16;
    archive.files[1].size = (256u << 20) - GUEST_INITRD_OFFSET_MAX - GUEST_DTB_SPACE + 1;
    CHECK_EQ(check_files(&platform, &archive, &reports), 1);
    CHECK_STR(reports.first, "/vms/linux0: initrd \"initramfs.cpio.gz\" (0x7ff0001 bytes) does "
                             "not fit its RAM: from ram-base + 0x8000000, it and the device "
                             "tree's 0x10000 bytes end past ram-size 0x10000000");
}

/* A bare-metal guest's segments must lie in its RAM, a task's in its
 * address space; a missing VMM program is named. */
TEST(elf_images_must_fit)
{
    struct blob blob = load(1);
    struct system_platform platform = qemu_virt();
    struct reports reports;
    CHECK_EQ(load_blob(blob.data, blob.size, &platform, &reports), 0);
    static uint8_t guest[84], ctrl[84], blk[84];
    make_elf(guest, 0x40000000u + (256u << 20) - 0x1000u, 0x1000);
    make_elf(ctrl, PROCESS_IMAGE_END - 0x1000u, 0x1000);
    make_elf(blk, PROCESS_IMAGE_BASE, 0x1000);
    struct fake_archive archive = { { { "zImage", guest, 84 }, { "initramfs.cpio.gz", NULL, 16 },
                                      { "vmm", NULL, 0x1000 }, { "ctrl", ctrl, 84 },
                                      { "blk", blk, 84 }, { "rng", blk, 84 } } };
    CHECKF(check_files(&platform, &archive, &reports) == 0, "%s", reports.all);
    make_elf(guest, 0x40000000u + (256u << 20), 0x1000);
    make_elf(ctrl, PROCESS_IMAGE_END, 0x1000);
    archive.files[2].name = "vmm.elf";
    CHECK_EQ(check_files(&platform, &archive, &reports), 3);
    CHECK_STR(reports.all, "/vms: the VMM's program \"vmm\": no such file in the boot image\n"
                           "/vms/linux0: kernel \"zImage\" (0x54 bytes) cannot be loaded into "
                           "its RAM 0x40000000-0x4fffffff: a segment lies outside it\n"
                           "/tasks/ctrl: image \"ctrl\" (0x54 bytes) cannot be loaded into a "
                           "task's address space 0x00400000-0x0fffffff: a segment lies outside "
                           "it\n");
}
