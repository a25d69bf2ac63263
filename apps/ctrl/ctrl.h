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
 *                                 the task binds it to the notification itself
 * and, when it prints through the console server (docs/console.md), with
 * its ring mapped at CTRL_CONSOLE_RING_ADDRESS:
 *   CTRL_SLOT_CONSOLE_SERVER      the server's notification (write right)
 *   CTRL_SLOT_CONSOLE_WAIT        what the server signals when the ring has
 *                                 room again (read right)
 * Without them it prints with the kernel's debug write. Nothing in it
 * reaches a VM: the console server is the only peer. */
#define CTRL_CNODE_BITS 4
#define CTRL_CNODE_GUARD OPAL_CNODE_GUARD(32 - CTRL_CNODE_BITS, 0)
enum ctrl_slot {
    CTRL_SLOT_NULL = 0,
    CTRL_SLOT_TIMER_NOTIFICATION = 1,
    CTRL_SLOT_TIMER_IRQ = 2,
    CTRL_SLOT_CONSOLE_SERVER = 3,
    CTRL_SLOT_CONSOLE_WAIT = 4,
};
#define CTRL_CONSOLE_RING_ADDRESS 0x00300000u

/* A console connection as caps in the starter's CSpace: the ring's frame,
 * the server's notification badged for ctrl, and the notification the
 * server signals. The starter moves all three into the task. */
struct ctrl_console {
    uint32_t ring_frame, server, wait;
};

/* Start argument (r0): CTRL_ARGUMENT(period in microseconds, seconds
 * between reports); 0 in either field means its default. A report covers
 * the periods since the previous one. */
#define CTRL_ARGUMENT(period_us, report_seconds) ((period_us) | (uint32_t)(report_seconds) << 24)
#define CTRL_ARGUMENT_PERIOD_US(argument) ((argument) & 0xffffffu)
#define CTRL_ARGUMENT_REPORT_SECONDS(argument) ((argument) >> 24)
#define CTRL_DEFAULT_PERIOD_US 1000u
#define CTRL_MIN_PERIOD_US 100u     /* outside [min, max] it prints why and exits */
#define CTRL_MAX_PERIOD_US 1000000u
#define CTRL_DEFAULT_REPORT_SECONDS 1u
#define CTRL_MAX_REPORT_SECONDS 255u

/* What a starter should give it: a priority above every VM and VMM, and a
 * budget that covers one period's work plus a report line with margin. */
#define CTRL_PRIORITY 250u
#define CTRL_BUDGET_US 200u
#define CTRL_BUDGET_PERIOD_US 1000u

/* The starter (apps/ctrl/start.c, linked into whoever starts it): loads
 * "ctrl" from the boot archive into its own VSpace, gives it a fresh CSpace
 * holding exactly the caps above (the caller keeps no copy, so nothing else
 * reaches the task) and starts it at CTRL_PRIORITY on its own scheduling
 * context. `console` may be NULL (no console connection). Objects come from
 * lib/alloc.c. Prints what failed and returns the error. */
int ctrl_start(const struct opal_bootinfo *bootinfo, uint32_t argument,
               const struct ctrl_console *console);

#endif
