/* The generic physical timer from PL0 (CNTP_CVAL, CNTP_CTL, CNTFRQ): the
 * kernel lets native threads at it through CNTKCTL.PL0PTEN. */
#include "timer.h"

#define TIMER_ENABLE 1u /* CNTP_CTL.ENABLE with IMASK clear: the interrupt fires */

static void control_write(uint32_t control)
{
    /* The ISB makes the new state take effect before the caller goes on
     * (e.g. acks the interrupt that a stale deadline was raising). */
    __asm__ volatile("mcr p15, 0, %0, c14, c2, 1\n isb" ::"r"(control) : "memory");
}

void opal_timer_set(uint64_t deadline)
{
    __asm__ volatile("mcrr p15, 2, %0, %1, c14" ::"r"((uint32_t)deadline),
                     "r"((uint32_t)(deadline >> 32)));
    control_write(TIMER_ENABLE);
}

void opal_timer_stop(void)
{
    control_write(0);
}

uint64_t opal_timer_deadline(void)
{
    uint32_t low, high;
    __asm__ volatile("mrrc p15, 2, %0, %1, c14" : "=r"(low), "=r"(high));
    return ((uint64_t)high << 32) | low;
}

uint32_t opal_counter_frequency(void)
{
    uint32_t frequency;
    __asm__ volatile("mrc p15, 0, %0, c14, c0, 0" : "=r"(frequency));
    return frequency;
}
