/* The other cores: each gets a kernel stack and its own HYP setup, and is
 * started by PSCI CPU_ON as the device tree says (docs/multicore.md). IPIs
 * are SGI 0; a spin loop yields the core. */
#include "core/gicv2.h"
#include "arch/cp15.h"
#include "arch/guest.h"
#include "arm.h"
#include "core.h"
#include "kernel.h"
#include "log.h"
#include "platform.h"

#define PSCI_SUCCESS 0
#define CORE_START_TIMEOUT_MS 100

uint8_t kernel_stacks[CONFIG_CORES][ARCH_KERNEL_STACK_SIZE] __attribute__((aligned(16)));

extern char secondary_entry[];

/* What is set before a core runs: its stack and identity. */
static void core_prepare(struct core *core, uint32_t mpidr)
{
    core->arch.stack_top = (uint32_t)(uintptr_t)(kernel_stacks[core->index] + ARCH_KERNEL_STACK_SIZE);
    core->arch.mpidr = mpidr;
}

/* The HYP setup every core does for itself (core 0 in arch_boot_init). */
void arch_core_init(void)
{
    hyp_mmu_enable();
    hvbar_write((uint32_t)(uintptr_t)hyp_vectors);
    hyp_configure_traps();
    stage2_init();
    gic_cpu_init();
    gich_init();
    timer_init();
}

/* PSCI CPU_ON through the conduit the device tree names. */
static int32_t psci_cpu_on(uint32_t mpidr, uint32_t entry, uint32_t context)
{
    register uint32_t r0 __asm__("r0") = platform.psci_cpu_on;
    register uint32_t r1 __asm__("r1") = mpidr;
    register uint32_t r2 __asm__("r2") = entry;
    register uint32_t r3 __asm__("r3") = context;
    __asm__ volatile(".arch_extension sec\n smc #0"
                     : "+r"(r0), "+r"(r1), "+r"(r2), "+r"(r3) :: "memory");
    return (int32_t)r0;
}

/* Its MMU is off when it starts: what it reads first must be in memory. */
static void clean_to_memory(const void *start, uint32_t size)
{
    for (uint32_t line = (uint32_t)(uintptr_t)start & ~63u;
         line < (uint32_t)(uintptr_t)start + size; line += 64)
        __asm__ volatile("mcr p15, 0, %0, c7, c10, 1" ::"r"(line) : "memory"); /* DCCMVAC */
    dsb();
}

static bool wait_online(const struct core *core)
{
    uint64_t deadline = arch_timer_now() +
                        (uint64_t)arch_timer_frequency() * CORE_START_TIMEOUT_MS / 1000u;
    while (!__atomic_load_n(&core->online, __ATOMIC_ACQUIRE)) {
        if (arch_timer_now() > deadline)
            return false;
        arch_cpu_relax(); /* let the emulator run the starting core */
    }
    return true;
}

/* Start every core the device tree lists; platform.cores becomes the
 * number running (they are numbered in the tree's order, the boot core 0). */
void arch_start_cores(void)
{
    core_prepare(&cores[0], mpidr_read() & MPIDR_AFFINITY_MASK);
    cores[0].online = 1;
    unsigned listed = platform.cores;
    for (unsigned c = 1; c < listed; c++) {
        struct core *core = &cores[c];
        core_prepare(core, platform.core_mpidr[c]);
        clean_to_memory(core, sizeof *core);
        int32_t status = psci_cpu_on(core->arch.mpidr, (uint32_t)(uintptr_t)secondary_entry,
                                     (uint32_t)(uintptr_t)core);
        if (status != PSCI_SUCCESS || !wait_online(core)) {
            log("core %u (MPIDR 0x%x) did not start (PSCI %d): running on %u of %u cores", c,
                core->arch.mpidr, status, c, listed);
            platform.cores = c;
            return;
        }
    }
}

void arch_send_ipi(const struct core *core)
{
    dsb(); /* what the core is to see is in memory before it is told */
    *(volatile uint32_t *)(platform.gicd_base + GICD_SGIR) =
        (uint32_t)core->arch.gic_mask << 16 | ARCH_IPI_SGI;
}

/* YIELD: a hint on hardware; QEMU's round-robin TCG (one host thread for
 * all cores, as under -icount) switches to the next core on it, so a
 * spinning core never keeps the others from making the progress it waits for. */
void arch_cpu_relax(void)
{
    __asm__ volatile("yield" ::: "memory");
}
