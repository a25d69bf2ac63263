/* Building a virtual machine from its spec: a stage-2 VSpace with RAM (2 MiB
 * frames) and the GIC's virtual CPU interface, a vCPU bound to a thread, and
 * a VMM process whose CNode holds exactly the caps listed in lib/vmm_boot.h. */
#include "console/console.h"
#include "core/cpio.h"
#include "core/string.h"
#include "runtime/mem.h"
#include "process.h"
#include "vm.h"

#define SCRATCH_ADDRESS  0x30000000u   /* where init maps a frame to fill it */
#define LARGE_FRAME      (1u << OPAL_FRAME_LARGE_BITS)
#define SMALL_FRAME      (1u << OPAL_FRAME_SMALL_BITS)
#define RWX (OPAL_MAP_READ | OPAL_MAP_WRITE | OPAL_MAP_EXECUTE)
#define RW  (OPAL_MAP_READ | OPAL_MAP_WRITE)
#define FULL_BUDGET_US 10000u

struct vm_build {
    const struct opal_bootinfo *bootinfo;
    const struct vm_spec *spec;
    uint32_t guest_vspace, vmm_cnode, vcpu, vcpu_tcb, endpoint, notification;
    struct process vmm;
    struct vmm_boot_info info;
    uint32_t images_size;
};

static int fail(const struct vm_spec *spec, const char *what, int error)
{
    printf("init: VM %s: %s: %s\n", spec->name, what, opal_error_name(error));
    return error;
}

/* A copy of a frame cap, so the same memory can be mapped a second time. */
static int frame_copy(uint32_t frame, uint32_t *copy)
{
    uint32_t slot = opal_alloc_slot();
    if (slot == 0)
        return OPAL_ERR_NOT_ENOUGH_MEMORY;
    *copy = slot;
    return opal_cnode_copy(OPAL_CAP_INIT_CNODE, slot, frame, OPAL_RIGHTS_ALL);
}

/* Guest RAM: mapped in the guest at its base and in the VMM at the same address. */
static int make_ram(struct vm_build *build)
{
    const struct vm_spec *spec = build->spec;
    for (uint32_t offset = 0; offset < spec->ram_size; offset += LARGE_FRAME) {
        uint32_t frame, copy, address = spec->ram_base + offset;
        int error;
        if ((error = opal_alloc_object(OPAL_OBJECT_FRAME, OPAL_FRAME_LARGE_BITS, &frame)) ||
            (error = process_map_frame(frame, build->guest_vspace, address, RWX)) ||
            (error = frame_copy(frame, &copy)) ||
            (error = process_map_frame(copy, build->vmm.vspace, address, RW)))
            return error;
    }
    return OPAL_OK;
}

static int map_device(uint32_t physical, uint32_t vspace, uint32_t address)
{
    uint32_t frame;
    int error = opal_alloc_device_frame(physical, &frame);
    return error ? error : process_map_frame_with(frame, vspace, address, RW, OPAL_MAP_DEVICE);
}

/* Fill fresh frames from `data` and map them read-only into the VMM: 2 MiB
 * frames, or one 4 KiB frame for a page of data. */
static int map_copy(struct vm_build *build, uint32_t address, const void *data, uint32_t size)
{
    uint32_t bits = size <= SMALL_FRAME ? OPAL_FRAME_SMALL_BITS : OPAL_FRAME_LARGE_BITS;
    uint32_t frame_size = 1u << bits;
    for (uint32_t done = 0; done < size; done += frame_size) {
        uint32_t frame, chunk = size - done < frame_size ? size - done : frame_size;
        int error;
        if ((error = opal_alloc_object(OPAL_OBJECT_FRAME, bits, &frame)) ||
            (error = process_map_frame(frame, OPAL_CAP_INIT_VSPACE, SCRATCH_ADDRESS, RW)))
            return error;
        memcpy((void *)SCRATCH_ADDRESS, (const uint8_t *)data + done, chunk);
        memset((uint8_t *)SCRATCH_ADDRESS + chunk, 0, frame_size - chunk);
        if ((error = opal_frame_unmap(frame)) ||
            (error = process_map_frame(frame, build->vmm.vspace, address + done, OPAL_MAP_READ)))
            return error;
    }
    return OPAL_OK;
}

