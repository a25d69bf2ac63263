/* PSCI 1.0 over HVC (and SMC) for a VM with one vCPU: version, features,
 * CPU_ON/OFF/AFFINITY_INFO answered for CPU 0. SYSTEM_OFF, CPU_OFF and
 * SYSTEM_RESET stop the VM and are reported to init, which stops or
 * rebuilds it (the VMM does not restart a guest itself). */
#include "vmm/vmm.h"

#define PSCI_VERSION          0x84000000u
#define PSCI_CPU_SUSPEND      0x84000001u
#define PSCI_CPU_OFF          0x84000002u
#define PSCI_CPU_ON           0x84000003u
#define PSCI_AFFINITY_INFO    0x84000004u
#define PSCI_MIGRATE_INFO_TYPE 0x84000006u
#define PSCI_SYSTEM_OFF       0x84000008u
#define PSCI_SYSTEM_RESET     0x84000009u
#define PSCI_FEATURES         0x8400000au
#define PSCI_64BIT            0x40000000u   /* SMC64 variant of a function */

#define PSCI_SUCCESS            0u
#define PSCI_NOT_SUPPORTED      ((uint32_t)-1)
#define PSCI_INVALID_PARAMETERS ((uint32_t)-2)
#define PSCI_ALREADY_ON         ((uint32_t)-4)
#define PSCI_VERSION_1_0        0x00010000u
#define PSCI_TOS_NOT_PRESENT    2u
#define AFFINITY_ON             0u

static bool psci_supported(uint32_t function)
{
    switch (function & ~PSCI_64BIT) {
    case PSCI_VERSION: case PSCI_CPU_OFF: case PSCI_CPU_ON: case PSCI_AFFINITY_INFO:
    case PSCI_MIGRATE_INFO_TYPE: case PSCI_SYSTEM_OFF: case PSCI_SYSTEM_RESET: case PSCI_FEATURES:
        return true;
    default:
        return false;
    }
}

enum vmm_action vmm_handle_call(struct vm *vm, const struct opal_message *exit, uint32_t *result)
{
    uint32_t function = exit->mr[0], target = exit->mr[1];
    switch (function & ~PSCI_64BIT) {
    case PSCI_VERSION:
        *result = PSCI_VERSION_1_0;
        return VMM_EMULATED;
    case PSCI_FEATURES:
        *result = psci_supported(target) ? PSCI_SUCCESS : PSCI_NOT_SUPPORTED;
        return VMM_EMULATED;
    case PSCI_CPU_ON:
        *result = (target & 0xffffffu) == 0 ? PSCI_ALREADY_ON : PSCI_INVALID_PARAMETERS;
        return VMM_EMULATED;
    case PSCI_AFFINITY_INFO:
        *result = (target & 0xffffffu) == 0 ? AFFINITY_ON : PSCI_INVALID_PARAMETERS;
        return VMM_EMULATED;
    case PSCI_MIGRATE_INFO_TYPE:
        *result = PSCI_TOS_NOT_PRESENT;
        return VMM_EMULATED;
    case PSCI_CPU_OFF:
        vmm_stop(vm, VMM_REPORT_OFF, "its only vCPU called PSCI CPU_OFF");
        return VMM_STOP;
    case PSCI_SYSTEM_OFF:
        vmm_stop(vm, VMM_REPORT_OFF, "the guest powered off (PSCI SYSTEM_OFF)");
        return VMM_STOP;
    case PSCI_SYSTEM_RESET:
        vmm_stop(vm, VMM_REPORT_RESET, "the guest asked for a reset (PSCI SYSTEM_RESET)");
        return VMM_STOP;
    default:
        *result = PSCI_NOT_SUPPORTED;   /* also the answer to a null hypercall */
        return VMM_EMULATED;
    }
}
