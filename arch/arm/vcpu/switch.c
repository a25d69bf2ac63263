/* Switching guest state: the vCPU's registers go into the CPU only when the
 * running thread's vCPU changes, and the few registers native threads can
 * also see (TPIDRURW/URO, CNTKCTL) whenever the CPU moves between a guest
 * and native threads. */
#include "opal/error.h"
#include "arch/cp14.h"
#include "arch/cp15.h"
#include "arch/hyp_config.h"
#include "arch/guest.h"
#include "arm.h"
#include "objects.h"
#include "platform.h"
#include "vtimer.h"

#define CNTV_CTL_IMASK   (1u << 1)

#define SCTLR_RESET 0x00c50078u   /* MMU and caches off */
#define MPIDR_UP    (1u << 31)    /* multiprocessing-extensions format, CPU 0 */

/* This core's loaded vCPU and mode (struct arch_core). */
#define vcpu_loaded (arch_core_self()->vcpu_loaded)
#define vcpu_guest_mode (arch_core_self()->guest_mode)

/* Registers a switch saves and loads: CP15 by accessor, banked by name. */
#define GUEST_CP15_32(X) X(SCTLR, sctlr) X(CPACR, cpacr) X(TTBCR, ttbcr) X(DACR, dacr) \
    X(DFSR, dfsr) X(IFSR, ifsr) X(DFAR, dfar) X(IFAR, ifar) X(PRRR, prrr) X(NMRR, nmrr) \
    X(VBAR, vbar) X(CONTEXTIDR, contextidr) X(TPIDRPRW, tpidrprw) X(VMPIDR, vmpidr) \
    X(CNTV_CTL, cntv_ctl) X(CSSELR, csselr) X(ADFSR, adfsr) X(AIFSR, aifsr) \
    X(AMAIR0, amair0) X(AMAIR1, amair1) X(TEECR, teecr) X(PMUSERENR, pmuserenr)
#define GUEST_CP15_64(X) X(TTBR0, ttbr0) X(TTBR1, ttbr1) X(PAR, par) X(CNTV_CVAL, cntv_cval) \
    X(CNTVOFF, cntvoff)
#define GUEST_BANKED(X) X(SP_SVC, "SP_svc") X(LR_SVC, "LR_svc") X(SPSR_SVC, "SPSR_svc") \
    X(SP_ABT, "SP_abt") X(LR_ABT, "LR_abt") X(SPSR_ABT, "SPSR_abt") \
    X(SP_UND, "SP_und") X(LR_UND, "LR_und") X(SPSR_UND, "SPSR_und") \
    X(SP_IRQ, "SP_irq") X(LR_IRQ, "LR_irq") X(SPSR_IRQ, "SPSR_irq") \
    X(R8_FIQ, "r8_fiq") X(R9_FIQ, "r9_fiq") X(R10_FIQ, "r10_fiq") X(R11_FIQ, "r11_fiq") \
    X(R12_FIQ, "r12_fiq") X(SP_FIQ, "SP_fiq") X(LR_FIQ, "LR_fiq") X(SPSR_FIQ, "SPSR_fiq")