/* Place one image file in the images area; records where it went. */
static int add_image(struct vm_build *build, const char *name, struct vmm_image *image)
{
    struct cpio_file file;
    const struct opal_bootinfo *bootinfo = build->bootinfo;
    if (name == NULL)
        return OPAL_OK;
    int error = cpio_find((const void *)bootinfo->archive_address, bootinfo->archive_size, name,
                          &file);
    if (error != OPAL_OK) {
        printf("init: VM %s: no file \"%s\" in the boot archive\n", build->spec->name, name);
        return error;
    }
    if (build->images_size + file.size > VMM_IMAGES_MAX)
        return OPAL_ERR_RANGE;
    image->offset = build->images_size;
    image->size = file.size;
    error = map_copy(build, VMM_IMAGES_ADDRESS + image->offset, file.data, file.size);
    build->images_size += (file.size + LARGE_FRAME - 1) & ~(LARGE_FRAME - 1);
    return error;
}

static int make_images(struct vm_build *build)
{
    const struct vm_spec *spec = build->spec;
    struct vmm_boot_info *info = &build->info;
    int error;
    if ((error = add_image(build, spec->kernel, &info->kernel)) ||
        (error = add_image(build, spec->initrd, &info->initrd)) ||
        (error = add_image(build, spec->dtb, &info->dtb)))
        return error;
    info->magic = VMM_BOOT_MAGIC;
    info->kind = spec->kind;
    if (core_strlcpy(info->name, spec->name, sizeof info->name) >= sizeof info->name ||
        core_strlcpy(info->bootargs, spec->bootargs ? spec->bootargs : "",
                     sizeof info->bootargs) >= sizeof info->bootargs)
        return OPAL_ERR_RANGE; /* a name or command line too long to pass on whole */
    info->ram_base = spec->ram_base;
    info->ram_size = spec->ram_size;
    info->vtimer_direct = 1;
    info->console = spec->console;
    return map_copy(build, VMM_BOOT_INFO_ADDRESS, info, sizeof *info);
}

/* The VMM's CNode, with a guard so that it alone resolves a whole CPtr. */
static int make_cnode(struct vm_build *build, uint32_t *guarded)
{
    uint32_t raw;
    int error = opal_alloc_object(OPAL_OBJECT_CNODE, VMM_CNODE_BITS, &raw);
    if (error)
        return error;
    if ((*guarded = opal_alloc_slot()) == 0)
        return OPAL_ERR_NOT_ENOUGH_MEMORY;
    build->vmm_cnode = raw;
    return opal_cnode_mint(OPAL_CAP_INIT_CNODE, *guarded, raw, OPAL_RIGHTS_ALL,
                           OPAL_CNODE_GUARD(32 - VMM_CNODE_BITS, 0));
}

static int give(struct vm_build *build, uint32_t slot, uint32_t cap)
{
    return opal_cnode_copy(build->vmm_cnode, slot, cap, OPAL_RIGHTS_ALL);
}

/* A console connection (docs/console.md): the ring mapped at
 * VMM_CONSOLE_RING_ADDRESS, the server's notification in VMM_CAP_CONSOLE,
 * and the server signalling the VMM's own notification as VMM_BADGE_CONSOLE. */
static int give_console(struct vm_build *build)
{
    struct console_connection connection;
    uint32_t badged = opal_alloc_slot();
    int error;
    if (badged == 0)
        return OPAL_ERR_NOT_ENOUGH_MEMORY;
    if ((error = opal_cnode_mint(OPAL_CAP_INIT_CNODE, badged, build->notification,
                                 OPAL_RIGHT_WRITE, VMM_BADGE_CONSOLE)) ||
        (error = console_connect(build->spec->name, true, badged, &connection)) ||
        (error = opal_free_slot(badged)) ||
        (error = process_map_frame(connection.ring_frame, build->vmm.vspace,
                                   VMM_CONSOLE_RING_ADDRESS, RW)))
        return error;
    return opal_cnode_move(build->vmm_cnode, VMM_CAP_CONSOLE, connection.server);
}

