/* HYP mode: refuse to run anywhere else, and configure how native threads'
 * exceptions reach the kernel. */
#include "arch/cp15.h"
#include "arm.h"
#include "log.h"

#define CPSR_MODE_MASK 0x1fu
#define CPSR_MODE_HYP  0x1au
#define ID_PFR1_VIRTUALIZATION(pfr1) (((pfr1) >> 12) & 0xfu)

#define HCR_VM   (1u << 0)   /* stage-2 translation on */
#define HCR_SWIO (1u << 1)
#define HCR_FMO  (1u << 3)
#define HCR_IMO  (1u << 4)
#define HCR_AMO  (1u << 5)
#define HCR_DC   (1u << 12)  /* stage-1-off accesses are Normal cacheable */
#define HCR_TGE  (1u << 27)  /* PL0 exceptions go to HYP */

#define HCPTR_TCP10 (1u << 10)
#define HCPTR_TCP11 (1u << 11)
#define HCPTR_TTA   (1u << 20)

#define CNTHCTL_PL1PCTEN (1u << 0)
#define CNTHCTL_PL1PCEN  (1u << 1)   /* physical timer usable below HYP */
#define CNTKCTL_PL0PCTEN (1u << 0)
#define CNTKCTL_PL0VCTEN (1u << 1)
#define CNTKCTL_PL0PTEN  (1u << 9)   /* native threads may use the physical timer */

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

/* Native threads: their PL0 exceptions and every interrupt come to HYP;
 * VFP/NEON and trace are trapped until the vCPU work switches them lazily. */
void hyp_configure_traps(void)
{
    hcr_write(HCR_VM | HCR_SWIO | HCR_FMO | HCR_IMO | HCR_AMO | HCR_DC | HCR_TGE);
    hcptr_write(HCPTR_TCP10 | HCPTR_TCP11 | HCPTR_TTA);
    hstr_write(0);
    cnthctl_write(CNTHCTL_PL1PCTEN | CNTHCTL_PL1PCEN);
    cntkctl_write(CNTKCTL_PL0PCTEN | CNTKCTL_PL0VCTEN | CNTKCTL_PL0PTEN);
    cntvoff_write(0);
    isb();
}
