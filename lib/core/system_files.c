/* The rules that need the files a description names (docs/configuration.md):
 * each is there and fits where init and the VMM put it, each VM's generated
 * device tree fits what the VMM takes, and the arenas with their images
 * fit the free RAM. Run by init on the boot archive and by check-system on
 * the build's staging directory. */
#include "core/elf.h"
#include "core/format.h"
#include "core/system_guest_dtb.h"
#include "core/system_internal.h"
#include "opal/error.h"
#include "process.h"

#define ELF_MAGIC 0x464c457fu   /* "\x7fELF", little-endian */

/* One file a component's property names, once found. */
struct named_file {
    const char *property, *name;
    struct system_file file;
};

/* Finds the file (false and an error if it is missing). */
static bool find(struct checker *c, const struct system_files *files, const char *path,
                 const char *property, const char *name, struct named_file *out)
{
    *out = (struct named_file){ .property = property, .name = name };
    if (name[0] == '\0' || files->find(files->context, name, &out->file))
        return true;
    system_error(c->errors, path, "%s \"%s\": no such file in the boot image", property, name);
    return false;
}

bool system_file_is_elf(const struct system_file *file)
{
    uint32_t magic = 0;
    const uint8_t *bytes = file->data;
    for (uint32_t i = 0; i < 4 && i < file->size; i++)
        magic |= (uint32_t)bytes[i] << (8 * i);
    return file->size >= 4 && magic == ELF_MAGIC;
}

static const char *elf_problem(int error)
{
    switch (error) {
    case OPAL_ERR_RANGE: return "a segment lies outside it";
    case OPAL_ERR_MALFORMED: return "it is not a well-formed 32-bit ARM ELF executable";
    default: return "its segments overlap, are more than 8, or its entry is not in one";
    }
}

/* An ELF loaded into [lowest, highest], as the VMM or process_load does. */
static void check_elf(struct checker *c, const char *path, const struct named_file *f,
                      uint32_t lowest, uint32_t highest, const char *where)
{
    struct elf_info elf;
    int error = elf_inspect(f->file.data, f->file.size, lowest, highest, &elf);
    if (error != OPAL_OK)
        system_error(c->errors, path, "%s \"%s\" (0x%x bytes) cannot be loaded into %s "
                     "0x%08x-0x%08x: %s", f->property, f->name, (unsigned)f->file.size, where,
                     (unsigned)lowest, (unsigned)highest, elf_problem(error));
}

/* init copies each image into the VMM's images area from a VMM_IMAGE_ALIGN
 * boundary; *used is what the images before it took. False (and an error)
 * if it does not fit: init stops there, and so does this check. */
static bool check_images_area(struct checker *c, const char *path, const char *what,
                              uint32_t size, uint64_t *used)
{
    if (size > VMM_IMAGES_MAX - *used) {
        system_error(c->errors, path, "%s (0x%x bytes) does not fit the VMM's images area: "
                     "0x%x bytes, 0x%llx taken by the images before it", what, (unsigned)size,
                     VMM_IMAGES_MAX, (unsigned long long)*used);
        return false;
    }
    *used += (size + VMM_IMAGE_ALIGN - 1) / VMM_IMAGE_ALIGN * VMM_IMAGE_ALIGN;
    return true;
}

/* The zImage, initrd and DTB where the VMM puts them in the guest's RAM. */
static void check_linux_layout(struct checker *c, const char *path, const struct system_vm *vm,
                               const struct named_file *kernel, const struct named_file *initrd)
{
    struct guest_linux_layout layout;
    if (guest_linux_layout(vm->ram_size, kernel->file.size, initrd->file.size, &layout))
        return;
    if ((uint64_t)layout.kernel + kernel->file.size > layout.initrd)
        system_error(c->errors, path, "kernel \"%s\" (0x%x bytes) does not fit its RAM: the VMM "
                     "puts it at ram-base + 0x%x and the initrd at ram-base + 0x%x (half of "
                     "ram-size 0x%x, at most 0x%x)", kernel->name, (unsigned)kernel->file.size,
                     (unsigned)layout.kernel, (unsigned)layout.initrd, (unsigned)vm->ram_size,
                     GUEST_INITRD_OFFSET_MAX);
    else
        system_error(c->errors, path, "initrd \"%s\" (0x%x bytes) does not fit its RAM: from "
                     "ram-base + 0x%x, it and the device tree's 0x%x bytes end past ram-size "
                     "0x%x", initrd->name, (unsigned)initrd->file.size, (unsigned)layout.initrd,
                     GUEST_DTB_SPACE, (unsigned)vm->ram_size);
}

/* The device tree init generates for the VM, measured in the scratch
 * buffer; *size is 0 if it could not be made. */