static int make_vcpu_thread(struct vm_build *build, uint32_t cspace)
{
    const struct vm_spec *spec = build->spec;
    uint32_t context;
    int error;
    if ((error = opal_alloc_object(OPAL_OBJECT_VCPU, 0, &build->vcpu)) ||
        (error = opal_alloc_object(OPAL_OBJECT_TCB, 0, &build->vcpu_tcb)) ||
        (error = opal_alloc_object(OPAL_OBJECT_SCHED_CONTEXT, 0, &context)) ||
        (error = opal_tcb_configure(build->vcpu_tcb, VMM_CAP_ENDPOINT, cspace,
                                    build->guest_vspace, 0, 0)) ||
        (error = opal_tcb_set_priority(build->vcpu_tcb, OPAL_CAP_INIT_TCB, spec->vcpu_priority)) ||
        (error = opal_sched_control_configure(OPAL_CAP_SCHED_CONTROL, context, FULL_BUDGET_US,
                                              FULL_BUDGET_US)) ||
        (error = opal_tcb_set_sched_context(build->vcpu_tcb, context)) ||
        (error = opal_vcpu_bind_tcb(build->vcpu, build->vcpu_tcb)))
        return error;
    return OPAL_OK;
}

static int make_caps(struct vm_build *build, uint32_t cspace)
{
    uint32_t reply;
    int error;
    if ((error = opal_alloc_object(OPAL_OBJECT_ENDPOINT, 0, &build->endpoint)) ||
        (error = opal_alloc_object(OPAL_OBJECT_REPLY, 0, &reply)) ||
        (error = opal_alloc_object(OPAL_OBJECT_NOTIFICATION, 0, &build->notification)) ||
        (error = make_vcpu_thread(build, cspace)) ||
        (error = give(build, VMM_CAP_ENDPOINT, build->endpoint)) ||
        (error = opal_cnode_move(build->vmm_cnode, VMM_CAP_REPLY, reply)) ||
        (error = give(build, VMM_CAP_VCPU, build->vcpu)) ||
        (error = give(build, VMM_CAP_VCPU_TCB, build->vcpu_tcb)) ||
        (error = give(build, VMM_CAP_NOTIFICATION, build->notification)))
        return error;
    return build->spec->console ? give_console(build) : OPAL_OK;
}

static int start_vmm(struct vm_build *build, uint32_t cspace)
{
    int error;
    if ((error = process_start(&build->vmm, cspace, build->spec->vmm_priority, FULL_BUDGET_US,
                               FULL_BUDGET_US, 0)) ||
        (error = opal_tcb_bind_notification(build->vmm.tcb, build->notification)))
        return error;
    return give(build, VMM_CAP_SELF_TCB, build->vmm.tcb);
}

int vm_start(const struct opal_bootinfo *bootinfo, const struct vm_spec *spec)
{
    static struct vm_build build;
    struct cpio_file vmm;
    uint32_t cspace;
    int error;
    build = (struct vm_build){ .bootinfo = bootinfo, .spec = spec };
    if ((error = cpio_find((const void *)bootinfo->archive_address, bootinfo->archive_size, "vmm",
                           &vmm)))
        return fail(spec, "no \"vmm\" program in the boot archive", error);
    if ((error = process_load(vmm.data, vmm.size, &build.vmm)))
        return fail(spec, "loading the VMM", error);
    if ((error = opal_alloc_object(OPAL_OBJECT_VSPACE, 0, &build.guest_vspace)) ||
        (error = make_ram(&build)))
        return fail(spec, "guest RAM", error);
    if ((error = map_device(bootinfo->gicv_base, build.guest_vspace, GUEST_GICC_BASE)) ||
        (error = map_device(bootinfo->gicv_base + SMALL_FRAME, build.guest_vspace,
                            GUEST_GICC_BASE + SMALL_FRAME)))
        return fail(spec, "mapping the GIC virtual CPU interface", error);
    if ((error = make_images(&build)))
        return fail(spec, "guest images", error);
    if ((error = make_cnode(&build, &cspace)) || (error = make_caps(&build, cspace)))
        return fail(spec, "capabilities", error);
    if ((error = start_vmm(&build, cspace)))
        return fail(spec, "starting the VMM", error);
    printf("init: VM %s: %u MiB at 0x%08x, VMM started\n", spec->name, spec->ram_size >> 20,
           spec->ram_base);
    return OPAL_OK;
}
