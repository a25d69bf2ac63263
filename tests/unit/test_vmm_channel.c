/* The VMM's channels (vmm/channel.c): which doorbell an address falls in, a
 * doorbell write signals the peer and a read returns 0, a peer's signal pends
 * the channel's interrupt in the vGIC (delivered once the guest enables it),
 * and the checks at start. opal_signal and vmm_log are fakes here. */
#define UNIT_SUITE "vmm_channel"
#include "vmm_fixture.h"

/* --- fakes ---------------------------------------------------------------- */

static uint32_t signals[16];
static int signal_count;
static int signal_error;

int opal_signal(uint32_t notification)
{
    if (signal_count < (int)(sizeof signals / sizeof signals[0]))
        signals[signal_count] = notification;
    signal_count++;
    return signal_error;
}

/* --- a VM with two channels ------------------------------------------------ */

static void reset(void)
{
    fixture_reset(&(struct vmm_boot_info){
        .magic = VMM_BOOT_MAGIC, .name = "linux1",
        .ram_base = 0x40000000u, .ram_size = 0x10000000u,
        .channels = {
            { "to-ctrl", 0x0b000000u, 0x1000u, 80 },
            { "big", 0x0c000000u, 0x4000u, 81 },
        },
        .channel_count = 2,
    });
    channel_reset(&vm);
    signal_count = signal_error = 0;
}

static const char *check(void)
{
    static char why[128];
    why[0] = '\0';
    return channel_check(&info, why, sizeof why) ? NULL : why;
}

/* --- the doorbell ----------------------------------------------------------- */

TEST(doorbell_is_the_page_after_the_region)
{
    reset();
    CHECK_EQ(channel_doorbell_at(&info, 0x0b000000u), -1);   /* shared memory: init maps it */
    CHECK_EQ(channel_doorbell_at(&info, 0x0b000ffcu), -1);
    CHECK_EQ(channel_doorbell_at(&info, 0x0b001000u), 0);
    CHECK_EQ(channel_doorbell_at(&info, 0x0b001ffcu), 0);
    CHECK_EQ(channel_doorbell_at(&info, 0x0b001fffu), 0);
    CHECK_EQ(channel_doorbell_at(&info, 0x0b002000u), -1);
    CHECK_EQ(channel_doorbell_at(&info, 0x0c003ffcu), -1);
    CHECK_EQ(channel_doorbell_at(&info, 0x0c004000u), 1);
    CHECK_EQ(channel_doorbell_at(&info, 0x0c004abcu), 1);
    CHECK_EQ(channel_doorbell_at(&info, 0x0c005000u), -1);
    CHECK_EQ(channel_doorbell_at(&info, 0x0affffffu), -1);
    CHECK_EQ(channel_doorbell_at(&info, 0u), -1);
    CHECK_EQ(channel_doorbell_at(&info, 0xffffffffu), -1);
}

TEST(no_channels_no_doorbells)
{
    reset();
    info.channel_count = 0;
    CHECK_EQ(channel_doorbell_at(&info, 0x0b001000u), -1);
    /* A count past the array (refused at start anyway) reads no further. */
    info.channel_count = 1000;
    CHECK_EQ(channel_doorbell_at(&info, 0x0c004000u), 1);
    CHECK_EQ(channel_doorbell_at(&info, 0x00001000u), -1);
}

TEST(doorbell_write_signals_the_peer_and_reads_zero)
{
    reset();
    uint32_t result = 0xdeadbeefu;
    channel_doorbell(&vm, 1, true, &result);
    CHECK_EQ(result, 0);
    CHECK_EQ(signal_count, 1);
    CHECK_EQ(signals[0], VMM_CAP_CHANNEL_FIRST + 1);
    channel_doorbell(&vm, 0, true, &result);
    CHECK_EQ(signal_count, 2);
    CHECK_EQ(signals[1], VMM_CAP_CHANNEL_FIRST);
    result = 0xdeadbeefu;
    channel_doorbell(&vm, 0, false, &result);
    CHECK_EQ(result, 0);
    CHECK_EQ(signal_count, 2);
    CHECK_EQ(log_count, 0);
}

TEST(a_doorbell_that_cannot_signal_is_logged_once_per_channel)
{
    reset();
    uint32_t result;
    signal_error = OPAL_ERR_INVALID_CAPABILITY;
    for (int i = 0; i < 3; i++)
        channel_doorbell(&vm, 1, true, &result);
    CHECK_EQ(signal_count, 3);
    CHECK_EQ(log_count, 1);
    CHECK_STR(last_log, "channel big: cannot signal the peer (invalid capability); "
                        "further failures not logged");
    channel_doorbell(&vm, 0, true, &result);
    CHECK_EQ(log_count, 2);
}

/* --- the peer's signal ------------------------------------------------------ */

