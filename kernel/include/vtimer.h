/* Virtual timers of vCPUs whose state is not in the CPU ("parked"): the
 * kernel keeps their deadlines and, when one passes, injects the timer
 * interrupt as the hardware path would, so an idle guest switched out for
 * another still wakes on time. */
#ifndef KERNEL_VTIMER_H
#define KERNEL_VTIMER_H

#include <stdint.h>

struct vcpu;

/* No timer parked (boot; host tests between cases). */
void vtimer_init(void);
/* The vCPU's saved timer state changed or it was just taken off the CPU:
 * park it if its timer is enabled, unmasked and bound for direct injection
 * (SetVtimerIRQ), else make sure it is not parked. */
void vtimer_save(struct vcpu *vcpu);
/* Its state goes into the CPU (the hardware timer takes over), or it is
 * unbound or deleted. */
void vtimer_unpark(struct vcpu *vcpu);
/* The earliest deadline parked on this core in physical counter ticks,
 * UINT64_MAX if none: kept up to date, as every slowpath switch reads it. */
uint64_t vtimer_next_deadline(void);
/* Fire every parked timer whose deadline is at or before `now`. */
void vtimer_expire(uint64_t now);

#endif
