/* Trapped system-register accesses (OPAL_GUEST_EXIT_SYSREG): decoded from
 * the HSR (core/hsr.h) and answered as the VM's own registers: ACTLR, the
 * virtual PMU (vpmu.c), the implementation-defined registers, the CP14
 * debug registers (vdebug.c) and the physical timer.
 * Anything else is UNDEFINED to the guest, as on a CPU without it. */
#include "core/format.h"
#include "core/hsr.h"
#include "vmm/vmm.h"

#define ACTLR    SYSREG(15, 0, 1, 0, 1)
#define CNTP_TVAL SYSREG(15, 0, 14, 2, 0)
#define CNTP_CTL SYSREG(15, 0, 14, 2, 1)
#define CNTP_CVAL SYSREG64(15, 2, 14)


/* The implementation-defined registers HCR.TIDCP and HSTR.T15 trap: CRn c9
 * with CRm 0-2 and 5-8, c10 with CRm 0, 1, 4 and 8, all of c11 and c15
 * (and MCRR/MRRC with CRm c15). They read as zero and ignore writes: the
 * guest gets no lockdown, TCM or cache-control knob of the real CPU, and
 * zero is each field's "none" or "one": L2CTLR (p15, 1, c9, c0, 2) reads
 * 0 in its CPU-count field, which means one CPU, as the VM has. */
static bool implementation_defined(uint32_t id)
{
    if (SYSREG_COPROC(id) != 15)
        return false;
    if (SYSREG_WIDE(id))
        return SYSREG_CRM(id) == 15;
    uint32_t crn = SYSREG_CRN(id), crm = SYSREG_CRM(id);
    return (crn == 9 && (crm <= 2 || (crm >= 5 && crm <= 8))) ||
           (crn == 10 && (crm == 0 || crm == 1 || crm == 4 || crm == 8)) ||
           crn == 11 || crn == 15;
}

static bool pmu_register(uint32_t id)
{
    return SYSREG_COPROC(id) == 15 && !SYSREG_WIDE(id) && SYSREG_OPC1(id) == 0 &&
           SYSREG_CRN(id) == 9 && SYSREG_CRM(id) >= 12 && SYSREG_CRM(id) <= 14;
}

/* The physical timer is the native threads' (docs/vmm.md): the guest's
 * accesses read as zero and are ignored, told once. */
static bool physical_timer(struct vm *vm, uint32_t id)
{
    if (id != CNTP_TVAL && id != CNTP_CTL && id != CNTP_CVAL)
        return false;
    if (!vm->physical_timer_told) {
        vm->physical_timer_told = true;
        vmm_log(vm, "the guest's physical timer accesses are ignored (it has the virtual timer)");
    }
    return true;
}

/* The CPU holds the VM's PMUSERENR (switched with the vCPU), so that a
 * guest user-mode access it allows traps here instead of being UNDEFINED
 * in the guest; the PMU itself stays trapped. */
static void pmu_user_access(const struct vm *vm)
{
    opal_vcpu_write_register(vmm_current_cap(vm), OPAL_VCPU_PMUSERENR,
                             vm->vcpus[vm->current].pmu.user);
}

static enum vmm_action actlr(struct vm *vm, const struct sysreg_access *access, uint32_t value,
                             uint32_t *result)
{
    if (!access->read) {
        opal_vcpu_write_register(vmm_current_cap(vm), OPAL_VCPU_ACTLR, value);
        return VMM_EMULATED;
    }
    int error = opal_vcpu_read_register(vmm_current_cap(vm), OPAL_VCPU_ACTLR, result);
    if (error == OPAL_OK)
        return VMM_EMULATED;
    char why[64];
    format_string(why, sizeof why, "cannot read the vCPU's ACTLR: %s", opal_error_name(error));
    vmm_stop(vm, VMM_REPORT_FAILED, why);
    return VMM_STOP;
}

static enum vmm_action undefined(struct vm *vm, const struct sysreg_access *access, uint32_t pc)
{
    uint32_t id = access->id;
    if (SYSREG_WIDE(id))
        vmm_log_limited(vm, &vm->sysreg_lines, "guest %s p%u, %u, c%u: undefined (pc 0x%08x)",
                        access->read ? "MRRC" : "MCRR", SYSREG_COPROC(id), SYSREG_OPC1(id),
                        SYSREG_CRM(id), pc);
    else
        vmm_log_limited(vm, &vm->sysreg_lines, "guest %s p%u, %u, c%u, c%u, %u: undefined "
                        "(pc 0x%08x)", access->read ? "MRC" : "MCR", SYSREG_COPROC(id),
                        SYSREG_OPC1(id), SYSREG_CRN(id), SYSREG_CRM(id), SYSREG_OPC2(id), pc);
    return VMM_UNDEFINED;
}

enum vmm_action vmm_handle_sysreg(struct vm *vm, const struct opal_message *exit,
                                  uint32_t result[2])
{
    struct sysreg_access access;
    uint32_t value = exit->mr[2];
    result[0] = result[1] = 0;    /* RAZ unless a register says otherwise */
    if (!hsr_sysreg(exit->mr[1], &access))
        return VMM_UNDEFINED;
    uint32_t id = access.id;
    if (id == ACTLR)
        return actlr(vm, &access, value, result);
    if (pmu_register(id)) {
        bool known = access.read
            ? vpmu_read(&vmm_current(vm)->pmu, &access, vmm_now(), result)
            : vpmu_write(&vmm_current(vm)->pmu, &access, vmm_now(), value);
        if (known && !access.read)
            pmu_user_access(vm);
        return known ? VMM_EMULATED : undefined(vm, &access, exit->mr[0]);
    }
    if (implementation_defined(id) || vdebug_access(vm, &access, value, result) ||
        physical_timer(vm, id))
        return VMM_EMULATED;
    return undefined(vm, &access, exit->mr[0]);
}
