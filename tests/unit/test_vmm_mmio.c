/* The VMM's MMIO routing (vmm/mmio.c) of stray accesses: with stray-access
 * "abort" the guest takes an external abort (a prefetch abort for a fetch)
 * and one rate-limited line says where and why; with "stop" the VM stops
 * with the same words. The distributor never refuses an access. The kernel
 * calls are fakes (linux_devices.h). */
#define UNIT_SUITE "vmm_mmio"
#include "linux_devices.h"   /* the kernel and console fakes */

/* --- accesses ---------------------------------------------------------------- */

#define PC 0x40000100u
#define WORD (2u << 1)
#define HALF (1u << 1)

static void reset(uint32_t stray_access)
{
    fixture_reset(&(struct vmm_boot_info){
        .magic = VMM_BOOT_MAGIC, .name = "probe",
        .ram_base = 0x40000000u, .ram_size = 0x1000000u,
        .stray_access = stray_access,
    });
    vmm_reset_devices(&vm);
}

static uint32_t loaded;

/* A stage-2 abort at `address` with access bits `access` (and the value a
 * write stores); the VMM's answer. */
static enum vmm_action access_at(uint32_t address, uint32_t access, uint32_t stored)
{
    struct opal_message exit = {
        .tag = OPAL_TAG(OPAL_GUEST_EXIT_ABORT, 0, OPAL_GUEST_EXIT_ABORT_LENGTH),
        .mr = { PC, address, access, 2 },
    };
    ipc_buffer.mr[4] = stored;
    loaded = 0xdeadbeefu;
    return vmm_handle_abort(&vm, &exit, &loaded);
}

TEST(read_outside_ram_and_devices_is_an_external_abort)
{
    reset(VMM_STRAY_ABORT);
    CHECK_EQ(access_at(0x0a000000u, OPAL_GUEST_ACCESS_DECODED | WORD, 0), VMM_ABORT);
    CHECK_EQ(stop_count, 0);
    CHECK_EQ(log_count, 1);
    CHECK_STR(last_log, "guest read from 0x0a000000 outside its RAM and devices (pc "
                        "0x40000100): external abort injected");
    CHECK_EQ(vm.exits[EXIT_MMIO_OTHER], 1);
    CHECK_EQ(access_at(0x00000000u, OPAL_GUEST_ACCESS_WRITE, 0), VMM_ABORT);
    CHECK_STR(last_log, "guest wrote to 0x00000000 outside its RAM and devices (pc "
                        "0x40000100): external abort injected");
}

TEST(fetch_outside_ram_is_a_prefetch_abort)
{
    reset(VMM_STRAY_ABORT);
    CHECK_EQ(access_at(0x10000000u, OPAL_GUEST_ACCESS_FETCH, 0), VMM_ABORT);
    CHECK_STR(last_log, "guest executed at 0x10000000 outside its RAM and devices (pc "
                        "0x40000100): external abort injected");
    CHECK_EQ(access_at(0x09000000u, OPAL_GUEST_ACCESS_FETCH, 0), VMM_ABORT);
    CHECK_STR(last_log, "guest executed at 0x09000000 at a device (pc 0x40000100): external "
                        "abort injected");
}

TEST(no_syndrome_at_a_device_is_not_blamed_on_the_device)
{
    reset(VMM_STRAY_ABORT);
    CHECK_EQ(access_at(0x08000400u, 0, 0), VMM_ABORT);          /* LDM of IPRIORITYR */
    CHECK_STR(last_log, "guest read from 0x08000400 at a device with an instruction that gives "
                        "no syndrome (pc 0x40000100): external abort injected");
    CHECK_EQ(vm.exits[EXIT_MMIO_OTHER], 1);
    CHECK_EQ(access_at(0x09000000u, OPAL_GUEST_ACCESS_WRITE, 0), VMM_ABORT);   /* STM */
    CHECK_STR(last_log, "guest wrote to 0x09000000 at a device with an instruction that gives "
                        "no syndrome (pc 0x40000100): external abort injected");
}

TEST(an_access_the_uart_refuses_is_an_external_abort)
{
    reset(VMM_STRAY_ABORT);
    CHECK_EQ(access_at(0x09000002u, OPAL_GUEST_ACCESS_DECODED | HALF, 0), VMM_ABORT);
    CHECK_STR(last_log, "guest read from 0x09000002 with an access its device does not take "
                        "(pc 0x40000100): external abort injected");
    CHECK_EQ(vm.exits[EXIT_MMIO_UART], 1);
}

TEST(the_distributor_takes_every_decoded_access)
{
    reset(VMM_STRAY_ABORT);
    vgic_dist_write(&vm.vgic, 0, 0x400, 4, 0xa0b0c0d0u);
    CHECK_EQ(access_at(0x08000401u, OPAL_GUEST_ACCESS_DECODED, 0), VMM_EMULATED);   /* byte */
    CHECK_EQ(loaded, 0xc0);
    CHECK_EQ(access_at(0x08000400u, OPAL_GUEST_ACCESS_DECODED | HALF, 0), VMM_EMULATED);
    CHECK_EQ(loaded, 0);                                         /* halfword: RAZ */
    CHECK_EQ(access_at(0x08000402u, OPAL_GUEST_ACCESS_DECODED | WORD | OPAL_GUEST_ACCESS_WRITE,
                       0xffffffffu), VMM_EMULATED);              /* unaligned: WI */
    CHECK_EQ(gicd_read(0x400), 0xa0b0c0d0u);
    CHECK_EQ(access_at(0x08000000u, OPAL_GUEST_ACCESS_DECODED, 0), VMM_EMULATED);   /* CTLR */
    CHECK_EQ(loaded, 0);
    CHECK_EQ(vm.exits[EXIT_MMIO_GICD], 4);
    CHECK_EQ(log_count, 0);
}

TEST(stray_lines_are_rate_limited)
{
    reset(VMM_STRAY_ABORT);
    for (int i = 0; i < 100; i++)
        CHECK_EQ(access_at(0x0a000000u, OPAL_GUEST_ACCESS_DECODED | WORD, 0), VMM_ABORT);
    CHECK_EQ(log_count, VMM_RATE_BURST);
    fake_now += FIXTURE_TICKS_PER_SECOND;
    CHECK_EQ(access_at(0x0a000004u, OPAL_GUEST_ACCESS_DECODED | WORD, 0), VMM_ABORT);
    CHECK_EQ(log_count, VMM_RATE_BURST + 1);
    CHECK_STR(last_log, "guest read from 0x0a000004 outside its RAM and devices (pc "
                        "0x40000100): external abort injected (92 more like it held back)");
}

TEST(stray_access_stop_stops_the_vm_with_the_same_words)
{
    reset(VMM_STRAY_STOP);
    CHECK_EQ(access_at(0x0a000000u, OPAL_GUEST_ACCESS_DECODED | WORD, 0), VMM_STOP);
    CHECK_EQ(stop_count, 1);
    CHECK_EQ(stopped_report, VMM_REPORT_FAILED);
    CHECK_STR(stopped_why, "guest read from 0x0a000000 outside its RAM and devices (pc "
                           "0x40000100)");
    CHECK_EQ(log_count, 0);
    reset(VMM_STRAY_STOP);
    CHECK_EQ(access_at(0x08000000u, 0, 0), VMM_STOP);
    CHECK_STR(stopped_why, "guest read from 0x08000000 at a device with an instruction that "
                           "gives no syndrome (pc 0x40000100)");
}
