/* The control task's channels: see struct ctrl_channel_page in ctrl.h. */
#ifndef APPS_CTRL_CHANNELS_H
#define APPS_CTRL_CHANNELS_H

#include <stdint.h>
#include "task_boot.h"

void channels_init(const struct task_boot_info *info);
/* Answers the requests of the channels whose badges are in `word`. */
void channels_serve(uint32_t word);
/* Writes the totals into every channel and signals each peer. */
void channels_publish(uint64_t periods, uint64_t misses);

#endif
