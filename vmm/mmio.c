/* Guest MMIO: a stage-2 abort is routed by guest-physical address to the
 * emulated device there (vGIC distributor, PL011, a channel's doorbell). An
 * access nothing serves is a stray: the guest takes an external abort, as
 * from a bus on hardware, or the VM stops with a report (the VM's
 * stray_access). */
#include "core/format.h"
#include "vmm/vmm.h"

/* Into vCPU `cpu`'s list registers, wherever it runs (the kernel's job). */
static int inject_irq(void *context, uint32_t cpu, uint32_t irq, uint8_t priority,
                      bool notify_eoi)
{
    (void)context;
    /* Group 0: Linux enables only that group on the GICv2 CPU interface. */
    return opal_vcpu_inject_irq(vmm_cap_vcpu(cpu), irq, priority, OPAL_VIRQ_ANY_SLOT,
                                notify_eoi ? OPAL_VIRQ_NOTIFY_EOI : 0, NULL);
}

static void resample_irq(void *context, uint32_t irq)
{
    passthrough_resample(context, irq);
}

static void uart_irq(void *context, bool level)
{
    struct vm *vm = context;
    vgic_dist_set_line(&vm->vgic, GUEST_UART_IRQ, level);
}

void vmm_reset_devices(struct vm *vm)
{
    const struct vgic_ops vgic_ops = { .context = vm, .inject = inject_irq,
                                       .resample = resample_irq };
    const struct vuart_ops uart_ops = { .context = vm, .output = console_output,
                                        .set_irq = uart_irq };
    vgic_dist_init(&vm->vgic, &vgic_ops, vm->vcpu_count);
    for (uint32_t k = 0; k < VMM_MAX_VCPUS; k++)
        vpmu_reset(&vm->vcpus[k].pmu);
    channel_reset(vm);
    passthrough_reset(vm);
    /* The console server names the lines of a connected VM itself. */
    vuart_init(&vm->uart, vm->info->console ? NULL : vm->info->name, &uart_ops);
    vrtc_init(&vm->rtc);
    for (uint32_t slot = 0; slot < GUEST_VIRTIO_SLOTS; slot++)
        vm->virtio[slot] = NULL;
    virtio_console_init(&vm->virtio_console, vm);
    if (vm->info->entropy)
        virtio_rng_init(&vm->rng, vm, (struct rng_link *)VMM_RNG_LINK_ADDRESS);
    if (vm->info->disk_sectors > 0)
        virtio_blk_init(&vm->blk, vm, (struct blk_link *)VMM_BLK_LINK_ADDRESS);
}

/* Whether `address` is the emulated RTC's: a Linux guest's only (a
 * bare-metal one may be given the real PL031 there). */
static bool rtc_at(const struct vm *vm, uint32_t address)
{
    return vm->info->kind == VMM_GUEST_LINUX && address - GUEST_RTC_BASE < GUEST_DEVICE_SIZE;
}

static bool device_at(struct vm *vm, uint32_t address)
{
    return rtc_at(vm, address) ||
           virtio_at(vm, address) ||
           address - GUEST_GICD_BASE < GUEST_DEVICE_SIZE ||
           address - GUEST_UART_BASE < GUEST_DEVICE_SIZE ||
           channel_doorbell_at(vm->info, address) >= 0;
}

/* What a stray access did, and why nothing served it: outside RAM and
 * devices; at a device, with an instruction that gives no syndrome (the
 * kernel cannot tell its size or register: LDM, STM, LDRD, LDREX, a
 * write-back form), or with a size or alignment the device does not take. */
