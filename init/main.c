/* init, the root task: the first user program, running at PL0 in its own
 * stage-2 address space. It builds the system from what the boot archive
 * holds: a Linux VM (zImage) or the testkit guest, each with its own VMM.
 * (The system description in configs/ will replace this choice.) */
#include <stdbool.h>
#include "core/cpio.h"
#include "opal.h"
#include "vm.h"

#define VMM_PRIORITY  150
#define VCPU_PRIORITY 100

static const struct vm_spec linux_vm = {
    .name = "linux0", .kind = VMM_GUEST_LINUX,
    .kernel = "zImage", .initrd = "initramfs.cpio.gz", .dtb = "guest-virt.dtb",
    .ram_base = 0x40000000u, .ram_size = 256u << 20,
    .bootargs = "console=ttyAMA0 quiet",
    .vmm_priority = VMM_PRIORITY, .vcpu_priority = VCPU_PRIORITY, .console_input = 1,
};

static const struct vm_spec testkit_vm = {
    .name = "testkit", .kind = VMM_GUEST_ELF, .kernel = "testkit",
    .ram_base = 0x40000000u, .ram_size = 16u << 20,
    .vmm_priority = VMM_PRIORITY, .vcpu_priority = VCPU_PRIORITY,
};

static bool archive_has(const struct opal_bootinfo *bootinfo, const char *name)
{
    struct cpio_file file;
    return cpio_find((const void *)bootinfo->archive_address, bootinfo->archive_size, name,
                     &file) == OPAL_OK;
}

int main(const struct opal_bootinfo *bootinfo)
{
    if (bootinfo->magic != OPAL_BOOTINFO_MAGIC) {
        printf("init: boot info has a bad magic 0x%08x\n", (unsigned)bootinfo->magic);
        return 1;
    }
    printf("init: hello from the root task, running at PL0 in its own address space\n");
    printf("init: RAM 0x%08x + %u MiB, %u MiB free for user level, timer %u Hz\n",
           (unsigned)bootinfo->ram_base, (unsigned)(bootinfo->ram_size >> 20),
           (unsigned)(bootinfo->free_ram >> 20), (unsigned)bootinfo->timer_frequency);
    if (bootinfo->cmdline[0])
        printf("init: command line \"%s\"\n", bootinfo->cmdline);
    opal_alloc_init(bootinfo);
    if (archive_has(bootinfo, "zImage"))
        vm_start(bootinfo, &linux_vm);
    else if (archive_has(bootinfo, "testkit"))
        vm_start(bootinfo, &testkit_vm);
    else
        printf("init: no guest in the boot archive; nothing more to do\n");
    return 0;
}
