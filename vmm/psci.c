/* PSCI 1.0 over HVC (and SMC) for a VM with one AArch32 vCPU: version,
 * features, CPU_SUSPEND (standby only), CPU_ON/OFF/AFFINITY_INFO answered
 * for CPU 0. SYSTEM_OFF, CPU_OFF and SYSTEM_RESET stop the VM and are
 * reported to init, which stops or rebuilds it (the VMM does not restart a
 * guest itself). The SMC64 function IDs do not exist for an AArch32 caller
 * (PSCI, DEN0022, 5.2): calls and FEATURES queries of them are NOT_SUPPORTED. */
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

#define PSCI_SUCCESS            0u
#define PSCI_NOT_SUPPORTED      ((uint32_t)-1)
#define PSCI_INVALID_PARAMETERS ((uint32_t)-2)
#define PSCI_ALREADY_ON         ((uint32_t)-4)
#define PSCI_VERSION_1_0        0x00010000u
#define PSCI_TOS_NOT_PRESENT    2u
#define AFFINITY_ON             0u

/* CPU_SUSPEND's power_state in the original format (FEATURES says so: bit
 * 1 of its flags clear): StateID [15:0], StateType [16] (1 = powerdown),
 * PowerLevel [25:24], the rest reserved. */
#define POWER_STATE_TYPE_POWERDOWN (1u << 16)
#define POWER_STATE_LEVEL(state)   (((state) >> 24) & 3u)
#define POWER_STATE_RESERVED       (0xfc000000u | 0x00fe0000u)
#define SUSPEND_FEATURES_ORIGINAL  0u   /* original format, platform-coordinated */

static bool psci_supported(uint32_t function)
{
    switch (function) {
    case PSCI_VERSION: case PSCI_CPU_SUSPEND: case PSCI_CPU_OFF: case PSCI_CPU_ON:
    case PSCI_AFFINITY_INFO: case PSCI_MIGRATE_INFO_TYPE: case PSCI_SYSTEM_OFF:
    case PSCI_SYSTEM_RESET: case PSCI_FEATURES:
        return true;
    default:
        return false;
    }
}

static uint32_t features(uint32_t function)
{
    if (!psci_supported(function))
        return PSCI_NOT_SUPPORTED;
    return function == PSCI_CPU_SUSPEND ? SUSPEND_FEATURES_ORIGINAL : PSCI_SUCCESS;
}

/* Only the core's standby state exists, a WFI: the kernel blocks the vCPU
 * until an interrupt is pending (VMM_IDLE), then it returns SUCCESS. A
 * powerdown state, a level above the core or reserved bits are
 * INVALID_PARAMETERS, as for any power state the platform does not have. */
static uint32_t cpu_suspend(uint32_t power_state)
{
    if ((power_state & POWER_STATE_RESERVED) || (power_state & POWER_STATE_TYPE_POWERDOWN) ||
        POWER_STATE_LEVEL(power_state) != 0)
        return PSCI_INVALID_PARAMETERS;
    return PSCI_SUCCESS;
}

enum vmm_action vmm_handle_call(struct vm *vm, const struct opal_message *exit, uint32_t *result)
{
    uint32_t function = exit->mr[0], argument = exit->mr[1];
    switch (function) {
    case PSCI_VERSION:
        *result = PSCI_VERSION_1_0;
        return VMM_EMULATED;
    case PSCI_FEATURES:
        *result = features(argument);
        return VMM_EMULATED;
    case PSCI_CPU_SUSPEND:
        *result = cpu_suspend(argument);
        return *result == PSCI_SUCCESS ? VMM_IDLE : VMM_EMULATED;
    case PSCI_CPU_ON:
        *result = (argument & 0xffffffu) == 0 ? PSCI_ALREADY_ON : PSCI_INVALID_PARAMETERS;
        return VMM_EMULATED;
    case PSCI_AFFINITY_INFO:
        *result = (argument & 0xffffffu) == 0 ? AFFINITY_ON : PSCI_INVALID_PARAMETERS;
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
        /* Also every SMC64 ID, and the answer to a null hypercall. */
        *result = PSCI_NOT_SUPPORTED;
        return VMM_EMULATED;
    }
}