TEST(peer_signal_pends_the_interrupt_until_the_guest_enables_it)
{
    reset();
    channel_signalled(&vm, VMM_BADGE_CHANNEL(1) | VMM_BADGE_CONSOLE);
    CHECK(pending(81));
    CHECK(!pending(80));
    CHECK_EQ(injected_count, 0);          /* disabled: latched, nothing offered */
    channel_signalled(&vm, VMM_BADGE_CHANNEL(1));
    CHECK_EQ(injected_count, 0);
    vgic_dist_write(&vm.vgic, 0, GICD_CTLR, 4, 1);
    vgic_dist_write(&vm.vgic, 0, GICD_ISENABLER + 8, 4, 1u << (81 - 64));
    CHECK_EQ(injected_count, 1);          /* two signals, one edge pending: one offer */
    CHECK_EQ(injected[0], 81);
    CHECK(!pending(81));
    channel_signalled(&vm, VMM_BADGE_CHANNEL(1));
    CHECK_EQ(injected_count, 2);          /* enabled: straight in */
    CHECK_EQ(log_count, 0);
}

TEST(channel_interrupts_start_edge_triggered)
{
    reset();
    /* ICFGR5 covers irqs 80-95, two bits each, the upper one edge. */
    CHECK_EQ(gicd_read(GICD_ICFGR + 5 * 4), (2u << 0) | (2u << 2));
    CHECK_EQ(gicd_read(GICD_ICFGR + 2 * 4), 0);   /* the UART's 33 stays level */
}

TEST(signals_of_absent_channels_are_ignored)
{
    reset();
    channel_signalled(&vm, VMM_BADGE_CHANNEL(2) | VMM_BADGE_CHANNEL(7) | VMM_BADGE_CONSOLE);
    for (uint32_t irq = 32; irq < VGIC_IRQS; irq++)
        CHECKF(!pending(irq), "irq %u", irq);
    channel_signalled(&vm, VMM_BADGE_CHANNEL(0));
    CHECK(pending(80));
}

/* --- the checks at start ---------------------------------------------------- */

TEST(good_channels_pass)
{
    reset();
    CHECK(check() == NULL);
    info.channel_count = 0;
    CHECK(check() == NULL);
    /* The last SPI of the vGIC and the first are fine. */
    reset();
    info.channels[0].guest_irq = 32;
    info.channels[1].guest_irq = VGIC_IRQS - 1;
    CHECK(check() == NULL);
}

TEST(interrupt_must_be_an_emulated_spi_not_the_uarts)
{
    reset();
    info.channels[1].guest_irq = 31;
    CHECK_STR(check(), "channel big: interrupt 31 is not a shared peripheral interrupt of "
                       "the emulated GIC (32 to 127)");
    info.channels[1].guest_irq = VGIC_IRQS;
    CHECK(check() != NULL);
    info.channels[1].guest_irq = 1020;
    CHECK(check() != NULL);
    info.channels[1].guest_irq = GUEST_UART_IRQ;
    CHECK_STR(check(), "channel big: interrupt 33 is the emulated UART's");
    info.channels[1].guest_irq = 80;
    CHECK_STR(check(), "channel big: interrupt 80 is another channel's too");
}

TEST(too_many_channels)
{
    reset();
    info.channel_count = VMM_MAX_CHANNELS + 1;
    CHECK_STR(check(), "9 channels, more than 8");
}

TEST(doorbell_must_not_overlap_what_the_guest_reaches_otherwise)
{
    reset();
    info.channels[0].guest_address = 0x40000000u - 0x1000u;   /* doorbell = RAM's first page */
    CHECK_STR(check(), "channel to-ctrl: its doorbell page at 0x40000000 overlaps the guest's RAM");
    info.channels[0].guest_address = GUEST_GICD_BASE - 0x1000u;
    CHECK_STR(check(), "channel to-ctrl: its doorbell page at 0x8000000 overlaps "
                       "the GIC distributor");
    info.channels[0].guest_address = GUEST_GICC_BASE;
    CHECK_STR(check(), "channel to-ctrl: its doorbell page at 0x8011000 overlaps "
                       "the GIC CPU interface");
    info.channels[0].guest_address = GUEST_UART_BASE - 0x1000u;
    CHECK(check() != NULL);
    /* Into the other channel's memory, or onto its doorbell. */
    info.channels[0].guest_address = 0x0c000000u - 0x1000u;
    CHECK_STR(check(), "channel to-ctrl: its doorbell page at 0xc000000 overlaps "
                       "another channel's memory or doorbell");
    info.channels[0].guest_address = 0x0c003000u;
    CHECK(check() != NULL);
    info.channels[0].guest_address = 0x0c005000u;
    CHECK(check() == NULL);
}

TEST(doorbell_must_end_below_4_gib)
{
    reset();
    info.channels[1].guest_address = 0xfffff000u;
    CHECK_STR(check(), "channel big: its doorbell page at 0x100003000 ends past 4 GiB");
    info.channels[1].guest_address = 0xffffe000u;
    info.channels[1].size = 0x1000u;
    CHECK(check() == NULL);
    CHECK_EQ(channel_doorbell_at(&info, 0xfffff000u), 1);
}

TEST(an_unterminated_name_is_cut_at_its_field)
{
    reset();
    memcpy(info.channels[0].name, "0123456789abcdefXYZ", sizeof info.channels[0].name);
    info.channels[0].guest_irq = 20;
    CHECK_STR(check(), "channel 0123456789abcdef: interrupt 20 is not a shared peripheral "
                       "interrupt of the emulated GIC (32 to 127)");
}
