/* Device frames, taken in address order before anything is built: device
 * untypeds are carved in order, so a frame asked for after a higher one
 * could not be had. Later requests (opal_alloc_device_frame) get copies. */
#include "init.h"

#define PAGE 0x1000u
#define MAX_PAGES 64

/* The pages the system uses, gathered before they are taken. */
struct device_pages {
    uint32_t page[MAX_PAGES];
    uint32_t count;
    bool too_many;
};

static void add_range(struct device_pages *pages, uint32_t base, uint32_t size)
{
    for (uint32_t page = base; page - base < size; page += PAGE) {
        if (pages->count == MAX_PAGES)
            pages->too_many = true;
        else
            pages->page[pages->count++] = page;
    }
}

/* Insertion sort: a few dozen pages. */
static void sort_pages(struct device_pages *pages)
{
    uint32_t *page = pages->page;
    for (uint32_t i = 1; i < pages->count; i++)
        for (uint32_t j = i; j > 0 && page[j - 1] > page[j]; j--) {
            uint32_t swap = page[j];
            page[j] = page[j - 1];
            page[j - 1] = swap;
        }
}

/* Every page, once, in address order; the allocator keeps the original. */
static int take_pages(const struct device_pages *pages)
{
    for (uint32_t i = 0; i < pages->count; i++) {
        uint32_t frame;
        if (i > 0 && pages->page[i] == pages->page[i - 1])
            continue;
        int error = opal_alloc_device_frame(pages->page[i], &frame);
        if (error == OPAL_OK)
            error = opal_free_slot(frame);
        if (error != OPAL_OK) {
            printf("init: the device page at 0x%08x: %s\n", (unsigned)pages->page[i],
                   opal_error_name(error));
            return error;
        }
    }
    return OPAL_OK;
}

int devices_prepare(const struct init *init)
{
    const struct opal_bootinfo *bootinfo = init->bootinfo;
    struct device_pages pages = { .count = 0 };
    if (init->system.vm_count > 0)
        add_range(&pages, bootinfo->gicv_base, 2 * PAGE);   /* the GIC's virtual CPU interface */
    add_range(&pages, bootinfo->uart_base, PAGE);           /* the console server's */
    if (bootinfo->rtc_base != 0)
        add_range(&pages, bootinfo->rtc_base, PAGE);        /* read once: clock.c */
    for (uint32_t i = 0; i < init->component_count; i++) {
        const struct system_component *config = init->components[i].config;
        for (uint32_t d = 0; d < config->device_count; d++)
            add_range(&pages, config->devices[d].base, config->devices[d].size);
    }
    if (pages.too_many) {
        printf("init: the system uses more than %u device pages\n", MAX_PAGES);
        return OPAL_ERR_RANGE;
    }
    sort_pages(&pages);
    return take_pages(&pages);
}
