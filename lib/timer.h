/* The generic physical timer for native programs: one absolute deadline that
 * raises PPI 30 (the virtual timer, PPI 27, belongs to guests). */
#ifndef LIB_TIMER_H
#define LIB_TIMER_H

#include <stdint.h>

/* The interrupt the physical timer raises: ask IRQ control for this one. */
#define OPAL_TIMER_IRQ 30

/* Deadlines are absolute counts of the generic counter, the one opal_counter()
 * (lib/opal.h) reads: native threads see no offset, so both views agree.
 *
 * The timer's output is a level: it stays asserted while the count is at or
 * past an enabled deadline. A handler therefore moves the deadline forward
 * (opal_timer_set) or stops the timer before it acks the interrupt, or the
 * interrupt comes straight back. The timer is one per CPU, not per thread:
 * one program on the CPU should own it (the one holding the IRQ handler). */
void opal_timer_set(uint64_t deadline);
void opal_timer_stop(void);
/* The deadline last set: what a handler compares its wake-up time to. */
uint64_t opal_timer_deadline(void);
/* Counter ticks per second (CNTFRQ), for programs started without boot info. */
uint32_t opal_counter_frequency(void);

#endif
