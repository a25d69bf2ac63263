/* The critical control task's contract with whoever starts it: the CSpace it
 * expects, its start argument and the scheduling parameters it was sized for. */
#ifndef APPS_CTRL_CTRL_H
#define APPS_CTRL_CTRL_H

#include "opal.h"

/* Its CSpace root: one CNode of 2^CTRL_CNODE_BITS slots whose cap carries a
 * zero guard of the remaining bits, so CPtrs resolve all 32 bits in one
 * level and a CPtr is a slot number (the kernel's fastpath case). The task
 * needs these caps and nothing else; every other slot stays empty:
 *   CTRL_SLOT_TIMER_NOTIFICATION  a notification (read right suffices)
 *   CTRL_SLOT_TIMER_IRQ           the IRQ handler for OPAL_TIMER_IRQ (30);
 *                                 the task binds it to the notification itself */
#define CTRL_CNODE_BITS 4
#define CTRL_CNODE_GUARD OPAL_CNODE_GUARD(32 - CTRL_CNODE_BITS, 0)
enum ctrl_slot {
    CTRL_SLOT_NULL = 0,
    CTRL_SLOT_TIMER_NOTIFICATION = 1,
    CTRL_SLOT_TIMER_IRQ = 2,
};

/* Start argument (r0): the control period in microseconds; 0 means
 * CTRL_DEFAULT_PERIOD_US. Reports come once per second of periods. */
#define CTRL_DEFAULT_PERIOD_US 1000u
#define CTRL_MIN_PERIOD_US 100u     /* outside [min, max] it prints why and exits */
#define CTRL_MAX_PERIOD_US 1000000u

/* What a starter should give it: a priority above every VM and VMM, and a
 * budget that covers one period's work plus a report line with margin. */
#define CTRL_PRIORITY 250u
#define CTRL_BUDGET_US 200u
#define CTRL_BUDGET_PERIOD_US 1000u

#endif
