/* Builds the root task from the boot archive: its ELF image, stack, boot
 * info and IPC buffer in a fresh VSpace; its CNode with the initial caps;
 * and untyped caps for all memory the kernel does not keep. */
#include <stddef.h>
#include "core/cpio.h"
#include "core/elf.h"
#include "opal/bootinfo.h"
#include "opal/error.h"
#include "arch.h"
#include "boot_memory.h"
#include "config.h"
#include "kernel.h"
#include "log.h"
#include "objects.h"
#include "platform.h"
#include "sched.h"

#define ROOT_IMAGE_NAME "init"
#define ROOT_SLOT_COUNT (1u << OPAL_ROOT_CNODE_BITS)

struct root_task {
    struct slot *slots;              /* the root CNode */
    struct arch_vspace *vspace;
    struct opal_bootinfo *bootinfo;
    uint32_t next_slot;
};

static void *boot_object(uint32_t size_bits)
{
    uint32_t pages = size_bits > 12 ? 1u << (size_bits - 12) : 1;
    return arch_phys_to_virt(boot_memory_alloc_pages(pages));
}

static struct slot *install(struct root_task *root, uint32_t index, struct cap cap)
{
    struct slot *slot = &root->slots[index];
    cdt_insert_child(NULL, slot, &cap);
    return slot;
}

static void map_or_panic(struct root_task *root, uaddr_t address, paddr_t frame, unsigned rights,
                         const char *what)
{
    int error = arch_vspace_boot_map(root->vspace, address, frame, rights);
    if (error != OPAL_OK)
        panic("root task: cannot map %s page at 0x%08x: %s", what, ua_value(address),
              opal_error_name(error));
}

static unsigned segment_rights(uint32_t flags)
{
    return (flags & ELF_PF_R ? VSPACE_READ : 0) | (flags & ELF_PF_W ? VSPACE_WRITE : 0) |
           (flags & ELF_PF_X ? VSPACE_EXECUTE : 0);
}

/* Each page gets a fresh frame: file bytes copied, the rest zero. Two
 * segments may not share a page (the user linker script aligns them). */
static void load_segment(struct root_task *root, const uint8_t *image,
                         const struct elf_segment *segment)
{
    uint32_t first = segment->vaddr & ~(CONFIG_PAGE_SIZE - 1);
    uint32_t end = segment->vaddr + segment->memsz;
    paddr_t unused;

    for (uint32_t page = first; page < end && page >= first; page += CONFIG_PAGE_SIZE) {
        if (arch_vspace_translate(root->vspace, ua_make(page), 0, &unused))
            panic("root task: two ELF segments share the page at 0x%08x; align segments "
                  "to 4 KiB", page);
        paddr_t frame = boot_memory_alloc_pages(1);
        uint8_t *bytes = arch_phys_to_virt(frame);
        for (uint32_t i = 0; i < CONFIG_PAGE_SIZE; i++) {
            uint32_t address = page + i;
            if (address >= segment->vaddr && address - segment->vaddr < segment->filesz)
                bytes[i] = image[segment->offset + (address - segment->vaddr)];
        }
        if (segment->flags & ELF_PF_X)
            arch_sync_instructions(frame, CONFIG_PAGE_SIZE);
        map_or_panic(root, ua_make(page), frame, segment_rights(segment->flags), "image");
    }
}

static void load_image(struct root_task *root, const void *archive, uint32_t archive_size,
                       struct elf_info *elf)
{
    struct cpio_file file;
    int error = cpio_find(archive, archive_size, ROOT_IMAGE_NAME, &file);
    if (error != OPAL_OK)
        panic("boot archive (%u bytes): no root task \"" ROOT_IMAGE_NAME "\": %s", archive_size,
              opal_error_name(error));
    error = elf_inspect(file.data, file.size, OPAL_ROOT_IMAGE_LOWEST, OPAL_ROOT_IMAGE_HIGHEST, elf);
    if (error != OPAL_OK)
        panic("root task \"" ROOT_IMAGE_NAME "\" (%u bytes) is not a loadable ELF: %s "
              "(it must link between 0x%08x and 0x%08x)", file.size, opal_error_name(error),
              OPAL_ROOT_IMAGE_LOWEST, OPAL_ROOT_IMAGE_HIGHEST);
    for (unsigned i = 0; i < elf->segment_count; i++)
        load_segment(root, file.data, &elf->segments[i]);
    log("root task \"" ROOT_IMAGE_NAME "\": %u bytes, %u segments, entry 0x%08x", file.size,
        elf->segment_count, elf->entry);
}

