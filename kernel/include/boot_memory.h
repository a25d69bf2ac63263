/* The boot-time page allocator: it hands out RAM while the kernel builds the
 * root task and is sealed before the first user instruction runs. */
#ifndef KERNEL_BOOT_MEMORY_H
#define KERNEL_BOOT_MEMORY_H

#include <stddef.h>
#include "arch.h"

void boot_memory_init(paddr_t start, paddr_t end);
/* `count` zeroed, page-aligned pages; panics when out of memory or sealed. */
paddr_t boot_memory_alloc_pages(size_t count);
/* After this, any allocation panics: the kernel never allocates after boot. */
void boot_memory_seal(void);
/* The range not handed out, for the root task's boot info. */
void boot_memory_remaining(paddr_t *start, paddr_t *end);

#endif
