/* Guest loading: the images go from the read-only images area into guest
 * RAM (which the VMM sees at its guest-physical address), and vCPU 0 is put
 * in the state the guest's boot protocol expects, once: on a reset init
 * builds the VM again. The other vCPUs get the same state when the guest
 * turns them on (PSCI CPU_ON). */
#include "core/elf.h"
#include "core/fdt_edit.h"
#include "core/string.h"
#include "runtime/mem.h"
#include "vmm/vmm.h"

#define SCTLR_RESET 0x00c50078u
#define CPSR_THUMB  0x20u

static const uint8_t *image(const struct vmm_image *part)
{
    return (const uint8_t *)(uintptr_t)(VMM_IMAGES_ADDRESS + part->offset);
}

static uint8_t *guest_ram(uint32_t address)
{
    return (uint8_t *)(uintptr_t)address;
}

/* Every register the guest could have changed, back to reset values; an
 * odd pc is a Thumb entry (PSCI's rule for an AArch32 CPU_ON). */
int vmm_reset_vcpu(uint32_t k, uint32_t pc, uint32_t r0, uint32_t r1, uint32_t r2)
{
    uint32_t vcpu = vmm_cap_vcpu(k);
    static const uint32_t cleared[] = {
        OPAL_VCPU_TTBCR, OPAL_VCPU_CONTEXTIDR, OPAL_VCPU_TPIDRURW, OPAL_VCPU_TPIDRURO,
        OPAL_VCPU_TPIDRPRW, OPAL_VCPU_VBAR, OPAL_VCPU_CNTV_CTL, OPAL_VCPU_CNTKCTL,
        OPAL_VCPU_GICH_VMCR, OPAL_VCPU_GICH_APR, OPAL_VCPU_GICH_LR0, OPAL_VCPU_GICH_LR1,
        OPAL_VCPU_GICH_LR2, OPAL_VCPU_GICH_LR3, OPAL_VCPU_ACTLR,
    };
    int error = OPAL_OK;
    for (unsigned i = 0; i < sizeof cleared / sizeof cleared[0] && !error; i++)
        error = opal_vcpu_write_register(vcpu, cleared[i], 0);
    const uint32_t boot[][2] = {
        { OPAL_VCPU_SCTLR, SCTLR_RESET }, { OPAL_VCPU_GICH_HCR, 1 },
        { OPAL_VCPU_CPSR, OPAL_VCPU_BOOT_CPSR | (pc & 1u ? CPSR_THUMB : 0) },
        { OPAL_VCPU_PC, pc & ~1u },
        { OPAL_VCPU_R0, r0 }, { OPAL_VCPU_R0 + 1, r1 }, { OPAL_VCPU_R0 + 2, r2 },
    };
    for (unsigned i = 0; i < sizeof boot / sizeof boot[0] && !error; i++)
        error = opal_vcpu_write_register(vcpu, boot[i][0], boot[i][1]);
    return error;
}

/* The guest's DTB with its memory, bootargs and initrd filled in. */
static int place_dtb(struct vm *vm, uint32_t address, uint32_t initrd, uint32_t initrd_size)
{
    const struct vmm_boot_info *info = vm->info;
    uint8_t *blob = guest_ram(address);
    if (info->dtb.size == 0 || info->dtb.size > GUEST_DTB_MAX)
        return OPAL_ERR_RANGE;
    memcpy(blob, image(&info->dtb), info->dtb.size);
    const uint32_t memory[2] = { info->ram_base, info->ram_size };
    int error = fdt_edit_set_cells(blob, GUEST_DTB_SPACE, "/memory", "reg", memory, 2);
    if (error == OPAL_OK && info->bootargs[0])
        error = fdt_edit_set_string(blob, GUEST_DTB_SPACE, "/chosen", "bootargs", info->bootargs);
    if (error == OPAL_OK && initrd_size) {
        uint32_t start = initrd, end = initrd + initrd_size;
        error = fdt_edit_set_cells(blob, GUEST_DTB_SPACE, "/chosen", "linux,initrd-start", &start, 1);
        if (error == OPAL_OK)
            error = fdt_edit_set_cells(blob, GUEST_DTB_SPACE, "/chosen", "linux,initrd-end", &end, 1);
    }
    return error;
}

/* The images where lib/vmm_boot.h's layout puts them (the checker holds
 * the description to the same layout), the DTB edited, the boot protocol's
 * registers set. */
static int load_linux(struct vm *vm)
{
    const struct vmm_boot_info *info = vm->info;
    struct guest_linux_layout layout;
    if (!guest_linux_layout(info->ram_size, info->kernel.size, info->initrd.size, &layout)) {
        vmm_log(vm, "the images do not fit in %u MiB of RAM", info->ram_size >> 20);
        return OPAL_ERR_RANGE;
    }
    uint32_t kernel = info->ram_base + layout.kernel;
    uint32_t initrd = info->ram_base + layout.initrd;
    uint32_t dtb = info->ram_base + layout.dtb;
    memcpy(guest_ram(kernel), image(&info->kernel), info->kernel.size);
    if (info->initrd.size)
        memcpy(guest_ram(initrd), image(&info->initrd), info->initrd.size);
    int error = place_dtb(vm, dtb, initrd, info->initrd.size);
    if (error != OPAL_OK) {
        vmm_log(vm, "cannot prepare the device tree: %s", opal_error_name(error));
        return error;
    }
    return vmm_reset_vcpu(0, kernel, 0, ~0u, dtb);
}

static int load_elf(struct vm *vm)
{
    const struct vmm_boot_info *info = vm->info;
    const uint8_t *file = image(&info->kernel);
    struct elf_info elf;
    int error = elf_inspect(file, info->kernel.size, info->ram_base,
                            info->ram_base + info->ram_size - 1, &elf);
    if (error != OPAL_OK) {
        vmm_log(vm, "the guest ELF does not fit its RAM: %s", opal_error_name(error));
        return error;
    }
    for (unsigned i = 0; i < elf.segment_count; i++) {
        const struct elf_segment *segment = &elf.segments[i];
        memcpy(guest_ram(segment->vaddr), file + segment->offset, segment->filesz);
        memset(guest_ram(segment->vaddr + segment->filesz), 0, segment->memsz - segment->filesz);
    }
    return vmm_reset_vcpu(0, elf.entry, info->ram_base, info->ram_size, 0);
}

int vmm_load_guest(struct vm *vm)
{
    vmm_reset_devices(vm);
    int error = vm->info->kind == VMM_GUEST_ELF ? load_elf(vm) : load_linux(vm);
    /* The guest's virtual counter is the physical one (no CNTVOFF: native
     * threads would see it too), so a guest's boot time is measured from
     * here, a few system calls before its first instruction. */
    vm->started_at = opal_counter();
    return error;
}
