/* The VMM's PSCI (vmm/psci.c) as an AArch32 guest sees it: version 1.0,
 * FEATURES truthful (SMC64 IDs not supported), CPU_SUSPEND with standby
 * only, the power-off and reset calls stopping the VM. */
#define UNIT_SUITE "vmm_psci"
#include "vmm_fixture.h"

#define NOT_SUPPORTED 0xffffffffu
#define INVALID_PARAMETERS 0xfffffffeu
#define VERSION 0x84000000u
#define CPU_SUSPEND 0x84000001u
#define CPU_SUSPEND64 0xc4000001u
#define CPU_ON64 0xc4000003u
#define FEATURES 0x8400000au
#define SYSTEM_OFF 0x84000008u

static void reset(void)
{
    fixture_reset(&(struct vmm_boot_info){ .magic = VMM_BOOT_MAGIC, .name = "probe" });
}

static enum vmm_action last_action;

/* r0 after the call, or 0xbad0bad0 if it was not emulated (an emulation
 * after which the vCPU idles counts: last_action tells them apart). */
static uint32_t call(uint32_t function, uint32_t argument)
{
    struct opal_message exit = {
        .tag = OPAL_TAG(OPAL_GUEST_EXIT_HVC, 0, OPAL_GUEST_EXIT_CALL_LENGTH),
        .mr = { function, argument, 0, 0 },
    };
    uint32_t result = 0xdeadbeefu;
    last_action = vmm_handle_call(&vm, &exit, &result);
    return last_action == VMM_EMULATED || last_action == VMM_IDLE ? result : 0xbad0bad0u;
}

TEST(version_is_1_0)
{
    reset();
    CHECK_EQ(call(VERSION, 0), 0x00010000u);
}

TEST(features_lists_the_32_bit_functions)
{
    static const uint32_t supported[] = { 0x84000000u, 0x84000002u, 0x84000003u, 0x84000004u,
                                          0x84000006u, 0x84000008u, 0x84000009u, 0x8400000au };
    reset();
    for (size_t i = 0; i < sizeof supported / sizeof supported[0]; i++)
        CHECKF(call(FEATURES, supported[i]) == 0, "0x%08x", supported[i]);
    /* CPU_SUSPEND: supported, original power_state format, platform-coordinated. */
    CHECK_EQ(call(FEATURES, CPU_SUSPEND), 0);
    CHECK_EQ(call(FEATURES, 0x84000005u), NOT_SUPPORTED);   /* MIGRATE */
    CHECK_EQ(call(FEATURES, 0x8400000eu), NOT_SUPPORTED);   /* SYSTEM_SUSPEND */
    CHECK_EQ(call(FEATURES, 0x80000000u), NOT_SUPPORTED);   /* SMCCC_VERSION */
}

TEST(smc64_ids_do_not_exist_for_an_aarch32_guest)
{
    reset();
    CHECK_EQ(call(FEATURES, CPU_SUSPEND64), NOT_SUPPORTED);
    CHECK_EQ(call(FEATURES, CPU_ON64), NOT_SUPPORTED);
    CHECK_EQ(call(FEATURES, 0xc4000004u), NOT_SUPPORTED);
    CHECK_EQ(call(CPU_SUSPEND64, 0), NOT_SUPPORTED);
    CHECK_EQ(call(CPU_ON64, 0), NOT_SUPPORTED);
    CHECK_EQ(call(0xc4000008u, 0), NOT_SUPPORTED);          /* no SYSTEM_OFF either */
    CHECK_EQ(stop_count, 0);
}

/* Standby is a WFI: SUCCESS once the vCPU has idled until an interrupt. */
TEST(cpu_suspend_standby_idles_then_returns_success)
{
    reset();
    CHECK_EQ(call(CPU_SUSPEND, 0), 0);
    CHECK_EQ(last_action, VMM_IDLE);
    CHECK_EQ(call(CPU_SUSPEND, 0xffffu), 0);                 /* any StateID */
    CHECK_EQ(last_action, VMM_IDLE);
    CHECK_EQ(call(VERSION, 0), 0x00010000u);
    CHECK_EQ(last_action, VMM_EMULATED);
    CHECK_EQ(stop_count, 0);
}

