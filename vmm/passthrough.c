/* Passthrough interrupts (lib/vmm_boot.h, docs/vmm.md): host interrupt
 * irqs[i] is the guest's interrupt of the same ID, level-triggered. init
 * binds its IRQ handler (VMM_CAP_IRQ_FIRST + i) to the VMM's notification,
 * so the host interrupt arrives as badge bit VMM_BADGE_IRQ(i), the kernel
 * keeping it masked until it is acked. The VMM raises the line in the vGIC:
 * the irq is pending while the line is high and is injected with EOI
 * notification once the guest has enabled it. When the guest EOIs it, the
 * device has been served: the line goes low and the host interrupt is
 * acked, so the device can raise it again; if it still asserts it (the
 * guest ended the irq before clearing the device, or left it asserted), it
 * fires again and is injected again, as a GIC would offer it again. The
 * guest may also leave the irq pending while disabled and serve the device
 * meanwhile (Linux's oneshot irqs: mask, EOI, clear in a thread, unmask):
 * when it enables the irq again the vGIC resamples the line (the host's is
 * acked; if the device still asserts, it fires again), so no interrupt is
 * delivered that the device no longer asserts. */
#include "core/format.h"
#include "vmm/vmm.h"

static uint32_t irq_count(const struct vmm_boot_info *info)
{
    return info->irq_count < VMM_MAX_IRQS ? info->irq_count : VMM_MAX_IRQS;
}

/* Why passthrough interrupt i cannot be served, or NULL. */
static const char *irq_problem(const struct vmm_boot_info *info, uint32_t i)
{
    uint32_t irq = info->irqs[i];
    if (irq < VGIC_PRIVATE_IRQS || irq >= VGIC_IRQS)
        return "is not a shared peripheral interrupt of the emulated GIC (32 to 127)";
    if (guest_irq_reserved(irq))
        return guest_irq_reserved(irq);
    for (uint32_t k = 0; k < info->channel_count && k < VMM_MAX_CHANNELS; k++)
        if (info->channels[k].guest_irq == irq)
            return "is a channel's";
    for (uint32_t other = 0; other < i; other++)
        if (info->irqs[other] == irq)
            return "is listed twice";
    return NULL;
}

bool passthrough_check(const struct vmm_boot_info *info, char *why, size_t size)
{
    if (info->irq_count > VMM_MAX_IRQS) {
        format_string(why, size, "%u passthrough interrupts, more than %u", info->irq_count,
                      VMM_MAX_IRQS);
        return false;
    }
    for (uint32_t i = 0; i < info->irq_count; i++) {
        const char *problem = irq_problem(info, i);
        if (problem != NULL) {
            format_string(why, size, "passthrough interrupt %u %s", info->irqs[i], problem);
            return false;
        }
    }
    return true;
}

int passthrough_index(const struct vmm_boot_info *info, uint32_t irq)
{
    for (uint32_t i = 0; i < irq_count(info); i++)
        if (info->irqs[i] == irq)
            return (int)i;
    return -1;
}

void passthrough_signalled(struct vm *vm, uint32_t badge)
{
    for (uint32_t i = 0; i < irq_count(vm->info); i++)
        if (badge & VMM_BADGE_IRQ(i))
            vgic_dist_set_line(&vm->vgic, vm->info->irqs[i], true);
}

void passthrough_reset(struct vm *vm)
{
    for (uint32_t i = 0; i < irq_count(vm->info); i++)
        vgic_dist_set_resample(&vm->vgic, vm->info->irqs[i]);
}

/* The host's interrupt i may fire again: a device still asserting it
 * raises the guest's line anew (passthrough_signalled). */
static void ack_host(struct vm *vm, uint32_t i)
{
    int error = opal_irq_handler_ack(VMM_CAP_IRQ_FIRST + i);
    if (error != OPAL_OK && !(vm->irq_unacked & (1u << i))) {
        vm->irq_unacked |= 1u << i;
        vmm_log(vm, "passthrough interrupt %u: cannot ack the host's (%s); further failures "
                "not logged", vm->info->irqs[i], opal_error_name(error));
    }
}

void passthrough_resample(struct vm *vm, uint32_t irq)
{
    int i = passthrough_index(vm->info, irq);
    if (i >= 0)
        ack_host(vm, (uint32_t)i);
}

bool passthrough_eoi(struct vm *vm, uint32_t irq)
{
    int i = passthrough_index(vm->info, irq);
    if (i < 0)
        return false;
    vgic_dist_set_line(&vm->vgic, irq, false);
    ack_host(vm, (uint32_t)i);
    return true;
}
