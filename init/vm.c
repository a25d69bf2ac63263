/* Building one instance of a VM from its description: a stage-2 VSpace with
 * RAM, the GIC's virtual CPU interface, passthrough devices and channel
 * regions; a vCPU bound to a thread; the guest's images and a generated
 * device tree; and a VMM process whose CNode holds exactly the caps listed
 * in lib/vmm_boot.h. Everything comes from the VM's arena. */
#include "core/cmdline.h"
#include "core/cpio.h"
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
#define FULL_BUDGET_US 10000u

struct vm_build {
    struct component *component;
    const struct system_vm *vm;
    uint32_t guest_vspace, cnode, vcpu, vcpu_tcb, endpoint;
    struct process vmm;
    struct vmm_boot_info info;
    uint32_t images_size;
};

static struct vm_build build;     /* one at a time; its boot info is ~1 KiB */
static uint8_t dtb[GUEST_DTB_MAX];   /* the most the VMM takes */

static int fail(const char *what, int error)
{
    printf("init: VM %s: %s: %s\n", build.vm->component.name, what, opal_error_name(error));
    return error;
}

/* Guest RAM, mapped in the guest at its base and in the VMM at the same
 * address: 2 MiB frames where alignment allows, 4 KiB ones elsewhere. */
static int make_ram(void)
{
    uint32_t base = build.vm->ram_base, size = build.vm->ram_size;
    for (uint32_t offset = 0; offset < size;) {
        uint32_t address = base + offset;
        bool large = address % LARGE_FRAME == 0 && size - offset >= LARGE_FRAME;
        uint32_t bits = large ? OPAL_FRAME_LARGE_BITS : OPAL_FRAME_SMALL_BITS;
        uint32_t frame;
        int error;
        if ((error = opal_alloc_object(OPAL_OBJECT_FRAME, bits, &frame)) ||
            (error = process_map_frame(frame, build.guest_vspace, address, RWX)) ||
            (error = map_copy(frame, build.vmm.vspace, address, RW)))
            return error;
        offset += 1u << bits;
    }
    return OPAL_OK;
}

/* Identity-mapped device pages (the GIC's virtual CPU interface is mapped
 * where the guest expects its CPU interface). */
static int map_device(uint32_t physical, uint32_t address)
{
    uint32_t frame;
    int error = opal_alloc_device_frame(physical, &frame);
    return error ? error : process_map_frame_with(frame, build.guest_vspace, address, RW,
                                                  OPAL_MAP_DEVICE);
}

static int make_guest_map(void)
{
    const struct system_component *config = &build.vm->component;
    int error;
    if ((error = make_ram()))
        return fail("guest RAM", error);
    if ((error = map_device(init_bootinfo->gicv_base, GUEST_GICC_BASE)) ||
        (error = map_device(init_bootinfo->gicv_base + SMALL_FRAME, GUEST_GICC_BASE + SMALL_FRAME)))
        return fail("mapping the GIC virtual CPU interface", error);
    for (uint32_t d = 0; d < config->device_count; d++)
        for (uint32_t page = 0; page < config->devices[d].size; page += SMALL_FRAME)
            if ((error = map_device(config->devices[d].base + page,
                                    config->devices[d].base + page)))
                return fail("mapping a passthrough device", error);
    for (uint32_t k = 0; k < init_system.channel_count; k++) {
        int end = channel_end(k, build.component);
        if (end >= 0 &&
            (error = channel_map(k, build.guest_vspace, init_system.channels[k].guest_address[end])))
            return fail("mapping a channel's region", error);
    }
    return OPAL_OK;
}

/* Copy `size` bytes into the images area (2 MiB frames, or one 4 KiB frame
 * for a page of data), read-only to the VMM; records where they went. */
