/* The VMM's passthrough interrupts (vmm/passthrough.c): a host interrupt's
 * badge raises the same ID's line in the vGIC (level: pending while high,
 * injected with EOI notification once the guest enables it), the guest's
 * EOI lowers it and acks the host's IRQ handler, and the checks at start.
 * opal_irq_handler_ack and vmm_log are fakes here. */
#define UNIT_SUITE "vmm_passthrough"
#include "vmm_fixture.h"

/* --- fakes ---------------------------------------------------------------- */

static uint32_t acks[16];
static int ack_count;
static int ack_error;

int opal_irq_handler_ack(uint32_t irq_handler)
{
    if (ack_count < (int)(sizeof acks / sizeof acks[0]))
        acks[ack_count] = irq_handler;
    ack_count++;
    return ack_error;
}

/* --- a VM with two passthrough interrupts and a channel -------------------- */

/* What mmio.c wires the vGIC's resampling to. */
static void resample_through_the_vmm(void *context, uint32_t irq)
{
    (void)context;
    passthrough_resample(&vm, irq);
}

static void reset(void)
{
    fixture_reset(&(struct vmm_boot_info){
        .magic = VMM_BOOT_MAGIC, .name = "testkit",
        .ram_base = 0x40000000u, .ram_size = 0x1000000u,
        .channels = { { "to-ctrl", 0x0b000000u, 0x1000u, 80 } },
        .channel_count = 1,
        .irqs = { 34, 40 },
        .irq_count = 2,
    });
    vm.vgic.ops.resample = resample_through_the_vmm;
    vgic_dist_set_edge(&vm.vgic, 80);     /* as channel_reset() does */
    passthrough_reset(&vm);
    ack_count = ack_error = 0;
}

static void guest_enables(uint32_t irq)
{
    vgic_dist_write(&vm.vgic, 0, GICD_CTLR, 4, 1);
    vgic_dist_write(&vm.vgic, 0, GICD_ISENABLER + irq / 32 * 4, 4, 1u << (irq % 32));
}

static const char *check(void)
{
    static char why[128];
    why[0] = '\0';
    return passthrough_check(&info, why, sizeof why) ? NULL : why;
}

/* --- delivery --------------------------------------------------------------- */

TEST(index_of_each_interrupt)
{
    reset();
    CHECK_EQ(passthrough_index(&info, 34), 0);
    CHECK_EQ(passthrough_index(&info, 40), 1);
    CHECK_EQ(passthrough_index(&info, 80), -1);   /* the channel's */
    CHECK_EQ(passthrough_index(&info, 33), -1);
    CHECK_EQ(passthrough_index(&info, 0), -1);
    info.irq_count = 0;
    CHECK_EQ(passthrough_index(&info, 34), -1);
    /* A count past the array (refused at start anyway) reads no further. */
    info.irq_count = 1000;
    CHECK_EQ(passthrough_index(&info, 40), 1);
}

TEST(host_interrupt_is_pending_level_until_the_guest_enables_it)
{
    reset();
    passthrough_signalled(&vm, VMM_BADGE_IRQ(0) | VMM_BADGE_CONSOLE);
    CHECK(pending(34));
    CHECK(!pending(40));
    CHECK_EQ(injected_count, 0);           /* disabled: pending, nothing offered */
    CHECK_EQ(gicd_read(GICD_ICFGR + 2 * 4), 0); /* level */
    /* Enabling it looks at the device again (behaviour changed: it was
     * injected on the stale line): the host's is acked, and fires again
     * if the device still asserts it. */
    guest_enables(34);
    CHECK_EQ(injected_count, 0);
    CHECK_EQ(ack_count, 1);
    passthrough_signalled(&vm, VMM_BADGE_IRQ(0));
    CHECK_EQ(injected_count, 1);
    CHECK_EQ(injected[0], 34);
    CHECK(injected_notify[0]);             /* level: the EOI comes back to the VMM */
    CHECK_EQ(ack_count, 1);                /* not acked again before the guest's EOI */
}

TEST(eoi_lowers_the_line_and_acks_the_host_interrupt)
{
    reset();
    guest_enables(40);
    passthrough_signalled(&vm, VMM_BADGE_IRQ(1));
    CHECK_EQ(injected_count, 1);
    CHECK_EQ(injected[0], 40);
    CHECK(passthrough_eoi(&vm, 40));
    vgic_dist_eoi(&vm.vgic, 0, 40);
    CHECK_EQ(ack_count, 1);
    CHECK_EQ(acks[0], VMM_CAP_IRQ_FIRST + 1);
    CHECK(!pending(40));
    CHECK_EQ(injected_count, 1);           /* not offered again: the line is low */
    CHECK_EQ(log_count, 0);
    /* The host line fires again: a second delivery. */
    passthrough_signalled(&vm, VMM_BADGE_IRQ(1));
    CHECK_EQ(injected_count, 2);
    CHECK_EQ(injected[1], 40);
    CHECK(passthrough_eoi(&vm, 40));
    CHECK_EQ(ack_count, 2);
}

