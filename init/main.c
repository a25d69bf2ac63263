/* init, the root task: the first user program, running at PL0 in its own
 * stage-2 address space. It will build the system from its description;
 * for now it greets and reports what the kernel handed it. */
#include "opal.h"

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
    printf("init: %u untyped caps from slot %u, empty slots %u-%u\n",
           (unsigned)bootinfo->untyped_count, (unsigned)bootinfo->untyped_first,
           (unsigned)bootinfo->empty_first, (unsigned)bootinfo->empty_end - 1);
    printf("init: boot archive of %u bytes at 0x%08x\n", (unsigned)bootinfo->archive_size,
           (unsigned)bootinfo->archive_address);
    if (bootinfo->cmdline[0])
        printf("init: command line \"%s\"\n", bootinfo->cmdline);
    printf("init: nothing more to do yet; exiting\n");
    return 0;
}
