/* The one system-call decode path: number -> handler. Each handler checks
 * every argument before it changes anything. */
#include <stddef.h>
#include "opal/error.h"
#include "opal/syscall.h"
#include "arch.h"
#include "config.h"
#include "kernel.h"
#include "log.h"
#include "sched.h"

typedef void (*syscall_handler)(struct thread *thread);

static uint32_t argument(struct thread *thread, unsigned index)
{
    return arch_context_get(&thread->context, index);
}

static void set_result(struct thread *thread, unsigned index, uint32_t value)
{
    arch_context_set(&thread->context, index, value);
}

static void sys_yield(struct thread *thread)
{
    set_result(thread, 0, OPAL_OK);
    thread->slice_end = 0;
    sched_rotate_current();
}

/* Copy the user's bytes page by page through its own stage-2 mapping, so a
 * thread can only print what it can read. Checked whole before printing. */
static void sys_debug_write(struct thread *thread)
{
    uint32_t address = argument(thread, 0), length = argument(thread, 1);

    if (length > OPAL_DEBUG_WRITE_MAX) {
        set_result(thread, 0, OPAL_ERR_RANGE);
        return;
    }
    if (address + length < address) {
        set_result(thread, 0, OPAL_ERR_INVALID_ARGUMENT);
        return;
    }
    paddr_t physical;
    for (uint32_t offset = 0; offset < length;) {
        uint32_t page_left = CONFIG_PAGE_SIZE - ((address + offset) % CONFIG_PAGE_SIZE);
        if (!arch_vspace_translate(&thread->vspace->arch, address + offset, VSPACE_READ,
                                   &physical)) {
            set_result(thread, 0, OPAL_ERR_INVALID_ARGUMENT);
            return;
        }
        offset += page_left;
    }
    for (uint32_t offset = 0; offset < length;) {
        uint32_t chunk = CONFIG_PAGE_SIZE - ((address + offset) % CONFIG_PAGE_SIZE);
        if (chunk > length - offset)
            chunk = length - offset;
        arch_vspace_translate(&thread->vspace->arch, address + offset, VSPACE_READ, &physical);
        log_bytes(arch_phys_to_virt(physical), chunk);
        offset += chunk;
    }
    set_result(thread, 0, OPAL_OK);
}

static void sys_debug_exit(struct thread *thread)
{
    log("thread %u exited", thread->id);
    thread_stop(thread);
}

static void sys_debug_thread_start(struct thread *thread)
{
    struct thread *child = thread_create(thread->vspace, thread->priority, argument(thread, 0),
                                         argument(thread, 1), argument(thread, 2));
    if (child == NULL) {
        set_result(thread, 0, OPAL_ERR_NOT_ENOUGH_MEMORY);
        return;
    }
    sched_enqueue(child);
    set_result(thread, 0, OPAL_OK);
    set_result(thread, 1, child->id);
}

static void sys_debug_system_off(struct thread *thread)
{
    log("thread %u powered the system off", thread->id);
    arch_system_off();
}

static const syscall_handler handlers[] = {
    [OPAL_SYS_YIELD] = sys_yield,
    [OPAL_SYS_DEBUG_WRITE] = sys_debug_write,
    [OPAL_SYS_DEBUG_EXIT] = sys_debug_exit,
    [OPAL_SYS_DEBUG_THREAD_START] = sys_debug_thread_start,
    [OPAL_SYS_DEBUG_SYSTEM_OFF] = sys_debug_system_off,
};

bool syscall_handle(struct thread *thread, uint32_t number)
{
    if (number >= sizeof handlers / sizeof handlers[0] || handlers[number] == NULL)
        return false;
    handlers[number](thread);
    return true;
}
