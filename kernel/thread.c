/* The foundation's static thread pool: no allocation after boot. */
#include <stddef.h>
#include "config.h"
#include "sched.h"
#include "thread.h"

static struct thread pool[CONFIG_MAX_THREADS];
static uint32_t next_id = 1;

struct thread *thread_create(struct vspace *vspace, uint8_t priority, uint32_t entry,
                             uint32_t stack_top, uint32_t argument)
{
    for (unsigned i = 0; i < CONFIG_MAX_THREADS; i++) {
        struct thread *thread = &pool[i];
        if (thread->state != THREAD_INACTIVE)
            continue; /* stopped threads' slots are reused */
        *thread = (struct thread){ .vspace = vspace, .id = next_id++, .priority = priority,
                                   .state = THREAD_RUNNABLE };
        arch_context_init_user(&thread->context, entry, stack_top, argument);
        return thread;
    }
    return NULL;
}

void thread_stop(struct thread *thread)
{
    sched_dequeue(thread);
    thread->state = THREAD_INACTIVE;
}
