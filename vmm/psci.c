/* PSCI 1.0 over HVC (and SMC) for a VM of AArch32 vCPUs, MPIDR Aff0 = the
 * vCPU's number: version, features, CPU_SUSPEND (standby only), CPU_ON
 * (secondaries start off), CPU_OFF (that vCPU stops; it can be turned on
 * again), AFFINITY_INFO, MIGRATE_INFO_TYPE. SYSTEM_OFF, SYSTEM_RESET and
 * CPU_OFF of the last running vCPU stop the whole VM and are reported to
 * init, which stops or rebuilds it (the VMM does not restart a guest
 * itself). The SMC64 function IDs do not exist for an AArch32 caller
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
#define PSCI_INTERNAL_FAILURE   ((uint32_t)-6)
#define PSCI_INVALID_ADDRESS    ((uint32_t)-9)
#define PSCI_VERSION_1_0        0x00010000u
/* MIGRATE_INFO_TYPE 2: no Trusted OS, or one that needs no migration. */
#define PSCI_TOS_NOT_PRESENT    2u
#define AFFINITY_ON             0u
#define AFFINITY_OFF            1u

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

/* The vCPU a PSCI target_cpu names (Aff0 = its number, Aff1 and Aff2 0),
 * or vm->vcpu_count if none. */
static uint32_t target_vcpu(const struct vm *vm, uint32_t target)
{
    return target < vm->vcpu_count ? target : vm->vcpu_count;
}

/* CPU_ON(target_cpu, entry_point_address, context_id): an OFF vCPU starts
 * at the entry (bit 0: Thumb), which must be in the guest's RAM. */
static uint32_t cpu_on(struct vm *vm, const struct opal_message *exit)
{
    uint32_t k = target_vcpu(vm, exit->mr[1]), entry = exit->mr[2];
    if (k == vm->vcpu_count)
        return PSCI_INVALID_PARAMETERS;
    if (vm->vcpus[k].power != VCPU_OFF)
        return PSCI_ALREADY_ON;
    if ((entry & ~1u) - vm->info->ram_base >= vm->info->ram_size)
        return PSCI_INVALID_ADDRESS;
    return vmm_vcpu_on(vm, k, entry, exit->mr[3]) == OPAL_OK ? PSCI_SUCCESS
                                                               : PSCI_INTERNAL_FAILURE;
}

/* AFFINITY_INFO(target_affinity, lowest_affinity_level): level 0 only, as
 * the VM has one cluster of vCPUs and no higher levels to report. A vCPU
 * stopping is ON until its thread has stopped. */
static uint32_t affinity_info(const struct vm *vm, const struct opal_message *exit)
{
    uint32_t k = target_vcpu(vm, exit->mr[1]);
    if (k == vm->vcpu_count || exit->mr[2] != 0)
        return PSCI_INVALID_PARAMETERS;
    return vm->vcpus[k].power == VCPU_OFF ? AFFINITY_OFF : AFFINITY_ON;
}

/* vCPUs other than `self` that are ON. */
static uint32_t running_besides(const struct vm *vm, uint32_t self)
{
    uint32_t running = 0;
    for (uint32_t k = 0; k < vm->vcpu_count; k++)
        running += k != self && vm->vcpus[k].power == VCPU_ON;
    return running;
}

/* CPU_OFF: the calling vCPU stops (main.c answers its exit with STOP and
 * then marks it OFF); with no other vCPU running the VM has powered off. */
static enum vmm_action cpu_off(struct vm *vm)
{
    if (running_besides(vm, vm->current) == 0) {
        vmm_stop(vm, VMM_REPORT_OFF, "its last running vCPU called PSCI CPU_OFF");
        return VMM_STOP;
    }
    vmm_current(vm)->power = VCPU_STOPPING;
    return VMM_VCPU_OFF;
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
        *result = cpu_on(vm, exit);
        return VMM_EMULATED;
    case PSCI_AFFINITY_INFO:
        *result = affinity_info(vm, exit);
        return VMM_EMULATED;
    case PSCI_MIGRATE_INFO_TYPE:
        *result = PSCI_TOS_NOT_PRESENT;
        return VMM_EMULATED;
    case PSCI_CPU_OFF:
        return cpu_off(vm);
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
