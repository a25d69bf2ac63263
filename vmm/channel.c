/* Channels (lib/vmm_boot.h, docs/vmm.md): shared memory between the guest
 * and a peer, which init maps into the guest itself. The VMM serves the two
 * signals: the doorbell page right after the region is left unmapped, so a
 * guest write there reaches the VMM as a stage-2 abort and signals the
 * peer's notification; the peer's signal arrives as a badge bit on the
 * VMM's notification and pends the channel's interrupt (an SPI, edge) in
 * the vGIC. A guest without a driver for it leaves it disabled: it stays
 * pending and costs nothing. */
#include "core/format.h"
#include "core/gicv2.h"
#include "vmm/vmm.h"

struct range {
    const char *what;
    uint32_t base, size;
};

static uint64_t doorbell_base(const struct vmm_channel *channel)
{
    return (uint64_t)channel->guest_address + channel->size;
}

static bool overlaps(uint64_t base, uint64_t size, uint64_t other_base, uint64_t other_size)
{
    return base < other_base + other_size && other_base < base + size;
}

int channel_doorbell_at(const struct vmm_boot_info *info, uint32_t address)
{
    uint32_t count = info->channel_count < VMM_MAX_CHANNELS ? info->channel_count
                                                            : VMM_MAX_CHANNELS;
    for (uint32_t k = 0; k < count; k++)
        if (address - doorbell_base(&info->channels[k]) < VMM_DOORBELL_SIZE)
            return (int)k;
    return -1;
}

/* Channel k's interrupt: an SPI the vGIC has, not the UART's, not taken. */
static bool check_irq(const struct vmm_boot_info *info, uint32_t k, char *why, size_t size)
{
    const struct vmm_channel *channel = &info->channels[k];
    uint32_t irq = channel->guest_irq;
    const char *problem = NULL;
    if (irq < VGIC_PRIVATE_IRQS || irq >= VGIC_IRQS)
        problem = "is not a shared peripheral interrupt of the emulated GIC (32 to 127)";
    else
        problem = guest_irq_reserved(irq);
    for (uint32_t other = 0; other < k && problem == NULL; other++)
        if (info->channels[other].guest_irq == irq)
            problem = "is another channel's too";
    if (problem != NULL)
        format_string(why, size, "channel %.*s: interrupt %u %s", (int)sizeof channel->name,
                      channel->name, irq, problem);
    return problem == NULL;
}

/* What channel k's doorbell page overlaps that guest accesses must reach
 * instead (RAM, the GIC, the UART, another channel's memory or doorbell),
 * or NULL. */
static const char *doorbell_overlap(const struct vmm_boot_info *info, uint32_t k)
{
    const struct range fixed[] = {
        { "the guest's RAM", info->ram_base, info->ram_size },
        { "the GIC distributor", GUEST_GICD_BASE, GUEST_DEVICE_SIZE },
        { "the GIC CPU interface", GUEST_GICC_BASE, GICC_SIZE },
        { "the UART", GUEST_UART_BASE, GUEST_DEVICE_SIZE },
        { "the virtio devices", GUEST_VIRTIO_BASE, GUEST_DEVICE_SIZE },
    };
    uint64_t base = doorbell_base(&info->channels[k]);
    for (uint32_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++)
        if (overlaps(base, VMM_DOORBELL_SIZE, fixed[i].base, fixed[i].size))
            return fixed[i].what;
    for (uint32_t other = 0; other < info->channel_count; other++) {
        const struct vmm_channel *channel = &info->channels[other];
        if (other != k && (overlaps(base, VMM_DOORBELL_SIZE, channel->guest_address,
                                    channel->size) ||
                           overlaps(base, VMM_DOORBELL_SIZE, doorbell_base(channel),
                                    VMM_DOORBELL_SIZE)))
            return "another channel's memory or doorbell";
    }
    return NULL;
}

/* Channel k's doorbell page: below 4 GiB, reached only through the VMM. */
static bool check_doorbell(const struct vmm_boot_info *info, uint32_t k, char *why, size_t size)
{
    const struct vmm_channel *channel = &info->channels[k];
    uint64_t base = doorbell_base(channel);
    const char *overlap = NULL;
    if (base + VMM_DOORBELL_SIZE > 0x100000000ull)
        format_string(why, size, "channel %.*s: its doorbell page at 0x%llx ends past 4 GiB",
                      (int)sizeof channel->name, channel->name, (unsigned long long)base);
    else if ((overlap = doorbell_overlap(info, k)) != NULL)
        format_string(why, size, "channel %.*s: its doorbell page at 0x%llx overlaps %s",
                      (int)sizeof channel->name, channel->name, (unsigned long long)base,
                      overlap);
    else
        return true;
    return false;
}

bool channel_check(const struct vmm_boot_info *info, char *why, size_t size)
{
    if (info->channel_count > VMM_MAX_CHANNELS) {
        format_string(why, size, "%u channels, more than %u", info->channel_count,
                      VMM_MAX_CHANNELS);
        return false;
    }
    for (uint32_t k = 0; k < info->channel_count; k++)
        if (!check_irq(info, k, why, size) || !check_doorbell(info, k, why, size))
            return false;
    return true;
}

void channel_reset(struct vm *vm)
{
    for (uint32_t k = 0; k < vm->info->channel_count && k < VMM_MAX_CHANNELS; k++)
        vgic_dist_set_edge(&vm->vgic, vm->info->channels[k].guest_irq);
}

void channel_doorbell(struct vm *vm, uint32_t k, bool write, uint32_t *result)
{
    *result = 0;
    if (!write)
        return;
    int error = opal_signal(VMM_CAP_CHANNEL_FIRST + k);
    if (error != OPAL_OK && !(vm->channel_unsignalled & (1u << k))) {
        vm->channel_unsignalled |= 1u << k;
        vmm_log(vm, "channel %.*s: cannot signal the peer (%s); further failures not logged",
                (int)sizeof vm->info->channels[k].name, vm->info->channels[k].name,
                opal_error_name(error));
    }
}

void channel_signalled(struct vm *vm, uint32_t badge)
{
    for (uint32_t k = 0; k < vm->info->channel_count && k < VMM_MAX_CHANNELS; k++)
        if (badge & VMM_BADGE_CHANNEL(k))
            vgic_dist_pulse(&vm->vgic, vm->info->channels[k].guest_irq);
}
