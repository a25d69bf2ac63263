/* Building one instance of a VM from its description: a stage-2 VSpace with
 * RAM, the GIC's virtual CPU interface, passthrough devices and channel
 * regions; its vCPUs, each bound to a thread (vm_vcpu.c); the guest's images
 * and a generated device tree; and a VMM process whose CNode holds exactly
 * the caps listed in lib/vmm_boot.h. Everything comes from the VM's arena. */
#include "core/cmdline.h"
#include "core/string.h"
#include "core/system_guest_dtb.h"
#include "init.h"
#include "process.h"
#include "runtime/mem.h"
#include "vmm_boot.h"

#define LARGE_FRAME (1u << OPAL_FRAME_LARGE_BITS)
#define SMALL_FRAME (1u << OPAL_FRAME_SMALL_BITS)
#define RWX (OPAL_MAP_READ | OPAL_MAP_WRITE | OPAL_MAP_EXECUTE)
#define RW  (OPAL_MAP_READ | OPAL_MAP_WRITE)

/* One instance being built: what each step makes and the next one uses. */
struct vm_build {
    const struct init *init;
    struct component *component;
    const struct system_vm *vm;
    uint32_t guest_vspace, cnode;
    uint32_t vcpu_tcbs[VMM_MAX_VCPUS], vmm_threads[VMM_MAX_VCPUS];
    struct process vmm;
    struct vmm_boot_info info;     /* filled step by step, mapped last */
    uint32_t images_size;          /* how much of the images area is used */
};

static int fail(const struct vm_build *b, const char *what, int error)
{
    printf("init: VM %s: %s: %s\n", b->vm->component.name, what, opal_error_name(error));
    return error;
}

/* Guest RAM, mapped in the guest at its base and in the VMM at the same
 * address: 2 MiB frames where alignment allows, 4 KiB ones elsewhere. */
static int make_ram(const struct vm_build *b)
{
    uint32_t base = b->vm->ram_base, size = b->vm->ram_size;
    bool disk = b->vm->disk[0] != '\0';
    disk_ram_begin();
    for (uint32_t offset = 0; offset < size;) {
        uint32_t address = base + offset;
        bool large = address % LARGE_FRAME == 0 && size - offset >= LARGE_FRAME;
        uint32_t bits = large ? OPAL_FRAME_LARGE_BITS : OPAL_FRAME_SMALL_BITS;
        uint32_t frame;
        int error;
        if ((error = opal_alloc_object(OPAL_OBJECT_FRAME, bits, &frame)) ||
            (error = process_map_frame(frame, b->guest_vspace, address, RWX)) ||
            (error = map_copy(frame, b->vmm.vspace, address, RW)) ||
            (disk && (error = disk_ram_add(address, frame, 1u << bits))))
            return error;
        offset += 1u << bits;
    }
    return OPAL_OK;
}

/* The guest's stage 2: RAM, device pages identity-mapped (the GIC's virtual
 * CPU interface where the guest expects its CPU interface), channel regions. */
static int make_guest_map(const struct vm_build *b)
{
    const struct system_component *config = &b->vm->component;
    const struct system *system = &b->init->system;
    uint32_t gicv = b->init->bootinfo->gicv_base;
    int error;
    if ((error = make_ram(b)))
        return fail(b, "guest RAM", error);
    if ((error = map_device_page(physical(gicv), b->guest_vspace,
                                 vspace_address(GUEST_GICC_BASE))) ||
        (error = map_device_page(physical(gicv + SMALL_FRAME), b->guest_vspace,
                                 vspace_address(GUEST_GICC_BASE + SMALL_FRAME))))
        return fail(b, "mapping the GIC virtual CPU interface", error);
    for (uint32_t d = 0; d < config->device_count; d++)
        for (uint32_t page = 0; page < config->devices[d].size; page += SMALL_FRAME)
            if ((error = map_device_page(physical(config->devices[d].base + page), b->guest_vspace,
                                         vspace_address(config->devices[d].base + page))))
                return fail(b, "mapping a passthrough device", error);
    for (uint32_t k = 0; k < system->channel_count; k++) {
        int end = channel_end(system, k, b->component);
        if (end >= 0 && (error = channel_map(b->init, k, b->guest_vspace,
                                             system->channels[k].guest_address[end])))
            return fail(b, "mapping a channel's region", error);
    }
    return OPAL_OK;
}