#define SAVE_32(name, accessor) r[OPAL_VCPU_##name] = accessor##_read();
#define LOAD_32(name, accessor) accessor##_write(r[OPAL_VCPU_##name]);
#define SAVE_64(name, accessor) { uint64_t value = accessor##_read(); \
    r[OPAL_VCPU_##name##_LOW] = (uint32_t)value; r[OPAL_VCPU_##name##_HIGH] = (uint32_t)(value >> 32); }
#define LOAD_64(name, accessor) \
    accessor##_write((uint64_t)r[OPAL_VCPU_##name##_HIGH] << 32 | r[OPAL_VCPU_##name##_LOW]);
#define SAVE_BANKED(name, bank) __asm__ volatile("mrs %0, " bank : "=r"(r[OPAL_VCPU_##name]));
#define LOAD_BANKED(name, bank) __asm__ volatile("msr " bank ", %0" ::"r"(r[OPAL_VCPU_##name]));

void arch_vcpu_initialise(struct arch_vcpu *vcpu)
{
    vcpu->registers[OPAL_VCPU_SCTLR] = SCTLR_RESET;
    vcpu->registers[OPAL_VCPU_VMPIDR] = MPIDR_UP;
    vcpu->registers[OPAL_VCPU_GICH_HCR] = 1;   /* virtual CPU interface enabled */
    vcpu->exit_register = vcpu->exit_register2 = NO_REGISTER;
}

static void save_state(struct arch_vcpu *vcpu)
{
    uint32_t *r = vcpu->registers;
    GUEST_CP15_32(SAVE_32)
    GUEST_CP15_64(SAVE_64)
    GUEST_BANKED(SAVE_BANKED)
    debug_save(r);
    /* Stop its timer: the next vCPU's or nobody's runs now. */
    cntv_ctl_write(0);
    gich_save(r);
    hcptr_write(HCPTR_GUEST);
    isb();
    vfp_save(vcpu->vfp, &vcpu->fpscr, &vcpu->fpexc);
}

static void load_state(const struct arch_vcpu *vcpu)
{
    const uint32_t *r = vcpu->registers;
    GUEST_CP15_32(LOAD_32)
    GUEST_CP15_64(LOAD_64)
    GUEST_BANKED(LOAD_BANKED)
    debug_load(r);
    gich_load(r);
    hcptr_write(HCPTR_GUEST);
    isb();
    vfp_load(vcpu->vfp, vcpu->fpscr, vcpu->fpexc);
}

/* The registers a native thread could read (TPIDRURW/URO, TEEHBR), that
 * rule its timers (CNTKCTL) or that would let a guest's breakpoints fire
 * in it (DBGDSCR), and the traps of each side (docs/isolation.md). */
static void enter_guest_mode(const struct arch_vcpu *vcpu)
{
    const uint32_t *r = vcpu->registers;
    tpidrurw_write(r[OPAL_VCPU_TPIDRURW]);
    tpidruro_write(r[OPAL_VCPU_TPIDRURO]);
    teehbr_write(r[OPAL_VCPU_TEEHBR]);
    cntkctl_write(r[OPAL_VCPU_CNTKCTL]);
    cnthctl_write(CNTHCTL_GUEST);
    hcptr_write(HCPTR_GUEST);
    hcr_write(HCR_GUEST);
    if (r[OPAL_VCPU_DBGDSCR] & DBGDSCR_MDBGEN)
        dbgdscr_write(r[OPAL_VCPU_DBGDSCR]);
    vcpu_guest_mode = true;
}

static void leave_guest_mode(struct arch_vcpu *vcpu)
{
    uint32_t *r = vcpu->registers;
    /* Monitor debug off: no guest breakpoint fires in a native thread. A
     * guest sets it only through its VMM (HDCR.TDA), so the CPU holds the
     * kernel's 0 unless this guest turned it on; then its status bits (the
     * method of entry of its last debug event) are kept. */
    if (r[OPAL_VCPU_DBGDSCR] & DBGDSCR_MDBGEN) {
        r[OPAL_VCPU_DBGDSCR] = dbgdscr_read();
        dbgdscr_write(0);
    }
    r[OPAL_VCPU_TPIDRURW] = tpidrurw_read();
    r[OPAL_VCPU_TPIDRURO] = tpidruro_read();
    r[OPAL_VCPU_TEEHBR] = teehbr_read();
    r[OPAL_VCPU_CNTKCTL] = cntkctl_read();
    tpidrurw_write(0);
    tpidruro_write(0);
    teehbr_write(0);
    cntkctl_write(CNTKCTL_NATIVE);
    cnthctl_write(CNTHCTL_NATIVE);
    hcptr_write(HCPTR_NATIVE);
    hcr_write(HCR_NATIVE);
    vcpu_guest_mode = false;
}

void vcpu_sync(struct vcpu *vcpu)
{
    if (vcpu == NULL || vcpu != vcpu_loaded)
        return;
    if (vcpu_guest_mode)
        leave_guest_mode(&vcpu->arch);
    save_state(&vcpu->arch);
    hcptr_write(HCPTR_NATIVE);
    gich_disable();
    vcpu_loaded = NULL;
    vtimer_save(vcpu);
}

void arch_vcpu_unload(struct vcpu *vcpu)
{
    vcpu_sync(vcpu);
}

void vcpu_activate(struct vcpu *vcpu)
{
    if (vcpu == NULL) {
        if (vcpu_guest_mode)
            leave_guest_mode(&vcpu_loaded->arch);
        return;
    }
    if (vcpu != vcpu_loaded) {
        vcpu_sync(vcpu_loaded);
        vtimer_unpark(vcpu);
        load_state(&vcpu->arch);
        vcpu_loaded = vcpu;
        /* Its timer's PPI is banked per core: on wherever it runs. */
        if (vcpu->vtimer_irq)
            gic_enable(platform.virtual_timer_irq);
    }
    if (!vcpu_guest_mode)
        enter_guest_mode(&vcpu->arch);
    /* On every entry, not only from native mode: the guest may have been
     * idle (the CPU too) when its maintenance interrupt was deferred. */
    gich_guest_entry();
}
