/* The PL031 a Linux guest finds at GUEST_RTC_BASE (vmm/vrtc.c), through the
 * VMM's abort handler: RTCDR counts seconds from the platform's date at
 * boot by the generic counter, RTCLR sets it, the IDs are the PL031
 * TRM's (ARM DDI 0224), and only aligned words are taken. */
#define UNIT_SUITE "vrtc"
#include "linux_devices.h"

#define RTC_DR   0x000u
#define RTC_MR   0x004u
#define RTC_LR   0x008u
#define RTC_CR   0x00cu
#define RTC_IMSC 0x010u
#define RTC_RIS  0x014u
#define RTC_ID   0xfe0u

#define BOOT_DATE 1700000000u   /* the platform's seconds at BOOT_COUNTER */
#define BOOT_COUNTER 400000u

static uint32_t rtc_read(uint32_t offset)
{
    return word_read(GUEST_RTC_BASE + offset);
}

static void rtc_write(uint32_t offset, uint32_t value)
{
    word_write(GUEST_RTC_BASE + offset, value);
}

/* A Linux guest on a platform whose clock said `date` at `counter`. */
static void rtc_reset(uint32_t date, uint64_t counter)
{
    linux_vm_reset("vm1");
    info.rtc_seconds = date;
    info.rtc_counter = counter;
}

static void advance_ms(uint64_t ms)
{
    fake_now += ms * FIXTURE_TICKS_PER_SECOND / 1000;
}

TEST(dr_counts_seconds_from_the_platforms_date)
{
    rtc_reset(BOOT_DATE, BOOT_COUNTER);
    CHECK_EQ(vm.ticks_per_second, FIXTURE_TICKS_PER_SECOND);
    uint32_t now = BOOT_DATE + (uint32_t)((fake_now - BOOT_COUNTER) / FIXTURE_TICKS_PER_SECOND);
    CHECK_EQ(rtc_read(RTC_DR), now);
    advance_ms(999);
    CHECK_EQ(rtc_read(RTC_DR), now);
    advance_ms(1);
    CHECK_EQ(rtc_read(RTC_DR), now + 1);
    advance_ms(2500);
    CHECK_EQ(rtc_read(RTC_DR), now + 3);
}

TEST(lr_sets_the_time_which_then_counts_on)
{
    rtc_reset(BOOT_DATE, BOOT_COUNTER);
    advance_ms(300);
    rtc_write(RTC_LR, 1000);
    CHECK_EQ(rtc_read(RTC_DR), 1000);
    advance_ms(3000);
    CHECK_EQ(rtc_read(RTC_DR), 1003);
    rtc_write(RTC_LR, 0xfffffffeu);               /* later than the platform's date */
    advance_ms(1000);
    CHECK_EQ(rtc_read(RTC_DR), 0xffffffffu);
}

TEST(without_a_platform_clock_dr_still_counts)
{
    rtc_reset(0, 0);
    rtc_write(RTC_LR, 5000);
    CHECK_EQ(rtc_read(RTC_DR), 5000);
    advance_ms(4000);
    CHECK_EQ(rtc_read(RTC_DR), 5004);
}

TEST(reads_the_pl031_ids_and_runs)
{
    rtc_reset(BOOT_DATE, BOOT_COUNTER);
    /* PeriphID0-3, PCellID0-3 (ARM DDI 0224 3.3.13, 3.3.14). */
    static const uint8_t ids[8] = { 0x31, 0x10, 0x14, 0x00, 0x0d, 0xf0, 0x05, 0xb1 };
    for (uint32_t i = 0; i < 8; i++)
        CHECKF(rtc_read(RTC_ID + 4 * i) == ids[i], "ID register %u", i);
    CHECK_EQ(rtc_read(RTC_CR), 1);
    rtc_write(RTC_CR, 0);                         /* RTCCR can only start it */
    CHECK_EQ(rtc_read(RTC_CR), 1);
    CHECK_EQ(rtc_read(RTC_RIS), 0);
    rtc_write(RTC_MR, 1234);
    CHECK_EQ(rtc_read(RTC_MR), 1234);
    rtc_write(RTC_IMSC, 0xff);                    /* one bit of it */
    CHECK_EQ(rtc_read(RTC_IMSC), 1);
    CHECK_EQ(vm.exits[EXIT_MMIO_RTC] > 0, 1);
}

TEST(only_aligned_words_are_taken)
{
    rtc_reset(BOOT_DATE, BOOT_COUNTER);
    uint32_t before = rtc_read(RTC_DR), value = 0;
    for (uint32_t offset = 0; offset < 0x20; offset += 4) {
        CHECKF(guest_access(GUEST_RTC_BASE + offset, 1, false, &value) == VMM_ABORT,
               "byte read at 0x%x", offset);
        CHECKF(guest_access(GUEST_RTC_BASE + offset, 2, false, &value) == VMM_ABORT,
               "half read at 0x%x", offset);
        CHECKF(guest_access(GUEST_RTC_BASE + offset + 2, 4, false, &value) == VMM_ABORT,
               "unaligned read at 0x%x", offset + 2);
    }
    value = 7;
    CHECK_EQ(guest_access(GUEST_RTC_BASE + RTC_LR, 1, true, &value), VMM_ABORT);
    value = 7;
    CHECK_EQ(guest_access(GUEST_RTC_BASE + RTC_LR, 2, true, &value), VMM_ABORT);
    CHECK_EQ(rtc_read(RTC_DR), before);
    CHECK_EQ(guest_access(GUEST_RTC_BASE + RTC_ID, 1, false, &value), VMM_ABORT);
}

/* A bare-metal guest may be given the real PL031 there; it keeps its
 * virtio transports (the console's answers with the virtio magic). */
TEST(a_bare_metal_guest_has_no_rtc_here)
{
    rtc_reset(BOOT_DATE, BOOT_COUNTER);
    info.kind = VMM_GUEST_ELF;
    vmm_reset_devices(&vm);
    uint32_t value = 0;
    CHECK_EQ(guest_access(GUEST_RTC_BASE + RTC_DR, 4, false, &value), VMM_ABORT);
    CHECK_EQ(guest_access(GUEST_VIRTIO_BASE + GUEST_VIRTIO_STRIDE, 4, false, &value),
             VMM_EMULATED);
    CHECK_EQ(value, 0x74726976u);   /* "virt" */
}
