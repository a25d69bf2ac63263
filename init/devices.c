/* Device frames, taken in address order before anything is built: device
 * untypeds are carved in order, so a frame asked for after a higher one
 * could not be had. Later requests (opal_alloc_device_frame) get copies. */
#include "init.h"

#define PAGE 0x1000u
#define MAX_PAGES 64

static uint32_t pages[MAX_PAGES];
static uint32_t page_count;
static bool too_many;

static void add_range(uint32_t base, uint32_t size)
{
    for (uint32_t page = base; page - base < size; page += PAGE) {
        if (page_count == MAX_PAGES)
            too_many = true;
        else
            pages[page_count++] = page;
    }
}

/* Insertion sort: a few dozen pages. */
static void sort_pages(void)
{
    for (uint32_t i = 1; i < page_count; i++)
        for (uint32_t j = i; j > 0 && pages[j - 1] > pages[j]; j--) {
            uint32_t page = pages[j];
            pages[j] = pages[j - 1];
            pages[j - 1] = page;
        }
}

int devices_prepare(void)
{
    page_count = 0;
    if (init_system.vm_count > 0)
        add_range(init_bootinfo->gicv_base, 2 * PAGE);   /* the GIC's virtual CPU interface */
    add_range(init_bootinfo->uart_base, PAGE);           /* the console server's */
    for (uint32_t i = 0; i < init_component_count; i++) {
        const struct system_component *config = init_components[i].config;
        for (uint32_t d = 0; d < config->device_count; d++)
            add_range(config->devices[d].base, config->devices[d].size);
    }
    if (too_many) {
        printf("init: the system uses more than %u device pages\n", MAX_PAGES);
        return OPAL_ERR_RANGE;
    }
    sort_pages();
    for (uint32_t i = 0; i < page_count; i++) {
        uint32_t frame;
        if (i > 0 && pages[i] == pages[i - 1])
            continue;
        int error = opal_alloc_device_frame(pages[i], &frame);
        if (error == OPAL_OK)
            error = opal_free_slot(frame);   /* the allocator keeps the original */
        if (error != OPAL_OK) {
            printf("init: the device page at 0x%08x: %s\n", (unsigned)pages[i],
                   opal_error_name(error));
            return error;
        }
    }
    return OPAL_OK;
}
