/* Processes: an ELF image in its own VSpace with a stack (16 KiB below
 * 0x00200000) and an IPC buffer page at 0x00101000, plus one thread. */
#ifndef LIB_PROCESS_H
#define LIB_PROCESS_H

#include <stdint.h>

#define PROCESS_STACK_PAGES 4

struct process {
    uint32_t vspace, tcb, sched_context, ipc_frame;
    uint32_t entry;
};

/* Build the address space; objects come from lib/alloc.c. */
int process_load(const void *image, uint32_t size, struct process *process);
/* Start its thread with `cspace` as CSpace root, r0 = argument. */
int process_start(struct process *process, uint32_t cspace, uint32_t priority,
                  uint32_t budget_us, uint32_t period_us, uint32_t argument);
/* Map a frame at `address`, retyping page tables as needed. */
int process_map_frame(uint32_t frame, uint32_t vspace, uint32_t address, uint32_t rights);
/* The same with OPAL_MAP_* attributes (e.g. OPAL_MAP_DEVICE). */
int process_map_frame_with(uint32_t frame, uint32_t vspace, uint32_t address, uint32_t rights,
                           uint32_t attributes);

#endif