static void describe_stray(struct vm *vm, const struct opal_message *exit, char *text,
                           size_t size)
{
    uint32_t address = exit->mr[1], access = exit->mr[2];
    const char *why = !device_at(vm, address) ? "outside its RAM and devices"
        : access & OPAL_GUEST_ACCESS_FETCH ? "at a device"
        : !(access & OPAL_GUEST_ACCESS_DECODED)
            ? "at a device with an instruction that gives no syndrome"
        : "with an access its device does not take";
    format_string(text, size, "guest %s 0x%08x %s (pc 0x%08x)",
                  access & OPAL_GUEST_ACCESS_FETCH ? "executed at"
                  : access & OPAL_GUEST_ACCESS_WRITE ? "wrote to" : "read from",
                  address, why, exit->mr[0]);
}

/* A stray access: an external abort for the guest (a prefetch abort for a
 * fetch), one rate-limited line each; or, with stray-access "stop", the VM
 * stops with the same words. */
static enum vmm_action stray(struct vm *vm, const struct opal_message *exit)
{
    char text[160];
    describe_stray(vm, exit, text, sizeof text);
    if (vm->info->stray_access == VMM_STRAY_STOP) {
        vmm_stop(vm, VMM_REPORT_FAILED, text);
        return VMM_STOP;
    }
    vmm_log_limited(vm, &vm->stray_lines, "%s: external abort injected", text);
    return VMM_ABORT;
}

/* A decoded access at `address`, to the device there: the kind of exit
 * it is, and whether the device took it (a load's value in *result). */
static bool emulate(struct vm *vm, uint32_t address, uint32_t access, uint32_t *result,
                    enum vmm_exit_kind *kind)
{
    uint32_t value = opal_ipc_buffer()->mr[4];
    bool write = access & OPAL_GUEST_ACCESS_WRITE;
    uint32_t size = OPAL_GUEST_ACCESS_SIZE(access);
    int channel;
    if (address - GUEST_GICD_BASE < GUEST_DEVICE_SIZE) {
        *kind = EXIT_MMIO_GICD;
        uint32_t offset = address - GUEST_GICD_BASE;
        /* The distributor takes every access (RAZ/WI where undefined). */
        if (write)
            vgic_dist_write(&vm->vgic, vm->current, offset, size, value);
        else
            vgic_dist_read(&vm->vgic, vm->current, offset, size, result);
        return true;
    }
    if (address - GUEST_UART_BASE < GUEST_DEVICE_SIZE) {
        *kind = EXIT_MMIO_UART;
        uint32_t offset = address - GUEST_UART_BASE;
        bool handled = write ? vuart_write(&vm->uart, offset, size, value)
                             : vuart_read(&vm->uart, offset, size, result);
        console_input(vm);
        return handled;
    }
    if (rtc_at(vm, address)) {
        *kind = EXIT_MMIO_RTC;
        uint32_t offset = address - GUEST_RTC_BASE;
        return write ? vrtc_write(vm, &vm->rtc, offset, size, value)
                     : vrtc_read(vm, &vm->rtc, offset, size, result);
    }
    struct virtio_device *device = virtio_at(vm, address);
    if (device) {
        *kind = EXIT_MMIO_VIRTIO;
        uint32_t offset = (address - GUEST_VIRTIO_BASE) % GUEST_VIRTIO_STRIDE;
        return write ? virtio_mmio_write(device, offset, size, value)
                     : virtio_mmio_read(device, offset, size, result);
    }
    if ((channel = channel_doorbell_at(vm->info, address)) >= 0) {
        *kind = EXIT_MMIO_CHANNEL;
        channel_doorbell(vm, (uint32_t)channel, write, result);
        return true;
    }
    return false;
}

enum vmm_action vmm_handle_abort(struct vm *vm, const struct opal_message *exit, uint32_t *result)
{
    uint32_t address = exit->mr[1], access = exit->mr[2];
    enum vmm_exit_kind kind = EXIT_MMIO_OTHER;
    bool handled = (access & OPAL_GUEST_ACCESS_DECODED) &&
                   emulate(vm, address, access, result, &kind);
    vm->exits[kind]++;
    return handled ? VMM_EMULATED : stray(vm, exit);
}