TEST(one_injection_while_the_guest_handles_it)
{
    reset();
    guest_enables(34);
    passthrough_signalled(&vm, VMM_BADGE_IRQ(0));
    passthrough_signalled(&vm, VMM_BADGE_IRQ(0));   /* (the host keeps it masked anyway) */
    CHECK_EQ(injected_count, 1);                     /* active until the EOI */
}

/* --- the orders a guest may serve a level interrupt in ----------------------- */

/* The guest's EOI as the kernel reports it: main.c's order. */
static void guest_eoi(uint32_t irq)
{
    CHECK(passthrough_eoi(&vm, irq));
    vgic_dist_eoi(&vm.vgic, 0, irq);
}

static void guest_disables(uint32_t irq)
{
    vgic_dist_write(&vm.vgic, 0, GICD_ICENABLER + irq / 32 * 4, 4, 1u << (irq % 32));
}

static void guest_reenables(uint32_t irq)
{
    vgic_dist_write(&vm.vgic, 0, GICD_ISENABLER + irq / 32 * 4, 4, 1u << (irq % 32));
}

/* Clear the device, then EOI (Linux's fasteoi flow): one interrupt. */
TEST(order_clear_then_eoi)
{
    reset();
    guest_enables(34);
    passthrough_signalled(&vm, VMM_BADGE_IRQ(0));
    CHECK_EQ(injected_count, 1);
    /* (the guest clears the device: its line falls, unseen) */
    guest_eoi(34);
    CHECK_EQ(ack_count, 1);
    CHECK(!pending(34));
    CHECK_EQ(injected_count, 1);
}

/* EOI while the device still asserts (then clear, or never): the host's
 * interrupt fires again at the ack and the guest gets it again, as a GIC
 * would offer it again while the line is high. One interrupt the device
 * no longer claims is possible if the guest clears it after the EOI with
 * the irq enabled: the VMM cannot see the line fall between the two. */
TEST(order_eoi_while_still_asserted)
{
    reset();
    guest_enables(34);
    passthrough_signalled(&vm, VMM_BADGE_IRQ(0));
    guest_eoi(34);
    CHECK_EQ(ack_count, 1);
    passthrough_signalled(&vm, VMM_BADGE_IRQ(0));   /* still high at the ack */
    CHECK_EQ(injected_count, 2);
    CHECK_EQ(injected[1], 34);
    CHECK(injected_notify[1]);
    guest_eoi(34);                                   /* cleared by now */
    CHECK_EQ(ack_count, 2);
    CHECK(!pending(34));
    CHECK_EQ(injected_count, 2);
}

/* Mask, EOI, clear the device later, unmask (Linux's oneshot irqs): the
 * host's fires again at the EOI's ack, the irq stays pending while masked,
 * and the unmask resamples the line: the device is quiet, nothing more. */
TEST(order_mask_eoi_clear_unmask)
{
    reset();
    guest_enables(34);
    passthrough_signalled(&vm, VMM_BADGE_IRQ(0));
    guest_disables(34);
    guest_eoi(34);
    passthrough_signalled(&vm, VMM_BADGE_IRQ(0));   /* still high at the ack */
    CHECK(pending(34));
    CHECK_EQ(injected_count, 1);
    /* (the guest clears the device) */
    guest_reenables(34);
    CHECK_EQ(ack_count, 2);                          /* looked at again */
    CHECK(!pending(34));
    CHECK_EQ(injected_count, 1);
}

/* The same, with the device still asserting at the unmask: it fires at
 * the resampling's ack and is delivered. */
TEST(order_mask_eoi_unmask_still_asserted)
{
    reset();
    guest_enables(34);
    passthrough_signalled(&vm, VMM_BADGE_IRQ(0));
    guest_disables(34);
    guest_eoi(34);
    passthrough_signalled(&vm, VMM_BADGE_IRQ(0));
    guest_reenables(34);
    CHECK_EQ(ack_count, 2);
    CHECK_EQ(injected_count, 1);
    passthrough_signalled(&vm, VMM_BADGE_IRQ(0));
    CHECK_EQ(injected_count, 2);
    CHECK_EQ(injected[1], 34);
    guest_eoi(34);
    CHECK_EQ(ack_count, 3);
}

/* Fired before the guest enabled it, served by polling meanwhile. */
TEST(fired_before_enabled_is_resampled)
{
    reset();
    passthrough_signalled(&vm, VMM_BADGE_IRQ(1));
    CHECK(pending(40));
    guest_enables(40);
    CHECK_EQ(ack_count, 1);
    CHECK_EQ(acks[0], VMM_CAP_IRQ_FIRST + 1);
    CHECK_EQ(injected_count, 0);
}