/* Copy `size` bytes into the images area (2 MiB frames, or one 4 KiB frame
 * for a page of data), read-only to the VMM; records where they went. */
static int add_image(struct vm_build *b, const void *data, uint32_t size,
                     struct vmm_image *image)
{
    if (size > VMM_IMAGES_MAX - b->images_size)
        return OPAL_ERR_RANGE;
    uint32_t bits = size <= SMALL_FRAME ? OPAL_FRAME_SMALL_BITS : OPAL_FRAME_LARGE_BITS;
    uint32_t frame_size = 1u << bits;
    image->offset = b->images_size;
    image->size = size;
    for (uint32_t done = 0; done < size; done += frame_size) {
        uint32_t chunk = size - done < frame_size ? size - done : frame_size;
        int error = map_filled_frame(bits, (const uint8_t *)data + done, chunk, b->vmm.vspace,
                                     VMM_IMAGES_ADDRESS + image->offset + done, OPAL_MAP_READ);
        if (error != OPAL_OK)
            return error;
    }
    b->images_size += (size + VMM_IMAGE_ALIGN - 1) & ~(VMM_IMAGE_ALIGN - 1);
    return OPAL_OK;
}

/* The file the description's `property` names (none if `name` is empty),
 * into the images area and *file; a failure names the VM, the property,
 * the file and its size. */
static int add_file(struct vm_build *b, const char *property, const char *name,
                    struct vmm_image *image, struct system_file *file)
{
    const char *vm = b->vm->component.name;
    if (name[0] == '\0')
        return OPAL_OK;
    int error = archive_find(b->init->bootinfo, name, file);
    if (error != OPAL_OK) {
        printf("init: VM %s: no file \"%s\" in the boot archive\n", vm, name);
        return error;
    }
    error = add_image(b, file->data, file->size, image);
    if (error == OPAL_ERR_RANGE)
        printf("init: VM %s: %s \"%s\" (%u bytes) does not fit what is left of the VMM's "
               "%u MiB images area\n", vm, property, name, (unsigned)file->size,
               VMM_IMAGES_MAX >> 20);
    else if (error != OPAL_OK)
        printf("init: VM %s: %s \"%s\" (%u bytes): copying it: %s\n", vm, property, name,
               (unsigned)file->size, opal_error_name(error));
    return error;
}

/* The guest's device tree, generated from the description (and the
 * dtb-fragment, if any). */
static int add_device_tree(struct vm_build *b)
{
    static uint8_t dtb[GUEST_DTB_MAX];   /* the most the VMM takes; too large for the stack */
    const struct system *system = &b->init->system;
    struct system_file fragment = { NULL, 0 };
    if (b->vm->dtb_fragment[0] != '\0' &&
        archive_find(b->init->bootinfo, b->vm->dtb_fragment, &fragment) != OPAL_OK)
        return OPAL_ERR_NOT_FOUND;
    struct guest_dtb_platform platform = {
        .gicd_base = GUEST_GICD_BASE, .gicc_base = GUEST_GICC_BASE,
        .uart_base = GUEST_UART_BASE, .uart_irq = GUEST_UART_IRQ,
    };
    uint32_t size;
    int error = guest_dtb_build(system, (uint32_t)(b->vm - system->vms), &platform, 0, 0,
                                fragment.data, fragment.size, dtb, sizeof dtb, &size);
    return error != OPAL_OK ? error : add_image(b, dtb, size, &b->info.dtb);
}

/* The test hook: boot argument vmm.crash=<name> makes that VM's VMM fault
 * at its guest's first exit (tests/system/test_restart.py). */
static bool crash_hook_for(const char *cmdline, const char *name)
{
    const char *value = cmdline_value(cmdline, "vmm.crash");
    uint32_t length = core_strlen(name);
    return value != NULL && core_strncmp(value, name, length) == 0 &&
           (value[length] == '\0' || value[length] == ' ');
}