static void map_stack_and_archive(struct root_task *root, const void *archive, uint32_t size)
{
    uint32_t pages = OPAL_ROOT_STACK_SIZE / CONFIG_PAGE_SIZE;
    paddr_t frames = boot_memory_alloc_pages(pages);
    for (uint32_t i = 0; i < pages; i++)
        map_or_panic(root, ua_make(OPAL_ROOT_STACK_TOP - OPAL_ROOT_STACK_SIZE + i * CONFIG_PAGE_SIZE),
                     pa_add(frames, i * CONFIG_PAGE_SIZE), VSPACE_READ | VSPACE_WRITE, "stack");
    paddr_t start = pa_make((uint32_t)(uintptr_t)archive); /* the kernel maps RAM 1:1 */
    for (uint32_t offset = 0; offset < size; offset += CONFIG_PAGE_SIZE)
        map_or_panic(root, ua_make(OPAL_ROOT_ARCHIVE_ADDRESS + offset), pa_add(start, offset),
                     VSPACE_READ, "archive");
}

/* A frame the root task has mapped and a cap to (boot info, IPC buffer). */
static void *mapped_frame(struct root_task *root, uint32_t slot, uaddr_t address, unsigned rights)
{
    paddr_t frame = boot_memory_alloc_pages(1);
    map_or_panic(root, address, frame, rights, "boot");
    install(root, slot, (struct cap){ .type = OPAL_OBJECT_FRAME, .rights = OPAL_RIGHTS_ALL,
                                      .size_bits = OPAL_FRAME_SMALL_BITS, .object = pa_value(frame) });
    return arch_phys_to_virt(frame);
}

static struct thread *make_thread(struct root_task *root, uint32_t entry)
{
    struct thread *thread = boot_object(OPAL_TCB_BITS);
    struct sched_context *context = boot_object(OPAL_SCHED_CONTEXT_BITS);
    thread_init(thread);
    install(root, OPAL_CAP_INIT_TCB, (struct cap){
        .type = OPAL_OBJECT_TCB, .rights = OPAL_RIGHTS_ALL, .object = (uint32_t)(uintptr_t)thread });
    install(root, OPAL_CAP_INIT_SCHED_CONTEXT, (struct cap){
        .type = OPAL_OBJECT_SCHED_CONTEXT, .rights = OPAL_RIGHTS_ALL,
        .object = (uint32_t)(uintptr_t)context });
    struct slot *cnode = &root->slots[OPAL_CAP_INIT_CNODE];
    struct slot *vspace = &root->slots[OPAL_CAP_INIT_VSPACE];
    struct slot *buffer = &root->slots[OPAL_CAP_INIT_IPC_BUFFER];
    cdt_insert_child(cnode, &thread->cspace_root, &cnode->cap);
    cdt_insert_child(vspace, &thread->vspace_root, &vspace->cap);
    cdt_insert_child(buffer, &thread->ipc_buffer_frame, &buffer->cap);
    thread->ipc_buffer_address = OPAL_ROOT_IPC_BUFFER;
    thread->priority = CONFIG_ROOT_PRIORITY;
    thread->mcp = OPAL_PRIORITY_MAX;
    arch_context_init_user(&thread->context, entry, OPAL_ROOT_STACK_TOP, OPAL_BOOTINFO_ADDRESS);
    context->period = context->budget = context->remaining = arch_timer_frequency();
    context->full = 1;
    sched_context_bind(context, thread);
    return thread;
}

/* Hand [start, end) out as naturally aligned power-of-two untyped caps. */
static void add_untyped(struct root_task *root, uint64_t start, uint64_t end, bool device)
{
    struct opal_bootinfo *info = root->bootinfo;
    while (start < end) {
        uint32_t bits = OPAL_UNTYPED_MAX_BITS;
        while (bits > 0 && ((start & ((1ull << bits) - 1)) || start + (1ull << bits) > end))
            bits--;
        if (bits < OPAL_UNTYPED_MIN_BITS)
            return;
        if (info->untyped_count == OPAL_BOOTINFO_MAX_UNTYPED || root->next_slot >= ROOT_SLOT_COUNT) {
            log("boot: more than %u untyped regions; 0x%08x-0x%08x not handed out",
                OPAL_BOOTINFO_MAX_UNTYPED, (uint32_t)start, (uint32_t)(end - 1));
            return;
        }
        info->untyped[info->untyped_count++] = (struct opal_untyped_desc){
            .address = (uint32_t)start, .size_bits = (uint8_t)bits, .device = device };
        struct cap untyped = { .type = OPAL_OBJECT_UNTYPED, .rights = OPAL_RIGHTS_ALL,
                               .size_bits = (uint8_t)bits, .object = (uint32_t)start };
        cap_untyped_set_device(&untyped, device);
        install(root, root->next_slot++, untyped);
        if (!device)
            info->free_ram += 1u << bits;
        start += 1ull << bits;
    }
}

/* Device memory below RAM, except the interrupt controller the kernel drives.
 * The UART is handed out too: user level reads its input (the kernel only
 * writes its own log lines to it). */
