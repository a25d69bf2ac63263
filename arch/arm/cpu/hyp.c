/* HYP mode: refuse to run anywhere else, and configure how native threads'
 * exceptions reach the kernel. */
#include "arch/cp15.h"
#include "arch/guest.h"
#include "arch/hyp_config.h"
#include "arm.h"
#include "log.h"

#define CPSR_MODE_MASK 0x1fu
#define CPSR_MODE_HYP  0x1au
#define ID_PFR1_VIRTUALIZATION(pfr1) (((pfr1) >> 12) & 0xfu)

static const char *mode_name(uint32_t mode)
{
    switch (mode) {
    case 0x10: return "USR";
    case 0x11: return "FIQ";
    case 0x12: return "IRQ";
    case 0x13: return "SVC";
    case 0x16: return "MON";
    case 0x17: return "ABT";
    case 0x1a: return "HYP";
    case 0x1b: return "UND";
    case 0x1f: return "SYS";
    default: return "unknown";
    }
}

static void refuse(const char *why, uint32_t mode)
{
    log("error: %s (CPU mode 0x%02x, %s).", why, mode, mode_name(mode));
    log("Opal is a hypervisor: it must be entered in HYP mode on a CPU with the");
    log("ARMv7 virtualization extensions. On QEMU, start it with");
    log("  qemu-system-arm -M virt,virtualization=on,highmem=off,gic-version=2 \\");
    log("                  -cpu cortex-a15 -m 1024 -nographic -nic none -kernel opal.elf");
    log("(virtualization=on is what makes QEMU start the CPU in HYP mode).");
    log("halted.");
    arch_halt();
}

void hyp_check_or_refuse(void)
{
    uint32_t mode = cpsr_read() & CPSR_MODE_MASK;
    if (mode != CPSR_MODE_HYP)
        refuse("the CPU is not in HYP mode", mode);
    if (ID_PFR1_VIRTUALIZATION(id_pfr1_read()) == 0)
        refuse("this CPU lacks the virtualization extensions (ID_PFR1)", mode);
}

/* The PMU as the kernel keeps it, for everyone: counters stopped, no
 * overflow interrupts, no user access. Nobody else ever writes it. */
static void pmu_reset(void)
{
    pmcr_write(0);
    pmcntenclr_write(~0u);
    pmintenclr_write(~0u);
    pmovsr_write(~0u);
    pmuserenr_write(0);
}

/* Native threads: their PL0 exceptions and every interrupt come to HYP;
 * VFP/NEON and trace are trapped until the vCPU work switches them lazily;
 * debug and PMU registers are out of their reach (docs/isolation.md). */
void hyp_configure_traps(void)
{
    hcr_write(HCR_NATIVE);
    hcptr_write(HCPTR_NATIVE);
    hdcr_write((hdcr_read() & HDCR_HPMN_MASK) | HDCR_ALL);
    hstr_write(HSTR_ALL);
    cnthctl_write(CNTHCTL_NATIVE);
    cntkctl_write(CNTKCTL_NATIVE);
    cntvoff_write(0);
    pmu_reset();
    debug_init();
    isb();
}
