/* The date: init reads the platform's PL031 once at boot, and each VMM is
 * given it with the counter value it was read at (lib/vmm_boot.h), so a
 * guest's RTC tells the real time without the hardware being shared. */
#include "init.h"
#include "process.h"

#define CLOCK_PAGE 0x30400000u   /* where init maps the RTC for the one read */
#define RTC_DR 0x00u             /* PL031 data register: seconds */

void clock_read(struct init *init)
{
    uint32_t base = init->bootinfo->rtc_base, frame;
    if (base == 0) {
        printf("init: the platform has no real-time clock: guests' clocks start at 1970\n");
        return;
    }
    int error = opal_alloc_device_frame(base, &frame);
    if (error == OPAL_OK)
        error = process_map_frame_with(frame, OPAL_CAP_INIT_VSPACE, CLOCK_PAGE, OPAL_MAP_READ,
                                       OPAL_MAP_DEVICE);
    if (error != OPAL_OK) {
        printf("init: the real-time clock at 0x%08x: %s; guests' clocks start at 1970\n",
               (unsigned)base, opal_error_name(error));
        return;
    }
    init->rtc_seconds = *(volatile const uint32_t *)CLOCK_PAGE;
    init->rtc_counter = opal_counter();
    opal_frame_unmap(frame);
    opal_free_slot(frame);
}