static int add_image(const void *data, uint32_t size, struct vmm_image *image)
{
    if (size > VMM_IMAGES_MAX - build.images_size)
        return OPAL_ERR_RANGE;
    uint32_t bits = size <= SMALL_FRAME ? OPAL_FRAME_SMALL_BITS : OPAL_FRAME_LARGE_BITS;
    uint32_t frame_size = 1u << bits;
    image->offset = build.images_size;
    image->size = size;
    for (uint32_t done = 0; done < size; done += frame_size) {
        uint32_t chunk = size - done < frame_size ? size - done : frame_size;
        int error = map_filled_frame(bits, (const uint8_t *)data + done, chunk, build.vmm.vspace,
                                     VMM_IMAGES_ADDRESS + image->offset + done, OPAL_MAP_READ);
        if (error != OPAL_OK)
            return error;
    }
    build.images_size += (size + VMM_IMAGE_ALIGN - 1) & ~(VMM_IMAGE_ALIGN - 1);
    return OPAL_OK;
}

/* The file the description's `property` names, into the images area; a
 * failure names the VM, the property, the file and its size. */
static int add_file(const char *property, const char *name, struct vmm_image *image,
                    const struct cpio_file **found)
{
    static struct cpio_file file;
    if (name[0] == '\0')
        return OPAL_OK;
    int error = cpio_find((const void *)init_bootinfo->archive_address,
                          init_bootinfo->archive_size, name, &file);
    if (error != OPAL_OK) {
        printf("init: VM %s: no file \"%s\" in the boot archive\n", build.vm->component.name,
               name);
        return error;
    }
    if (found != NULL)
        *found = &file;
    error = add_image(file.data, file.size, image);
    if (error == OPAL_ERR_RANGE)
        printf("init: VM %s: %s \"%s\" (%u bytes) does not fit what is left of the VMM's "
               "%u MiB images area\n", build.vm->component.name, property, name,
               (unsigned)file.size, VMM_IMAGES_MAX >> 20);
    else if (error != OPAL_OK)
        printf("init: VM %s: %s \"%s\" (%u bytes): copying it: %s\n", build.vm->component.name,
               property, name, (unsigned)file.size, opal_error_name(error));
    return error;
}

/* The guest's device tree, generated from the description (and the
 * dtb-fragment, if any). */
static int add_device_tree(void)
{
    struct cpio_file fragment = { 0 };
    if (build.vm->dtb_fragment[0] != '\0' &&
        cpio_find((const void *)init_bootinfo->archive_address, init_bootinfo->archive_size,
                  build.vm->dtb_fragment, &fragment) != OPAL_OK)
        return OPAL_ERR_NOT_FOUND;
    struct guest_dtb_platform platform = {
        .gicd_base = GUEST_GICD_BASE, .gicc_base = GUEST_GICC_BASE,
        .uart_base = GUEST_UART_BASE, .uart_irq = GUEST_UART_IRQ,
    };
    uint32_t size;
    int error = guest_dtb_build(&init_system, (uint32_t)(build.vm - init_system.vms), &platform,
                                0, 0, fragment.data, fragment.size, dtb, sizeof dtb, &size);
    return error != OPAL_OK ? error : add_image(dtb, size, &build.info.dtb);
}

/* The test hook: boot argument vmm.crash=<name> makes that VM's VMM fault
 * at its guest's first exit (tests/system/test_restart.py). */
static bool crash_hook_for(const char *name)
{
    const char *value = cmdline_value(init_bootinfo->cmdline, "vmm.crash");
    uint32_t length = core_strlen(name);
    return value != NULL && core_strncmp(value, name, length) == 0 &&
           (value[length] == '\0' || value[length] == ' ');
}

static void describe_channels(struct vmm_boot_info *info)
{
    for (uint32_t k = 0; k < init_system.channel_count; k++) {
        const struct system_channel *channel = &init_system.channels[k];
        int end = channel_end(k, build.component);
        if (end < 0)
            continue;
        struct vmm_channel *out = &info->channels[info->channel_count++];
        core_strlcpy(out->name, channel->name, sizeof out->name);
        out->guest_address = channel->guest_address[end];
        out->size = channel->size;
        out->guest_irq = channel->guest_irq[end];
    }
}

