/* The boot sequence, on one screen: the machine, then the kernel's own
 * state, then the root task; after that the kernel never allocates. */
#include "arch.h"
#include "boot_memory.h"
#include "config.h"
#include "core.h"
#include "kernel.h"
#include "log.h"
#include "platform.h"
#include "sched.h"
#include "vtimer.h"

void kernel_boot(uint32_t boot_r0, uint32_t boot_r1, uint32_t boot_r2)
{
    (void)boot_r0;
    (void)boot_r1;
    core_init();
    /* Platform facts, console, HYP-mode check, MMU, vectors, GIC, timer. */
    arch_boot_init(boot_r2);
    kernel_lock(core_self());   /* released when core 0 first enters user level */

    log("Opal " OPAL_VERSION " - capability microkernel and hypervisor");
    arch_boot_report();
    if (cmdline_has("opal.fastpath=off")) {
        fastpath_set_enabled(false);
        log("IPC fastpath off (opal.fastpath=off)");
    }

    paddr_t image_start, image_end;
    const void *archive;
    uint32_t archive_size;
    arch_boot_image(&image_start, &image_end, &archive, &archive_size);
    boot_memory_init(image_end, pa_make(platform.ram_base + platform.ram_size));

    sched_init();
    vtimer_init();
    arch_start_cores();   /* they wait for the lock, idle, until threads go there */
    log("cores     %u running the kernel", platform.cores);
    struct thread *root = root_task_create(archive, archive_size);
    boot_memory_seal();

    thread_resume(root);
    log("boot complete, entering the root task (thread %u)", root->id);
    timeslice_account();
    arch_enter_user(kernel_next_context());
}

/* A secondary core, from secondary_entry (PSCI CPU_ON), on its own stack:
 * the HYP setup, then into the scheduler, where it idles until a thread is
 * placed on it (TCB SetCore). */
void kernel_secondary_boot(struct core *self)
{
    arch_core_init();
    __atomic_store_n(&self->online, 1, __ATOMIC_RELEASE);
    kernel_lock(self);
    timeslice_account();
    arch_enter_user(kernel_next_context());
}
