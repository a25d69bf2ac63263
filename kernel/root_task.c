/* Builds the root task from the boot archive: its ELF image, stack, boot
 * info page and a read-only view of the archive, in a fresh stage-2 space. */
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
#include "platform.h"

#define ROOT_IMAGE_NAME "init"
#define ROOT_VMID 1

static struct vspace root_vspace;

static void map_or_panic(uint32_t address, paddr_t frame, unsigned rights, const char *what)
{
    int error = arch_vspace_map_page(&root_vspace.arch, address, frame, rights, VSPACE_NORMAL);
    if (error != OPAL_OK)
        panic("root task: cannot map %s page at 0x%08x: %s", what, address,
              opal_error_name(error));
}

static unsigned segment_rights(uint32_t flags)
{
    return (flags & ELF_PF_R ? VSPACE_READ : 0) | (flags & ELF_PF_W ? VSPACE_WRITE : 0) |
           (flags & ELF_PF_X ? VSPACE_EXECUTE : 0);
}

/* Each page gets a fresh frame: file bytes copied, the rest zero. Two
 * segments may not share a page (the user linker script aligns them). */
static void load_segment(const uint8_t *image, const struct elf_segment *segment)
{
    uint32_t first = segment->vaddr & ~(CONFIG_PAGE_SIZE - 1);
    uint32_t end = segment->vaddr + segment->memsz;
    paddr_t unused;

    for (uint32_t page = first; page < end && page >= first; page += CONFIG_PAGE_SIZE) {
        if (arch_vspace_translate(&root_vspace.arch, page, 0, &unused))
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
        map_or_panic(page, frame, segment_rights(segment->flags), "image");
    }
}

static void map_stack(void)
{
    uint32_t pages = OPAL_ROOT_STACK_SIZE / CONFIG_PAGE_SIZE;
    paddr_t frames = boot_memory_alloc_pages(pages);
    for (uint32_t i = 0; i < pages; i++)
        map_or_panic(OPAL_ROOT_STACK_TOP - OPAL_ROOT_STACK_SIZE + i * CONFIG_PAGE_SIZE,
                     frames + i * CONFIG_PAGE_SIZE, VSPACE_READ | VSPACE_WRITE, "stack");
}

static void map_archive(const void *archive, uint32_t size)
{
    paddr_t start = (paddr_t)(uintptr_t)archive; /* the kernel maps RAM 1:1 */
    for (uint32_t offset = 0; offset < size; offset += CONFIG_PAGE_SIZE)
        map_or_panic(OPAL_ROOT_ARCHIVE_ADDRESS + offset, start + offset, VSPACE_READ, "archive");
}

static void map_bootinfo(uint32_t archive_size)
{
    paddr_t frame = boot_memory_alloc_pages(1);
    struct opal_bootinfo *info = arch_phys_to_virt(frame);
    paddr_t free_start, free_end;

    boot_memory_remaining(&free_start, &free_end);
    info->magic = OPAL_BOOTINFO_MAGIC;
    info->version = 1;
    info->ram_base = platform.ram_base;
    info->ram_size = platform.ram_size;
    info->free_base = free_start;
    info->free_size = free_end - free_start;
    info->timer_frequency = arch_timer_frequency();
    info->archive_address = OPAL_ROOT_ARCHIVE_ADDRESS;
    info->archive_size = archive_size;
    for (unsigned i = 0; i < OPAL_BOOTINFO_CMDLINE_MAX - 1 && platform.cmdline[i]; i++)
        info->cmdline[i] = platform.cmdline[i];
    map_or_panic(OPAL_BOOTINFO_ADDRESS, frame, VSPACE_READ, "boot info");
}

struct thread *root_task_create(const void *archive, uint32_t archive_size)
{
    struct cpio_file file;
    struct elf_info elf;

    int error = cpio_find(archive, archive_size, ROOT_IMAGE_NAME, &file);
    if (error != OPAL_OK)
        panic("boot archive (%u bytes): no root task \"" ROOT_IMAGE_NAME "\": %s", archive_size,
              opal_error_name(error));
    error = elf_inspect(file.data, file.size, OPAL_ROOT_IMAGE_LOWEST, OPAL_ROOT_IMAGE_HIGHEST,
                        &elf);
    if (error != OPAL_OK)
        panic("root task \"" ROOT_IMAGE_NAME "\" (%u bytes) is not a loadable ELF: %s "
              "(it must link between 0x%08x and 0x%08x)", file.size, opal_error_name(error),
              OPAL_ROOT_IMAGE_LOWEST, OPAL_ROOT_IMAGE_HIGHEST);

    if (arch_vspace_init(&root_vspace.arch, ROOT_VMID) != OPAL_OK)
        panic("root task: cannot create its address space");
    for (unsigned i = 0; i < elf.segment_count; i++)
        load_segment(file.data, &elf.segments[i]);
    map_stack();
    map_archive(archive, archive_size);
    map_bootinfo(archive_size);

    struct thread *thread = thread_create(&root_vspace, CONFIG_ROOT_PRIORITY, elf.entry,
                                          OPAL_ROOT_STACK_TOP, OPAL_BOOTINFO_ADDRESS);
    if (thread == NULL)
        panic("root task: no free thread");
    log("root task \"" ROOT_IMAGE_NAME "\": %u bytes, %u segments, entry 0x%08x", file.size,
        elf.segment_count, elf.entry);
    return thread;
}