static void check_guest_dtb(struct checker *c, const struct system_files *files, uint32_t vm_index,
                            const char *path, const struct named_file *fragment, uint32_t *size)
{
    static const struct guest_dtb_platform platform = {
        .gicd_base = GUEST_GICD_BASE, .gicc_base = GUEST_GICC_BASE,
        .uart_base = GUEST_UART_BASE, .uart_irq = GUEST_UART_IRQ,
    };
    *size = 0;
    int error = guest_dtb_build(c->system, vm_index, &platform, 0, 0, fragment->file.data,
                                fragment->file.size, files->scratch, SYSTEM_FILES_SCRATCH, size);
    if (error == OPAL_ERR_MALFORMED)
        system_error(c->errors, path, "dtb-fragment \"%s\" (0x%x bytes) cannot be merged: a "
                     "DTB of one root node with balanced nesting, properties before subnodes, "
                     "unique names, at most %u levels", fragment->name,
                     (unsigned)fragment->file.size, GUEST_DTB_MAX_DEPTH);
    else if (error == OPAL_ERR_TRUNCATED || (error == OPAL_OK && *size > GUEST_DTB_MAX))
        system_error(c->errors, path, "the generated device tree is %s0x%x bytes, above 0x%x, "
                     "the most the VMM takes (bootargs, channels, devices%s)",
                     error == OPAL_OK ? "" : "more than ",
                     (unsigned)(error == OPAL_OK ? *size : SYSTEM_FILES_SCRATCH), GUEST_DTB_MAX,
                     fragment->name[0] != '\0' ? " and dtb-fragment" : "");
    else if (error != OPAL_OK)
        system_error(c->errors, path, "the device tree cannot be generated (error %d)", error);
}

static void check_vm_files(struct checker *c, const struct system_files *files,
                           uint32_t vm_index)
{
    const struct system_vm *vm = &c->system->vms[vm_index];
    char path[SYSTEM_PATH_MAX];
    struct named_file kernel, initrd, fragment;
    system_component_path(c->system, vm_index, path);
    bool found = find(c, files, path, "kernel", vm->kernel, &kernel);
    found &= find(c, files, path, "initrd", vm->initrd, &initrd);
    found &= find(c, files, path, "dtb-fragment", vm->dtb_fragment, &fragment);
    if (!found)
        return;
    char what[2 * SYSTEM_FILE_MAX];
    uint64_t used = 0;
    format_string(what, sizeof what, "kernel \"%s\"", kernel.name);
    bool area = check_images_area(c, path, what, kernel.file.size, &used);
    if (area && initrd.name[0] != '\0') {
        format_string(what, sizeof what, "initrd \"%s\"", initrd.name);
        area = check_images_area(c, path, what, initrd.file.size, &used);
    }
    if (system_file_is_elf(&kernel.file)) {
        check_elf(c, path, &kernel, vm->ram_base, vm->ram_base + vm->ram_size - 1, "its RAM");
        return;
    }
    check_linux_layout(c, path, vm, &kernel, &initrd);
    system_check_linux_devices(c, vm_index, path);
    uint32_t dtb_size;
    check_guest_dtb(c, files, vm_index, path, &fragment, &dtb_size);
    if (area && dtb_size != 0)
        check_images_area(c, path, "the generated device tree", dtb_size, &used);
}

static void check_task_files(struct checker *c, const struct system_files *files,
                             uint32_t task_index)
{
    const struct system_task *task = &c->system->tasks[task_index];
    char path[SYSTEM_PATH_MAX];
    struct named_file image;
    system_component_path(c->system, c->system->vm_count + task_index, path);
    if (find(c, files, path, "image", task->image, &image))
        check_elf(c, path, &image, PROCESS_IMAGE_BASE, PROCESS_IMAGE_END - 1,
                  "a task's address space");
}

unsigned system_check_files(const struct system *system, const struct system_platform *platform,
                            const struct system_files *files, system_report_fn report,
                            void *context)
{
    struct system_errors errors = { .report = report, .context = context, .count = 0 };
    struct checker c = { .system = system, .platform = platform, .errors = &errors };
    struct system_file vmm;
    if (system->vm_count > 0 && !files->find(files->context, "vmm", &vmm))
        system_error(&errors, "/vms", "the VMM's program \"vmm\": no such file in the boot "
                     "image");
    for (uint32_t i = 0; i < system->vm_count; i++)
        check_vm_files(&c, files, i);
    for (uint32_t i = 0; i < system->task_count; i++)
        check_task_files(&c, files, i);
    /* Arenas hold the images: counted once every file is there and fits. */
    if (errors.count == 0)
        system_check_memory(&c, files);
    return errors.count;
}
