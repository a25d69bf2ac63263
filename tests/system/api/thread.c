/* Worker threads for tests: TCBs retyped from untyped, configured with the
 * root CSpace and VSpace, a pooled stack and an IPC buffer of their own. */
#include "test.h"

#define STACKS 8
#define STACK_SIZE 8192
#define SCHED_PERIOD_US 10000

static uint8_t stacks[STACKS][STACK_SIZE] __attribute__((aligned(8)));
static bool stack_used[STACKS];

static uint8_t *stack_take(void)
{
    for (unsigned i = 0; i < STACKS; i++) {
        if (!stack_used[i]) {
            stack_used[i] = true;
            return stacks[i];
        }
    }
    test_fail(__FILE__, __LINE__, "a free worker stack", 0, 1);
}

void thread_stacks_release(void)
{
    for (unsigned i = 0; i < STACKS; i++) {
        if (stack_used[i])
            opal_ipc_buffer_unregister(stacks[i]);
        stack_used[i] = false;
    }
}

void thread_trampoline(uint32_t argument, void (*entry)(uint32_t))
{
    entry(argument);
    opal_exit(0);
}

void thread_create(struct test_thread *thread, uint32_t priority)
{
    /* The frame first: cleanup deletes newest first, so the TCB goes before
     * its IPC buffer and scheduling context. */
    thread->ipc_address = test_new_mapped_frame(&thread->ipc_frame);
    thread->sched_context = test_object(OPAL_OBJECT_SCHED_CONTEXT, 0);
    thread->tcb = test_object(OPAL_OBJECT_TCB, 0);
    CHECK_OK(opal_sched_control_configure(OPAL_CAP_SCHED_CONTROL, thread->sched_context,
                                          SCHED_PERIOD_US, SCHED_PERIOD_US));
    CHECK_OK(opal_tcb_configure(thread->tcb, 0, ROOT_CNODE, ROOT_VSPACE, thread->ipc_address,
                                thread->ipc_frame));
    CHECK_OK(opal_tcb_set_sched_context(thread->tcb, thread->sched_context));
    CHECK_OK(opal_tcb_set_priority(thread->tcb, OPAL_CAP_INIT_TCB, priority));
    thread->stack_low = stack_take();
    thread->stack_high = thread->stack_low + STACK_SIZE;
    CHECK_OK(opal_ipc_buffer_register(thread->stack_low, thread->stack_high,
                                      (struct opal_ipc_buffer *)thread->ipc_address));
}

void thread_start(struct test_thread *thread, void (*entry)(uint32_t), uint32_t argument)
{
    CHECK_OK(opal_tcb_write_registers(thread->tcb, (uint32_t)thread_trampoline,
                                      (uint32_t)thread->stack_high, argument, (uint32_t)entry, 0,
                                      0));
    CHECK_OK(opal_tcb_resume(thread->tcb));
}

void thread_spawn(struct test_thread *thread, uint32_t priority, void (*entry)(uint32_t),
                  uint32_t argument)
{
    thread_create(thread, priority);
    thread_start(thread, entry, argument);
}
