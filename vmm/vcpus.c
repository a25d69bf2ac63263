/* The VM's vCPUs beyond the first: the state each needs before the guest
 * runs, starting one (PSCI CPU_ON), and stopping the others when the VM
 * stops. Stopping one (CPU_OFF) is main.c's: its own VMM thread answers
 * its exit with STOP. vCPU k's caps are at lib/vmm_boot.h's vmm_cap_*(k). */
#include "vmm/vmm.h"

#define VTIMER_PRIORITY 0xa0
#define VMPIDR_MP       0x80000000u   /* the MP format; Aff0 = the vCPU's number */

int vmm_prepare_vcpus(struct vm *vm)
{
    int error = OPAL_OK;
    for (uint32_t k = 0; k < vm->vcpu_count && error == OPAL_OK; k++) {
        error = opal_vcpu_write_register(vmm_cap_vcpu(k), OPAL_VCPU_VMPIDR, VMPIDR_MP | k);
        /* The virtual timer goes straight in, not through us (docs/vmm.md says why). */
        if (error == OPAL_OK && vm->info->vtimer_direct)
            error = opal_vcpu_set_vtimer_irq(vmm_cap_vcpu(k), OPAL_VTIMER_IRQ, VTIMER_PRIORITY);
    }
    return error;
}

int vmm_vcpu_on(struct vm *vm, uint32_t k, uint32_t entry, uint32_t context)
{
    int error = vmm_reset_vcpu(k, entry, context, 0, 0);
    if (error == OPAL_OK)
        error = opal_tcb_resume(vmm_cap_vcpu_tcb(k));
    if (error != OPAL_OK) {
        vmm_log(vm, "PSCI CPU_ON: vCPU %u cannot be started: %s", k, opal_error_name(error));
        return error;
    }
    vm->vcpus[k].power = VCPU_ON;
    return OPAL_OK;
}

void vmm_halt_other_vcpus(struct vm *vm)
{
    for (uint32_t k = 0; k < vm->vcpu_count; k++)
        if (k != vm->current)
            opal_tcb_suspend(vmm_cap_vcpu_tcb(k));
}