TEST(cpu_suspend_states_the_platform_lacks_are_invalid)
{
    reset();
    CHECK_EQ(call(CPU_SUSPEND, 1u << 16), INVALID_PARAMETERS);   /* powerdown */
    CHECK_EQ(call(CPU_SUSPEND, 1u << 24), INVALID_PARAMETERS);   /* cluster level */
    CHECK_EQ(call(CPU_SUSPEND, 2u << 24), INVALID_PARAMETERS);
    CHECK_EQ(call(CPU_SUSPEND, 1u << 17), INVALID_PARAMETERS);   /* reserved bits */
    CHECK_EQ(call(CPU_SUSPEND, 1u << 30), INVALID_PARAMETERS);
    CHECK_EQ(stop_count, 0);
}

TEST(system_off_stops_the_vm)
{
    reset();
    struct opal_message exit = { .tag = OPAL_TAG(OPAL_GUEST_EXIT_HVC, 0, 5),
                                 .mr = { SYSTEM_OFF } };
    uint32_t result = 0;
    CHECK_EQ(vmm_handle_call(&vm, &exit, &result), VMM_STOP);
    CHECK_EQ(stop_count, 1);
    CHECK_EQ(stopped_report, VMM_REPORT_OFF);
    CHECK_STR(stopped_why, "the guest powered off (PSCI SYSTEM_OFF)");
}

TEST(unknown_functions_are_not_supported)
{
    reset();
    CHECK_EQ(call(0x86000000u, 0), NOT_SUPPORTED);
    CHECK_EQ(call(0x8400000bu, 0), NOT_SUPPORTED);
}

/* --- several vCPUs ------------------------------------------------------ */

#define CPU_OFF 0x84000002u
#define CPU_ON 0x84000003u
#define AFFINITY_INFO 0x84000004u
#define MIGRATE_INFO_TYPE 0x84000006u
#define SYSTEM_RESET 0x84000009u
#define ALREADY_ON 0xfffffffcu
#define INTERNAL_FAILURE 0xfffffffau
#define INVALID_ADDRESS 0xfffffff7u
#define RAM_BASE 0x40000000u
#define RAM_SIZE 0x10000000u

/* vcpus.c's CPU_ON, faked: records the start, fails when told to. */
static uint32_t started_vcpu, started_entry, started_context;
static int start_count, start_error;

int vmm_vcpu_on(struct vm *machine, uint32_t k, uint32_t entry, uint32_t context)
{
    if (start_error != OPAL_OK)
        return start_error;
    started_vcpu = k, started_entry = entry, started_context = context;
    start_count++;
    machine->vcpus[k].power = VCPU_ON;
    return OPAL_OK;
}

/* A VM of `vcpus` vCPUs, vCPU 0 on and calling. */
static void reset_smp(uint32_t vcpus)
{
    fixture_reset(&(struct vmm_boot_info){ .magic = VMM_BOOT_MAGIC, .name = "smp",
                                           .ram_base = RAM_BASE, .ram_size = RAM_SIZE,
                                           .vcpu_count = vcpus });
    vm.vcpus[0].power = VCPU_ON;
    vm.current = 0;
    start_count = 0;
    start_error = OPAL_OK;
}

static uint32_t call3(uint32_t function, uint32_t a1, uint32_t a2, uint32_t a3)
{
    struct opal_message exit = {
        .tag = OPAL_TAG(OPAL_GUEST_EXIT_HVC, 0, OPAL_GUEST_EXIT_CALL_LENGTH),
        .mr = { function, a1, a2, a3 },
    };
    uint32_t result = 0xdeadbeefu;
    last_action = vmm_handle_call(&vm, &exit, &result);
    return last_action == VMM_EMULATED ? result : 0xbad0bad0u;
}

TEST(secondaries_start_off_and_cpu_on_starts_them_once)
{
    reset_smp(4);
    for (uint32_t k = 1; k < 4; k++)
        CHECK_EQ(call3(AFFINITY_INFO, k, 0, 0), 1);          /* OFF */
    CHECK_EQ(call3(AFFINITY_INFO, 0, 0, 0), 0);              /* ON */
    CHECK_EQ(call3(CPU_ON, 2, RAM_BASE + 0x8000, 0x1234), 0);
    CHECK_EQ(start_count, 1);
    CHECK_EQ(started_vcpu, 2);
    CHECK_EQ(started_entry, RAM_BASE + 0x8000);
    CHECK_EQ(started_context, 0x1234);
    CHECK_EQ(call3(AFFINITY_INFO, 2, 0, 0), 0);
    CHECK_EQ(call3(CPU_ON, 2, RAM_BASE + 0x8000, 0), ALREADY_ON);
    CHECK_EQ(call3(CPU_ON, 0, RAM_BASE + 0x8000, 0), ALREADY_ON);
    CHECK_EQ(start_count, 1);
    /* A Thumb entry (bit 0) is in RAM when its address is. */
    CHECK_EQ(call3(CPU_ON, 3, RAM_BASE + 0x8001, 0), 0);
    CHECK_EQ(started_entry, RAM_BASE + 0x8001);
    CHECK_EQ(stop_count, 0);
}

