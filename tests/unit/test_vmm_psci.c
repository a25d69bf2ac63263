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