/* The guest cannot make a passthrough interrupt edge-triggered: its EOI
 * would never be reported and the host's never acked again. */
TEST(passthrough_interrupts_stay_level)
{
    reset();
    vgic_dist_write(&vm.vgic, 0, GICD_ICFGR + 8, 4, 0xaaaaaaaau);
    CHECK_EQ(gicd_read(GICD_ICFGR + 8) & (3u << 4), 0);   /* irq 34 */
    CHECK_EQ(gicd_read(GICD_ICFGR + 8) & (3u << 6), 2u << 6);   /* irq 35: edge */
    guest_enables(34);
    passthrough_signalled(&vm, VMM_BADGE_IRQ(0));
    CHECK(injected_notify[0]);
}

TEST(eoi_of_other_interrupts_acks_nothing)
{
    reset();
    CHECK(!passthrough_eoi(&vm, 80));
    CHECK(!passthrough_eoi(&vm, GUEST_UART_IRQ));
    CHECK(!passthrough_eoi(&vm, 27));
    CHECK_EQ(ack_count, 0);
}

TEST(signals_of_absent_interrupts_are_ignored)
{
    reset();
    passthrough_signalled(&vm, VMM_BADGE_IRQ(2) | VMM_BADGE_IRQ(7) | VMM_BADGE_CHANNEL(0) |
                                   VMM_BADGE_CONSOLE);
    for (uint32_t irq = 0; irq < VGIC_IRQS; irq++)
        CHECKF(!pending(irq), "irq %u", irq);
    passthrough_signalled(&vm, VMM_BADGE_IRQ(1));
    CHECK(pending(40));
}

TEST(badges_do_not_collide)
{
    for (uint32_t i = 0; i < VMM_MAX_IRQS; i++) {
        CHECK((VMM_BADGE_IRQ(i) & VMM_BADGE_CONSOLE) == 0);
        for (uint32_t k = 0; k < VMM_MAX_CHANNELS; k++)
            CHECK((VMM_BADGE_IRQ(i) & VMM_BADGE_CHANNEL(k)) == 0);
    }
    CHECK(VMM_CAP_IRQ_FIRST >= VMM_CAP_CHANNEL_FIRST + VMM_MAX_CHANNELS);
    CHECK(VMM_CAP_FIRST_FREE >= VMM_CAP_IRQ_FIRST + VMM_MAX_IRQS);
    CHECK(VMM_CAP_FIRST_FREE <= 1u << VMM_CNODE_BITS);
}

TEST(an_ack_that_fails_is_logged_once_per_interrupt)
{
    reset();
    guest_enables(34);
    ack_error = OPAL_ERR_INVALID_CAPABILITY;
    for (int i = 0; i < 3; i++) {
        passthrough_signalled(&vm, VMM_BADGE_IRQ(0));
        CHECK(passthrough_eoi(&vm, 34));
        vgic_dist_eoi(&vm.vgic, 0, 34);
    }
    CHECK_EQ(ack_count, 3);
    CHECK_EQ(log_count, 1);
    CHECK_STR(last_log, "passthrough interrupt 34: cannot ack the host's (invalid capability); "
                        "further failures not logged");
    CHECK(passthrough_eoi(&vm, 40));
    CHECK_EQ(log_count, 2);
}

/* --- the checks at start ---------------------------------------------------- */

TEST(good_interrupts_pass)
{
    reset();
    CHECK(check() == NULL);
    info.irq_count = 0;
    CHECK(check() == NULL);
    reset();
    info.irqs[0] = 32;
    info.irqs[1] = VGIC_IRQS - 1;
    CHECK(check() == NULL);
}

TEST(interrupt_must_be_an_emulated_spi)
{
    reset();
    info.irqs[1] = 30;
    CHECK_STR(check(), "passthrough interrupt 30 is not a shared peripheral interrupt of the "
                       "emulated GIC (32 to 127)");
    info.irqs[1] = VGIC_IRQS;
    CHECK(check() != NULL);
    info.irqs[1] = 200;
    CHECK(check() != NULL);
}

TEST(interrupt_must_not_be_the_uarts_a_channels_or_repeated)
{
    reset();
    info.irqs[1] = GUEST_UART_IRQ;
    CHECK_STR(check(), "passthrough interrupt 33 is the emulated UART's");
    info.irqs[1] = 80;
    CHECK_STR(check(), "passthrough interrupt 80 is a channel's");
    info.irqs[1] = 34;
    CHECK_STR(check(), "passthrough interrupt 34 is listed twice");
}

TEST(too_many_interrupts)
{
    reset();
    info.irq_count = VMM_MAX_IRQS + 1;
    CHECK_STR(check(), "9 passthrough interrupts, more than 8");
}