static void add_device_untypeds(struct root_task *root)
{
    uint32_t kernel_frames[][2] = {
        { platform.gicd_base, 0x10000 }, { platform.gicc_base, 0x10000 },
        { platform.gich_base, 0x10000 },
    };
    const unsigned count = sizeof kernel_frames / sizeof kernel_frames[0];
    for (unsigned i = 1; i < count; i++) { /* sort by base */
        for (unsigned j = i; j > 0 && kernel_frames[j][0] < kernel_frames[j - 1][0]; j--) {
            uint32_t base = kernel_frames[j][0], size = kernel_frames[j][1];
            kernel_frames[j][0] = kernel_frames[j - 1][0];
            kernel_frames[j][1] = kernel_frames[j - 1][1];
            kernel_frames[j - 1][0] = base;
            kernel_frames[j - 1][1] = size;
        }
    }
    uint64_t start = 0;
    for (unsigned i = 0; i < count && kernel_frames[i][0] < platform.ram_base; i++) {
        if (kernel_frames[i][0] > start)
            add_untyped(root, start, kernel_frames[i][0], true);
        uint64_t top = (uint64_t)kernel_frames[i][0] + kernel_frames[i][1];
        start = top > start ? top : start;
    }
    add_untyped(root, start, platform.ram_base, true);
}

static void fill_bootinfo(struct root_task *root, uint32_t archive_size)
{
    struct opal_bootinfo *info = root->bootinfo;
    info->magic = OPAL_BOOTINFO_MAGIC;
    info->version = OPAL_BOOTINFO_VERSION;
    info->ram_base = platform.ram_base;
    info->ram_size = platform.ram_size;
    info->timer_frequency = arch_timer_frequency();
    info->archive_address = OPAL_ROOT_ARCHIVE_ADDRESS;
    info->archive_size = archive_size;
    info->uart_base = platform.uart_base;
    info->uart_irq = platform.uart_irq;
    info->gicv_base = platform.gicv_base;
    info->cores = platform.cores;
    info->rtc_base = platform.rtc_base;
    for (unsigned i = 0; i < OPAL_BOOTINFO_CMDLINE_MAX - 1 && platform.cmdline[i]; i++)
        info->cmdline[i] = platform.cmdline[i];
}

struct thread *root_task_create(const void *archive, uint32_t archive_size)
{
    struct root_task root = { .next_slot = OPAL_CAP_FIRST_FREE };
    struct elf_info elf;

    root.slots = boot_object(OPAL_ROOT_CNODE_BITS + OPAL_SLOT_BITS);
    root.vspace = boot_object(OPAL_VSPACE_BITS);
    arch_vspace_object_initialise(root.vspace);
    struct cap cnode = { .type = OPAL_OBJECT_CNODE, .rights = OPAL_RIGHTS_ALL,
                         .size_bits = OPAL_ROOT_CNODE_BITS,
                         .object = (uint32_t)(uintptr_t)root.slots };
    cap_cnode_set_guard(&cnode, 32 - OPAL_ROOT_CNODE_BITS, 0); /* CPtrs are slot numbers */
    install(&root, OPAL_CAP_INIT_CNODE, cnode);
    install(&root, OPAL_CAP_INIT_VSPACE, (struct cap){
        .type = OPAL_OBJECT_VSPACE, .rights = OPAL_RIGHTS_ALL,
        .object = (uint32_t)(uintptr_t)root.vspace });
    install(&root, OPAL_CAP_IRQ_CONTROL, (struct cap){ .type = OPAL_OBJECT_IRQ_CONTROL,
                                                       .rights = OPAL_RIGHTS_ALL });
    install(&root, OPAL_CAP_SCHED_CONTROL, (struct cap){ .type = OPAL_OBJECT_SCHED_CONTROL,
                                                         .rights = OPAL_RIGHTS_ALL });
    install(&root, OPAL_CAP_DEBUG, (struct cap){ .type = OPAL_OBJECT_DEBUG,
                                                 .rights = OPAL_RIGHTS_ALL });

    load_image(&root, archive, archive_size, &elf);
    map_stack_and_archive(&root, archive, archive_size);
    root.bootinfo = mapped_frame(&root, OPAL_CAP_BOOTINFO_FRAME, ua_make(OPAL_BOOTINFO_ADDRESS),
                                 VSPACE_READ);
    mapped_frame(&root, OPAL_CAP_INIT_IPC_BUFFER, ua_make(OPAL_ROOT_IPC_BUFFER),
                 VSPACE_READ | VSPACE_WRITE);
    struct thread *thread = make_thread(&root, elf.entry);
    fill_bootinfo(&root, archive_size);

    paddr_t free_start, free_end;
    boot_memory_remaining(&free_start, &free_end);
    root.bootinfo->untyped_first = root.next_slot;
    add_untyped(&root, pa_value(free_start), pa_value(free_end), false);
    add_device_untypeds(&root);
    root.bootinfo->empty_first = root.next_slot;
    root.bootinfo->empty_end = ROOT_SLOT_COUNT;
    log("root task: %u untyped caps, %u MiB of RAM for user level", root.bootinfo->untyped_count,
        root.bootinfo->free_ram >> 20);
    return thread;
}
