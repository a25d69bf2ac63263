/* The critical control task's contract with whoever starts it: the CSpace it
 * expects, its start argument and the scheduling parameters it was sized for. */
#ifndef APPS_CTRL_CTRL_H
#define APPS_CTRL_CTRL_H

#include "opal.h"
#include "task_boot.h"

/* Its CSpace and address space are a native task's (lib/task_boot.h); of
 * those caps it uses:
 *   TASK_SLOT_INTERRUPTS      what it waits on: its timer interrupt
 *   TASK_SLOT_CHANNELS        what its channels' peers signal: polled once a
 *                             period, so a peer cannot wake it more often
 *   TASK_SLOT_IRQ_FIRST       the IRQ handler of OPAL_TIMER_IRQ (30); the task
 *                             binds it to the notification itself
 *   TASK_SLOT_CONSOLE_*       a console connection (docs/console.md), if any;
 *                             without one it prints with the kernel's debug write,
 *                             if TASK_SLOT_DEBUG holds a Debug cap (the ctrl test's)
 *   TASK_SLOT_CHANNEL_FIRST+k channel k's peer
 * and the boot info page, which names its channels. Nothing else reaches it. */
#define CTRL_SLOT_TIMER_NOTIFICATION TASK_SLOT_INTERRUPTS
#define CTRL_SLOT_TIMER_IRQ          TASK_SLOT_IRQ_FIRST

/* Start arguments (the boot info's arguments[]): the period in
 * microseconds, the seconds between reports; absent or 0 means the default. A report covers the periods since the
 * previous one. */
#define CTRL_DEFAULT_PERIOD_US 1000u
#define CTRL_MIN_PERIOD_US 100u     /* outside [min, max] it prints why and exits */
#define CTRL_MAX_PERIOD_US 1000000u
#define CTRL_DEFAULT_REPORT_SECONDS 1u
#define CTRL_MAX_REPORT_SECONDS 3600u

/* A channel's shared region, as ctrl uses it (docs/configuration.md): the
 * peer writes a request (sequence, value) and signals; after its next
 * period's work ctrl answers with value + 1 under the same sequence and
 * signals back. At each report ctrl also publishes its totals there and
 * signals. A peer's signals cost ctrl one poll per period however many
 * there are, and its lines about them are printed only when the console has
 * room, so a peer cannot make it miss a deadline. */
struct ctrl_channel_page {
    volatile uint32_t request_sequence, request_value;
    volatile uint32_t reply_sequence, reply_value;
    volatile uint32_t periods, misses;       /* low 32 bits of the totals */
};

/* What a starter should give it: a priority above every VM and VMM, and a
 * budget that covers one period's work plus a report line with margin. */
#define CTRL_PRIORITY 250u
#define CTRL_BUDGET_US 200u
#define CTRL_BUDGET_PERIOD_US 1000u

/* The starter (apps/ctrl/start.c) for a root task without a system
 * description (tests/system/ctrl): loads "ctrl" from the boot archive into
 * its own VSpace, gives it a task CSpace with just the timer caps and a boot
 * info page naming no channels, and starts it on its own scheduling context.
 * Objects come from lib/alloc.c. Prints what failed and returns the error. */
int ctrl_start(const struct opal_bootinfo *bootinfo, uint32_t period_us, uint32_t report_seconds);

#endif
