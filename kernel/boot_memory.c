/* A bump allocator over free RAM, alive only while the kernel boots. */
#include <stdbool.h>
#include "boot_memory.h"
#include "config.h"
#include "log.h"

static paddr_t next_free, end_free;
static bool sealed;

void boot_memory_init(paddr_t start, paddr_t end)
{
    next_free = (start + CONFIG_PAGE_SIZE - 1) & ~(CONFIG_PAGE_SIZE - 1);
    end_free = end & ~(CONFIG_PAGE_SIZE - 1);
}

paddr_t boot_memory_alloc_pages(size_t count)
{
    if (sealed)
        panic("boot memory allocation after boot (%u pages)", (unsigned)count);
    if (count > (end_free - next_free) / CONFIG_PAGE_SIZE)
        panic("out of boot memory: %u pages wanted, %u left", (unsigned)count,
              (unsigned)((end_free - next_free) / CONFIG_PAGE_SIZE));
    paddr_t pages = next_free;
    next_free += count * CONFIG_PAGE_SIZE;
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
