/* The PL031 a Linux guest finds at GUEST_RTC_BASE (ARM DDI 0224): RTCDR
 * counts seconds from the platform's clock read at boot (lib/vmm_boot.h's
 * rtc_seconds), so the guest's date is the real one and survives its
 * restarts; RTCLR sets it for this instance. The match interrupt is not
 * raised: Linux needs it only for wake alarms, which a VM does not have. */
#include "vmm/vmm.h"
#include "vmm/vrtc.h"

enum vrtc_register {
    RTC_DR = 0x00, RTC_MR = 0x04, RTC_LR = 0x08, RTC_CR = 0x0c,
    RTC_IMSC = 0x10, RTC_RIS = 0x14, RTC_MIS = 0x18, RTC_ICR = 0x1c,
    RTC_ID = 0xfe0,
};

/* PeriphID0-3 and PCellID0-3, one byte per word, as the AMBA bus reads
 * them to match the driver: a PL031 (0x00041031), revision 1. */
static const uint8_t ids[8] = { 0x31, 0x10, 0x14, 0x00, 0x0d, 0xf0, 0x05, 0xb1 };

void vrtc_init(struct vrtc *rtc)
{
    *rtc = (struct vrtc){ 0 };
}

/* The platform's seconds now. Without an RTC (0 at counter 0) they count
 * from 1970 too: a PL031's DR always counts, and a guest that set it with
 * RTCLR must see its time go on. */
static uint32_t platform_seconds(const struct vm *vm)
{
    const struct vmm_boot_info *info = vm->info;
    if (vm->ticks_per_second == 0)
        return 0;
    return info->rtc_seconds + (uint32_t)((vmm_now() - info->rtc_counter) / vm->ticks_per_second);
}

bool vrtc_read(const struct vm *vm, const struct vrtc *rtc, uint32_t offset, uint32_t size,
               uint32_t *value)
{
    if (size != 4 || offset % 4)
        return false;
    switch (offset) {
    case RTC_DR: *value = (uint32_t)(platform_seconds(vm) + rtc->offset); break;
    case RTC_MR: *value = rtc->match; break;
    case RTC_CR: *value = 1; break;          /* always running */
    case RTC_IMSC: *value = rtc->mask; break;
    case RTC_LR: *value = rtc->loaded; break;
    default:
        *value = offset >= RTC_ID ? ids[(offset - RTC_ID) / 4] : 0;   /* RIS, MIS: 0 */
        break;
    }
    return true;
}

bool vrtc_write(const struct vm *vm, struct vrtc *rtc, uint32_t offset, uint32_t size,
                uint32_t value)
{
    if (size != 4 || offset % 4)
        return false;
    if (offset == RTC_LR) {
        rtc->offset = (int64_t)value - platform_seconds(vm);
        rtc->loaded = value;
    }
    else if (offset == RTC_MR)
        rtc->match = value;
    else if (offset == RTC_IMSC)
        rtc->mask = value & 1;
    return true;   /* CR, ICR and the read-only registers ignore writes */
}