static void describe_channels(struct vm_build *b)
{
    const struct system *system = &b->init->system;
    struct vmm_boot_info *info = &b->info;
    for (uint32_t k = 0; k < system->channel_count; k++) {
        const struct system_channel *channel = &system->channels[k];
        int end = channel_end(system, k, b->component);
        if (end < 0)
            continue;
        struct vmm_channel *out = &info->channels[info->channel_count++];
        core_strlcpy(out->name, channel->name, sizeof out->name);
        out->guest_address = channel->guest_address[end];
        out->size = channel->size;
        out->guest_irq = channel->guest_irq[end];
    }
}

/* The boot info's fields that come from the description and boot arguments. */
static void describe_vm(struct vm_build *b)
{
    const struct system_vm *vm = b->vm;
    struct vmm_boot_info *info = &b->info;
    info->magic = VMM_BOOT_MAGIC;
    core_strlcpy(info->name, vm->component.name, sizeof info->name);
    core_strlcpy(info->bootargs, vm->bootargs, sizeof info->bootargs);
    info->ram_base = vm->ram_base;
    info->ram_size = vm->ram_size;
    info->vtimer_direct = 1;
    info->console = b->component->console;
    info->test_crash = crash_hook_for(b->init->bootinfo->cmdline, vm->component.name);
    info->stray_access = vm->stray_access;   /* the same values (init.h) */
    info->vcpu_count = vm->vcpus;
    info->rtc_seconds = b->init->rtc_seconds;
    info->rtc_counter = b->init->rtc_counter;
    info->disk_sectors = vm->disk[0] != '\0' ? vm->disk_sectors : 0;
    for (uint32_t k = 0; k < vm->vcpus && k < VMM_MAX_VCPUS; k++)
        info->vcpu_cores[k] = vm->cpus[k];
    describe_channels(b);
    for (uint32_t i = 0; i < vm->component.irq_count && i < VMM_MAX_IRQS; i++)
        info->irqs[info->irq_count++] = vm->component.irqs[i];
}

/* The guest's images, its device tree if it is Linux, and the boot info
 * that says where they are, in the VMM's address space. */
static int make_images(struct vm_build *b)
{
    struct vmm_boot_info *info = &b->info;
    struct system_file kernel = { NULL, 0 }, initrd;
    int error;
    if ((error = add_file(b, "kernel", b->vm->kernel, &info->kernel, &kernel)) ||
        (error = add_file(b, "initrd", b->vm->initrd, &info->initrd, &initrd)))
        return fail(b, "guest images", error);
    /* A kernel that is an ELF is a bare-metal guest; anything else is a zImage. */
    info->kind = system_file_is_elf(&kernel) ? VMM_GUEST_ELF : VMM_GUEST_LINUX;
    if (info->kind == VMM_GUEST_LINUX && (error = add_device_tree(b)))
        return fail(b, "the guest's device tree", error);
    describe_vm(b);
    if ((error = map_filled_frame(OPAL_FRAME_SMALL_BITS, info, sizeof *info, b->vmm.vspace,
                                  VMM_BOOT_INFO_ADDRESS, OPAL_MAP_READ)))
        return fail(b, "the VMM's boot info", error);
    return OPAL_OK;
}

/* A copy of `cap` with all rights in the VMM's CNode at `slot`. */
static int give(const struct vm_build *b, uint32_t slot, uint32_t cap)
{
    return opal_cnode_copy(b->cnode, slot, cap, OPAL_RIGHTS_ALL);
}

/* Channel i of the VM's: its peer's notification at VMM_CAP_CHANNEL_FIRST + i. */
static int give_channels(const struct vm_build *b)
{
    const struct system *system = &b->init->system;
    uint32_t index = 0;
    for (uint32_t k = 0; k < system->channel_count; k++) {
        if (channel_end(system, k, b->component) < 0)
            continue;
        int error = channel_give_peer(b->init, k, b->component, b->cnode,
                                      VMM_CAP_CHANNEL_FIRST + index++);
        if (error != OPAL_OK)
            return error;
    }
    return OPAL_OK;
}

/* Passthrough interrupt i: its handler at VMM_CAP_IRQ_FIRST + i, signalling
 * the VMM's notification with VMM_BADGE_IRQ(i); the VMM injects it and acks. */
