/* Processes: an ELF image in its own VSpace with a stack (16 KiB by default)
 * below 0x00200000 and an IPC buffer page at 0x00101000, plus one thread. */
#ifndef LIB_PROCESS_H
#define LIB_PROCESS_H

#include <stdint.h>

#define PROCESS_STACK_PAGES 4

/* Its address space: the IPC buffer page, the stack from at most the page
 * after it up to PROCESS_STACK_TOP, and the program's segments within
 * [PROCESS_IMAGE_BASE, PROCESS_IMAGE_END). */
#define PROCESS_IPC_BUFFER 0x00101000u
#define PROCESS_STACK_TOP  0x00200000u
#define PROCESS_STACK_MAX  (PROCESS_STACK_TOP - PROCESS_IPC_BUFFER - 0x1000u)
#define PROCESS_IMAGE_BASE 0x00400000u
#define PROCESS_IMAGE_END  0x10000000u

struct process {
    uint32_t vspace, tcb, sched_context, ipc_frame;
    uint32_t entry;
};

/* Build the address space with a stack of stack_size bytes (rounded up to
 * pages, at most PROCESS_STACK_MAX; 0: PROCESS_STACK_PAGES pages); objects
 * come from lib/alloc.c. */
int process_load(const void *image, uint32_t size, uint32_t stack_size, struct process *process);
/* How its thread runs: CSpace root, fault endpoint (a CPtr in that CSpace;
 * 0: none), priority, a sched context of budget_us per period_us, its core
 * (opal_tcb_set_core), and r0..r3. */
struct process_start {
    uint32_t cspace, fault_endpoint;
    uint32_t priority, budget_us, period_us;
    uint32_t core;
    uint32_t arguments[4];
};
int process_start(struct process *process, const struct process_start *start);
/* Map a frame at `address`, retyping page tables as needed. */
int process_map_frame(uint32_t frame, uint32_t vspace, uint32_t address, uint32_t rights);
/* The same with OPAL_MAP_* attributes (e.g. OPAL_MAP_DEVICE). */
int process_map_frame_with(uint32_t frame, uint32_t vspace, uint32_t address, uint32_t rights,
                           uint32_t attributes);

#endif