TEST(cpu_on_refuses_bad_targets_and_entries)
{
    reset_smp(2);
    CHECK_EQ(call3(CPU_ON, 2, RAM_BASE, 0), INVALID_PARAMETERS);         /* no vCPU 2 */
    CHECK_EQ(call3(CPU_ON, 0x100, RAM_BASE, 0), INVALID_PARAMETERS);     /* Aff1 = 1 */
    CHECK_EQ(call3(CPU_ON, 0x80000001u, RAM_BASE, 0), INVALID_PARAMETERS);
    CHECK_EQ(call3(CPU_ON, 1, RAM_BASE - 4, 0), INVALID_ADDRESS);
    CHECK_EQ(call3(CPU_ON, 1, RAM_BASE + RAM_SIZE, 0), INVALID_ADDRESS);
    CHECK_EQ(call3(CPU_ON, 1, 0xffffffffu, 0), INVALID_ADDRESS);
    CHECK_EQ(call3(AFFINITY_INFO, 2, 0, 0), INVALID_PARAMETERS);
    CHECK_EQ(call3(AFFINITY_INFO, 1, 1, 0), INVALID_PARAMETERS);         /* level 1 */
    CHECK_EQ(start_count, 0);
    start_error = OPAL_ERR_INVALID_ARGUMENT;
    CHECK_EQ(call3(CPU_ON, 1, RAM_BASE, 0), INTERNAL_FAILURE);
    CHECK_EQ(call3(AFFINITY_INFO, 1, 0, 0), 1);
    /* With one vCPU, CPU 0 is on and there is no other. */
    reset_smp(1);
    CHECK_EQ(call3(CPU_ON, 0, RAM_BASE, 0), ALREADY_ON);
    CHECK_EQ(call3(CPU_ON, 1, RAM_BASE, 0), INVALID_PARAMETERS);
    CHECK_EQ(call3(MIGRATE_INFO_TYPE, 0, 0, 0), 2);
}

/* CPU_OFF stops the caller alone (main.c answers STOP, then marks it
 * OFF); it can be turned on again. The last running vCPU's CPU_OFF is the
 * VM powering off. */
TEST(cpu_off_stops_one_vcpu_and_the_last_powers_off)
{
    reset_smp(2);
    CHECK_EQ(call3(CPU_ON, 1, RAM_BASE, 0), 0);
    vm.current = 1;
    call3(CPU_OFF, 0, 0, 0);
    CHECK_EQ(last_action, VMM_VCPU_OFF);
    CHECK_EQ(vm.vcpus[1].power, VCPU_STOPPING);
    vm.current = 0;
    CHECK_EQ(call3(AFFINITY_INFO, 1, 0, 0), 0);              /* on until stopped */
    CHECK_EQ(call3(CPU_ON, 1, RAM_BASE, 0), ALREADY_ON);
    vm.vcpus[1].power = VCPU_OFF;                             /* its thread stopped */
    CHECK_EQ(call3(AFFINITY_INFO, 1, 0, 0), 1);
    CHECK_EQ(call3(CPU_ON, 1, RAM_BASE, 0), 0);
    CHECK_EQ(stop_count, 0);
    vm.vcpus[1].power = VCPU_OFF;
    call3(CPU_OFF, 0, 0, 0);
    CHECK_EQ(last_action, VMM_STOP);
    CHECK_EQ(stop_count, 1);
    CHECK_EQ(stopped_report, VMM_REPORT_OFF);
    CHECK_STR(stopped_why, "its last running vCPU called PSCI CPU_OFF");
}

TEST(system_off_and_reset_stop_the_whole_vm_from_any_vcpu)
{
    reset_smp(4);
    CHECK_EQ(call3(CPU_ON, 3, RAM_BASE, 0), 0);
    vm.current = 3;
    call3(SYSTEM_RESET, 0, 0, 0);
    CHECK_EQ(last_action, VMM_STOP);
    CHECK_EQ(stopped_report, VMM_REPORT_RESET);
    call3(SYSTEM_OFF, 0, 0, 0);
    CHECK_EQ(stopped_report, VMM_REPORT_OFF);
    CHECK_EQ(stop_count, 2);
}
