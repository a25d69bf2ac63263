/* The guest's PL031 real-time clock: the platform's time at boot, kept by
 * the generic counter since. */
#ifndef VMM_VRTC_H
#define VMM_VRTC_H

#include <stdbool.h>
#include <stdint.h>

struct vm;

struct vrtc {
    int64_t offset;            /* seconds the guest's writes moved it from the platform's */
    uint32_t match, mask;      /* RTCMR, RTCIMSC: kept; the match never fires (docs/devices.md) */
    uint32_t loaded;           /* RTCLR: the last value written, as it reads back */
};

void vrtc_init(struct vrtc *rtc);
bool vrtc_read(const struct vm *vm, const struct vrtc *rtc, uint32_t offset, uint32_t size,
               uint32_t *value);
bool vrtc_write(const struct vm *vm, struct vrtc *rtc, uint32_t offset, uint32_t size,
                uint32_t value);

#endif
