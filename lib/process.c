/* Loading an ELF image (e.g. from the boot archive) into a new address space
 * and starting a thread in it: what init and the benchmarks use to make
 * components that share no memory with their creator. */
#include "core/elf.h"
#include "opal.h"
#include "process.h"
#include "runtime/mem.h"

#define PAGE_SIZE 4096u
#define SCRATCH_ADDRESS 0x3ff00000u  /* where the loader maps a frame to fill it */

/* Map a frame, making the page tables on the way if they are missing. */
int process_map_frame(uint32_t frame, uint32_t vspace, uint32_t address, uint32_t rights)
{
    return process_map_frame_with(frame, vspace, address, rights, OPAL_MAP_CACHED);
}

int process_map_frame_with(uint32_t frame, uint32_t vspace, uint32_t address, uint32_t rights,
                           uint32_t attributes)
{
    for (int tables = 0; tables <= 2; tables++) {
        int error = opal_frame_map(frame, vspace, address, rights, attributes);
        if (error != OPAL_ERR_FAILED_LOOKUP)
            return error;
        uint32_t table;
        if ((error = opal_alloc_object(OPAL_OBJECT_PAGE_TABLE, 0, &table)) != OPAL_OK ||
            (error = opal_page_table_map(table, vspace, address)) != OPAL_OK)
            return error;
    }
    return OPAL_ERR_FAILED_LOOKUP;
}

/* A new frame filled through the scratch mapping, then mapped at `address`:
 * the segment's file bytes that fall in this page, zeros around them. */
static int load_page(uint32_t vspace, uint32_t address, uint32_t rights, const uint8_t *image,
                     const struct elf_segment *segment)
{
    uint32_t frame;
    int error = opal_alloc_object(OPAL_OBJECT_FRAME, 12, &frame);
    if (error == OPAL_OK)
        error = process_map_frame(frame, OPAL_CAP_INIT_VSPACE, SCRATCH_ADDRESS,
                                  OPAL_MAP_READ | OPAL_MAP_WRITE);
    if (error != OPAL_OK)
        return error;
    uint8_t *scratch = (uint8_t *)SCRATCH_ADDRESS;
    uint32_t file_end = segment->vaddr + segment->filesz;
    uint32_t first = address > segment->vaddr ? address : segment->vaddr;
    uint32_t end = file_end < address + PAGE_SIZE ? file_end : address + PAGE_SIZE;
    memset(scratch, 0, PAGE_SIZE);
    if (first < end)
        memcpy(scratch + (first - address), image + segment->offset + (first - segment->vaddr),
               end - first);
    opal_frame_unmap(frame);
    return process_map_frame(frame, vspace, address, rights);
}

static uint32_t map_rights(uint32_t flags)
{
    return (flags & ELF_PF_R ? OPAL_MAP_READ : 0) | (flags & ELF_PF_W ? OPAL_MAP_WRITE : 0) |
           (flags & ELF_PF_X ? OPAL_MAP_EXECUTE : 0);
}

static int map_fresh(uint32_t vspace, uint32_t address, uint32_t *frame)
{
    int error = opal_alloc_object(OPAL_OBJECT_FRAME, 12, frame);
    return error != OPAL_OK ? error
                            : process_map_frame(*frame, vspace, address,
                                                OPAL_MAP_READ | OPAL_MAP_WRITE);
}

int process_load(const void *image, uint32_t size, uint32_t stack_size, struct process *process)
{
    struct elf_info elf;
    int error = elf_inspect(image, size, PROCESS_IMAGE_BASE, PROCESS_IMAGE_END - 1, &elf);
    if (error != OPAL_OK)
        return error;
    if ((error = opal_alloc_object(OPAL_OBJECT_VSPACE, 0, &process->vspace)) != OPAL_OK)
        return error;
    for (unsigned i = 0; i < elf.segment_count; i++) {
        const struct elf_segment *segment = &elf.segments[i];
        uint32_t first = segment->vaddr & ~(PAGE_SIZE - 1);
        for (uint32_t page = first; page < segment->vaddr + segment->memsz; page += PAGE_SIZE) {
            error = load_page(process->vspace, page, map_rights(segment->flags), image, segment);
            if (error != OPAL_OK)
                return error;
        }
    }
    uint32_t frame;
    uint32_t stack_pages = stack_size ? (stack_size + PAGE_SIZE - 1) / PAGE_SIZE
                                      : PROCESS_STACK_PAGES;
    if (stack_pages > PROCESS_STACK_MAX / PAGE_SIZE)
        return OPAL_ERR_RANGE;
    for (uint32_t page = PROCESS_STACK_TOP - stack_pages * PAGE_SIZE;
         page < PROCESS_STACK_TOP; page += PAGE_SIZE) {
        if ((error = map_fresh(process->vspace, page, &frame)) != OPAL_OK)
            return error;
    }
    if ((error = map_fresh(process->vspace, PROCESS_IPC_BUFFER, &process->ipc_frame)) != OPAL_OK)
        return error;
    process->entry = elf.entry;
    return OPAL_OK;
}

int process_start(struct process *process, const struct process_start *start)
{
    const uint32_t *r = start->arguments;
    int error;
    if ((error = opal_alloc_object(OPAL_OBJECT_TCB, 0, &process->tcb)) ||
        (error = opal_alloc_object(OPAL_OBJECT_SCHED_CONTEXT, 0, &process->sched_context)) ||
        (error = opal_tcb_configure(process->tcb, start->fault_endpoint, start->cspace,
                                    process->vspace, PROCESS_IPC_BUFFER, process->ipc_frame)) ||
        (error = opal_tcb_set_priority(process->tcb, OPAL_CAP_INIT_TCB, start->priority)) ||
        (error = opal_sched_control_configure(OPAL_CAP_SCHED_CONTROL, process->sched_context,
                                              start->budget_us, start->period_us)) ||
        (error = opal_tcb_set_sched_context(process->tcb, process->sched_context)) ||
        (error = opal_tcb_set_core(process->tcb, start->core)) ||
        (error = opal_tcb_write_registers(process->tcb, process->entry, PROCESS_STACK_TOP,
                                          r[0], r[1], r[2], r[3])))
        return error;
    return opal_tcb_resume(process->tcb);
}