static int make_images(void)
{
    const struct system_vm *vm = build.vm;
    struct vmm_boot_info *info = &build.info;
    const struct cpio_file *kernel = NULL;
    int error;
    if ((error = add_file("kernel", vm->kernel, &info->kernel, &kernel)) ||
        (error = add_file("initrd", vm->initrd, &info->initrd, NULL)))
        return fail("guest images", error);
    /* A kernel that is an ELF is a bare-metal guest; anything else is a zImage. */
    const struct system_file file = { kernel->data, kernel->size };
    info->kind = system_file_is_elf(&file) ? VMM_GUEST_ELF : VMM_GUEST_LINUX;
    if (info->kind == VMM_GUEST_LINUX && (error = add_device_tree()))
        return fail("the guest's device tree", error);
    info->magic = VMM_BOOT_MAGIC;
    core_strlcpy(info->name, vm->component.name, sizeof info->name);
    core_strlcpy(info->bootargs, vm->bootargs, sizeof info->bootargs);
    info->ram_base = vm->ram_base;
    info->ram_size = vm->ram_size;
    info->vtimer_direct = 1;
    info->console = build.component->console;
    info->test_crash = crash_hook_for(vm->component.name);
    info->stray_access = vm->stray_access;   /* the same values (init.h) */
    describe_channels(info);
    for (uint32_t i = 0; i < vm->component.irq_count && i < VMM_MAX_IRQS; i++)
        info->irqs[info->irq_count++] = vm->component.irqs[i];
    if ((error = map_filled_frame(OPAL_FRAME_SMALL_BITS, info, sizeof *info, build.vmm.vspace,
                                  VMM_BOOT_INFO_ADDRESS, OPAL_MAP_READ)))
        return fail("the VMM's boot info", error);
    return OPAL_OK;
}

/* The VMM's CNode, with a guard so that it alone resolves a whole CPtr;
 * returns the guarded cap to use as its CSpace root. */
static int make_cnode(uint32_t *guarded)
{
    int error = opal_alloc_object(OPAL_OBJECT_CNODE, VMM_CNODE_BITS, &build.cnode);
    if (error)
        return error;
    if ((*guarded = opal_alloc_slot()) == 0)
        return OPAL_ERR_NOT_ENOUGH_MEMORY;
    return opal_cnode_mint(OPAL_CAP_INIT_CNODE, *guarded, build.cnode, OPAL_RIGHTS_ALL,
                           OPAL_CNODE_GUARD(32 - VMM_CNODE_BITS, 0));
}

/* A copy of `cap` with all rights in the VMM's CNode at `slot`. */
static int give(uint32_t slot, uint32_t cap)
{
    return opal_cnode_copy(build.cnode, slot, cap, OPAL_RIGHTS_ALL);
}

static int make_vcpu_thread(uint32_t cspace)
{
    const struct system_component *config = &build.vm->component;
    uint32_t context, budget = config->budget_us ? config->budget_us : FULL_BUDGET_US;
    uint32_t period = config->budget_us ? config->period_us : FULL_BUDGET_US;
    int error;
    if ((error = opal_alloc_object(OPAL_OBJECT_VCPU, 0, &build.vcpu)) ||
        (error = opal_alloc_object(OPAL_OBJECT_TCB, 0, &build.vcpu_tcb)) ||
        (error = opal_alloc_object(OPAL_OBJECT_SCHED_CONTEXT, 0, &context)) ||
        (error = opal_tcb_configure(build.vcpu_tcb, VMM_CAP_ENDPOINT, cspace,
                                    build.guest_vspace, 0, 0)) ||
        (error = opal_tcb_set_priority(build.vcpu_tcb, OPAL_CAP_INIT_TCB, config->priority)) ||
        (error = opal_sched_control_configure(OPAL_CAP_SCHED_CONTROL, context, budget, period)) ||
        (error = opal_tcb_set_sched_context(build.vcpu_tcb, context)) ||
        (error = opal_vcpu_bind_tcb(build.vcpu, build.vcpu_tcb)))
        return error;
    return OPAL_OK;
}