static int give_irqs(const struct vm_build *b)
{
    const struct system_component *config = &b->vm->component;
    if (config->irq_count > VMM_MAX_IRQS)
        return OPAL_ERR_RANGE;
    for (uint32_t i = 0; i < config->irq_count; i++) {
        int error = give_irq(config->irqs[i], b->component->notification, VMM_BADGE_IRQ(i),
                             b->cnode, VMM_CAP_IRQ_FIRST + i);
        if (error != OPAL_OK)
            return error;
    }
    return OPAL_OK;
}

/* Every vCPU's caps, and the VMM threads of vCPUs 1 and up. */
static int make_vcpus(struct vm_build *b, uint32_t cspace)
{
    struct vm_vcpu_setup setup = {
        .component = b->component, .cnode = b->cnode, .cspace = cspace,
        .guest_vspace = b->guest_vspace, .vmm_vspace = b->vmm.vspace,
        .vmm_priority = b->vm->vmm_priority,
    };
    for (uint32_t k = 0; k < b->vm->vcpus; k++) {
        setup.core = b->vm->cpus[k];
        int error = vm_vcpu_make(&setup, k, &b->vcpu_tcbs[k], &b->vmm_threads[k]);
        if (error != OPAL_OK)
            return error;
    }
    return OPAL_OK;
}

/* The VMM's CNode filled as lib/vmm_boot.h lays it out. */
static int make_caps(struct vm_build *b, uint32_t cspace)
{
    const struct component *c = b->component;
    int error;
    if ((error = make_vcpus(b, cspace)) ||
        (error = give(b, VMM_CAP_NOTIFICATION, c->notification)) ||
        (error = give(b, VMM_CAP_PARENT, c->parent)) ||
        (error = give_channels(b)) ||
        (error = give_irqs(b)) ||
        (error = disk_give_vmm(b->init, c, b->vmm.vspace, b->cnode)))
        return error;
    if (!c->console)
        return OPAL_OK;
    if ((error = map_copy(c->console_connection.ring_frame, b->vmm.vspace,
                          VMM_CONSOLE_RING_ADDRESS, RW)))
        return error;
    return give(b, VMM_CAP_CONSOLE, c->console_connection.server);
}

/* The VMM's thread 0 on vCPU 0's core; the component's threads recorded
 * (for its domain): every VMM thread and vCPU thread. */
static int start_vmm(struct vm_build *b, uint32_t cspace)
{
    struct process_start start = {
        .cspace = cspace, .fault_endpoint = VMM_CAP_PARENT, .priority = b->vm->vmm_priority,
        .budget_us = FULL_BUDGET_US, .period_us = FULL_BUDGET_US, .core = b->vm->cpus[0],
    };
    int error;
    if ((error = process_start(&b->vmm, &start)) ||
        (error = opal_tcb_bind_notification(b->vmm.tcb, b->component->notification)))
        return error;
    struct component *c = b->component;
    b->vmm_threads[0] = b->vmm.tcb;
    c->tcb_count = 0;
    for (uint32_t k = 0; k < b->vm->vcpus; k++) {
        c->tcbs[c->tcb_count++] = b->vmm_threads[k];
        c->tcbs[c->tcb_count++] = b->vcpu_tcbs[k];
    }
    return give(b, VMM_CAP_SELF_TCB, b->vmm.tcb);
}

int vm_build(const struct init *init, struct component *component)
{
    struct vm_build b = { .init = init, .component = component, .vm = component->vm };
    struct system_file vmm;
    uint32_t cspace;
    int error;
    if ((error = archive_find(init->bootinfo, "vmm", &vmm)))
        return fail(&b, "no \"vmm\" program in the boot archive", error);
    if ((error = process_load(vmm.data, vmm.size, 0, &b.vmm)))
        return fail(&b, "loading the VMM", error);
    if ((error = opal_alloc_object(OPAL_OBJECT_VSPACE, 0, &b.guest_vspace)))
        return fail(&b, "the guest's address space", error);
    if ((error = make_guest_map(&b)) || (error = make_images(&b)))
        return error;
    if ((error = make_guarded_cnode(VMM_CNODE_BITS, &b.cnode, &cspace)) ||
        (error = make_caps(&b, cspace)))
        return fail(&b, "capabilities", error);
    disk_ram_publish(init, component);   /* its driver may serve it from here on */
    if ((error = start_vmm(&b, cspace)))
        return fail(&b, "starting the VMM", error);
    return OPAL_OK;
}
