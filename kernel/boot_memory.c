/* A bump allocator over free RAM, alive only while the kernel boots. */
#include <stdbool.h>
#include "boot_memory.h"
#include "config.h"
#include "log.h"

static paddr_t next_free, end_free;
static bool sealed;

void boot_memory_init(paddr_t start, paddr_t end)
{
    next_free = pa_make((pa_value(start) + CONFIG_PAGE_SIZE - 1) & ~(CONFIG_PAGE_SIZE - 1));
    end_free = pa_make(pa_value(end) & ~(CONFIG_PAGE_SIZE - 1));
}

paddr_t boot_memory_alloc_pages(size_t count)
{
    if (sealed)
        panic("boot memory allocation after boot (%u pages)", (unsigned)count);
    uint32_t left = pa_difference(next_free, end_free) / CONFIG_PAGE_SIZE;
    if (count > left)
        panic("out of boot memory: %u pages wanted, %u left", (unsigned)count, (unsigned)left);
    paddr_t pages = next_free;
    next_free = pa_add(next_free, (uint32_t)(count * CONFIG_PAGE_SIZE));
    uint32_t *words = arch_phys_to_virt(pages);
    for (size_t i = 0; i < count * CONFIG_PAGE_SIZE / sizeof(uint32_t); i++)
        words[i] = 0;
    return pages;
}

void boot_memory_seal(void)
{
    sealed = true;
}

void boot_memory_remaining(paddr_t *start, paddr_t *end)
{
    *start = next_free;
    *end = end_free;
}