static int give_channels(void)
{
    uint32_t index = 0;
    for (uint32_t k = 0; k < init_system.channel_count; k++) {
        if (channel_end(k, build.component) < 0)
            continue;
        int error = channel_give_peer(k, build.component, build.cnode,
                                      VMM_CAP_CHANNEL_FIRST + index++);
        if (error != OPAL_OK)
            return error;
    }
    return OPAL_OK;
}

/* Passthrough interrupt i: its handler at VMM_CAP_IRQ_FIRST + i, signalling
 * the VMM's notification with VMM_BADGE_IRQ(i); the VMM injects it and acks. */
static int give_irqs(void)
{
    const struct system_component *config = &build.vm->component;
    if (config->irq_count > VMM_MAX_IRQS)
        return OPAL_ERR_RANGE;
    for (uint32_t i = 0; i < config->irq_count; i++) {
        int error = give_irq(config->irqs[i], build.component->notification, VMM_BADGE_IRQ(i),
                             build.cnode, VMM_CAP_IRQ_FIRST + i);
        if (error != OPAL_OK)
            return error;
    }
    return OPAL_OK;
}

static int make_caps(uint32_t cspace)
{
    struct component *c = build.component;
    uint32_t reply;
    int error;
    if ((error = opal_alloc_object(OPAL_OBJECT_ENDPOINT, 0, &build.endpoint)) ||
        (error = opal_alloc_object(OPAL_OBJECT_REPLY, 0, &reply)) ||
        (error = make_vcpu_thread(cspace)) ||
        (error = give(VMM_CAP_ENDPOINT, build.endpoint)) ||
        (error = opal_cnode_move(build.cnode, VMM_CAP_REPLY, reply)) ||   /* not copyable */
        (error = give(VMM_CAP_VCPU, build.vcpu)) ||
        (error = give(VMM_CAP_VCPU_TCB, build.vcpu_tcb)) ||
        (error = give(VMM_CAP_NOTIFICATION, c->notification)) ||
        (error = give(VMM_CAP_PARENT, c->parent)) ||
        (error = give_channels()) ||
        (error = give_irqs()))
        return error;
    if (!c->console)
        return OPAL_OK;
    if ((error = map_copy(c->console_connection.ring_frame, build.vmm.vspace,
                          VMM_CONSOLE_RING_ADDRESS, RW)))
        return error;
    return give(VMM_CAP_CONSOLE, c->console_connection.server);
}

static int start_vmm(uint32_t cspace)
{
    struct process_start start = {
        .cspace = cspace, .fault_endpoint = VMM_CAP_PARENT, .priority = build.vm->vmm_priority,
        .budget_us = FULL_BUDGET_US, .period_us = FULL_BUDGET_US,
    };
    int error;
    if ((error = process_start(&build.vmm, &start)) ||
        (error = opal_tcb_bind_notification(build.vmm.tcb, build.component->notification)))
        return error;
    build.component->tcbs[0] = build.vmm.tcb;
    build.component->tcbs[1] = build.vcpu_tcb;
    build.component->tcb_count = 2;
    return give(VMM_CAP_SELF_TCB, build.vmm.tcb);
}

int vm_build(struct component *component)
{
    struct cpio_file vmm;
    uint32_t cspace;
    int error;
    build = (struct vm_build){ .component = component, .vm = component->vm };
    if ((error = cpio_find((const void *)init_bootinfo->archive_address,
                           init_bootinfo->archive_size, "vmm", &vmm)))
        return fail("no \"vmm\" program in the boot archive", error);
    if ((error = process_load(vmm.data, vmm.size, 0, &build.vmm)))
        return fail("loading the VMM", error);
    if ((error = opal_alloc_object(OPAL_OBJECT_VSPACE, 0, &build.guest_vspace)))
        return fail("the guest's address space", error);
    if ((error = make_guest_map()) || (error = make_images()))
        return error;
    if ((error = make_cnode(&cspace)) || (error = make_caps(cspace)))
        return fail("capabilities", error);
    if ((error = start_vmm(cspace)))
        return fail("starting the VMM", error);
    return OPAL_OK;
}
