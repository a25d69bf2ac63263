/* blk: the block driver (docs/devices.md, The block driver). A native task
 * that owns the host's virtio-blk disk and serves each client VM's region
 * of it: the VM's VMM puts requests on their link, the driver checks and
 * translates them with the VM's RAM table (the device moves data straight
 * between the disk and the guest's buffers) and puts completions back.
 * Argument 0: the physical address of the disk's virtio-mmio transport,
 * inside one of its devices. A device it refuses (missing, legacy, too
 * small) gets a line, and the driver stays to fail every request and
 * answer init's handshakes, so its clients see errors, not silence. */
#include <stddef.h>
#include "blk.h"

/* The transport's address in this task, or NULL (reported) if argument 0
 * is not inside one of its device ranges. */
static volatile uint32_t *transport_registers(const struct task_boot_info *info)
{
    uint32_t transport = info->argument_count > 0 ? info->arguments[0] : 0;
    for (uint32_t d = 0; d < info->device_count; d++) {
        const struct task_device *device = &info->devices[d];
        if (transport >= device->physical && transport - device->physical < device->size &&
            device->size - (transport - device->physical) >= 0x200u && transport % 4 == 0)
            return (volatile uint32_t *)(device->address + (transport - device->physical));
    }
    printf("blk: argument 0 (the transport's physical address, 0x%08x) is not inside my "
           "devices: not serving\n", (unsigned)transport);
    return NULL;
}

int main(const struct opal_bootinfo *unused)
{
    (void)unused;
    const struct task_boot_info *info = task_start();
    static struct driver driver;
    if (info->disk.sectors == 0 || info->irq_count == 0) {
        printf("blk: my description gives me no disk-sectors or no interrupt; nothing to do\n");
        return 1;
    }
    volatile uint32_t *registers = transport_registers(info);
    driver.serving = registers != NULL &&
                     device_start(&driver.device, registers, info->arguments[0], &info->disk);
    clients_init(&driver, &info->disk);
    for (;;) {
        uint32_t word = 0;
        opal_wait(TASK_SLOT_INTERRUPTS, &word);
        if (word & TASK_BADGE_IRQ(0)) {
            if (driver.serving)
                device_interrupt(&driver.device);
            opal_irq_handler_ack(TASK_SLOT_IRQ_FIRST);
        }
        clients_work(&driver, word);
    }
}
