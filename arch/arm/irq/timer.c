/* The HYP physical timer (CNTHP): one deadline at a time, in generic-counter
 * ticks, for time slices now and timeouts later. */
#include "arch/cp15.h"
#include "arm.h"
#include "kernel.h"
#include "platform.h"

#define CNTHP_CTL_ENABLE (1u << 0)

static uint32_t frequency;

void timer_init(void)
{
    frequency = cntfrq_read();
    cnthp_ctl_write(0);
    gic_enable(platform.hyp_timer_irq);
}

uint32_t arch_timer_frequency(void)
{
    return frequency;
}

uint64_t arch_timer_now(void)
{
    isb();
    return cntpct_read();
}

void arch_timer_set_deadline(uint64_t deadline)
{
    cnthp_cval_write(deadline);
    cnthp_ctl_write(CNTHP_CTL_ENABLE);
    isb();
}

/* The timer's output is level: turn it off until the next deadline is set. */
void timer_handle_irq(void)
{
    cnthp_ctl_write(0);
    isb();
    timeslice_tick();
}
