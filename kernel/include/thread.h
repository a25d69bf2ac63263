/* Threads: the schedulable unit. The foundation keeps them in a static pool;
 * TCB objects carved from untyped memory take over in the capability layer. */
#ifndef KERNEL_THREAD_H
#define KERNEL_THREAD_H

#include <stdint.h>
#include "arch.h"

enum thread_state {
    THREAD_INACTIVE = 0,  /* slot unused or thread stopped */
    THREAD_RUNNABLE,
};

struct vspace {
    struct arch_vspace arch;
};

struct thread {
    struct arch_context context;  /* saved user registers */
    struct thread *queue_next;    /* ready-queue links */
    struct thread *queue_prev;
    struct vspace *vspace;
    uint32_t id;
    uint8_t priority;
    uint8_t in_queue;
    enum thread_state state;
    uint64_t slice_end;           /* counter value at which its slice runs out */
};

/* A free thread in the pool, initialised to run `entry` in `vspace`. */
struct thread *thread_create(struct vspace *vspace, uint8_t priority, uint32_t entry,
                             uint32_t stack_top, uint32_t argument);
/* Stop a thread for good: off the ready queue, never scheduled again. */
void thread_stop(struct thread *thread);

#endif
