/* The control task's channels: see struct ctrl_channel_page in ctrl.h. */
#ifndef APPS_CTRL_CHANNELS_H
#define APPS_CTRL_CHANNELS_H

#include <stdint.h>
#include "task_boot.h"

void channels_init(const struct task_boot_info *info);
/* Answers the requests of the channels whose peers signalled since the
 * last call (a poll: it never waits). */
void channels_serve(void);
/* Writes the totals into every channel and signals each peer. */
void channels_publish(uint64_t periods, uint64_t misses);

#endif
