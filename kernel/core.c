/* The cores and the big kernel lock (docs/multicore.md). Every kernel
 * entry takes the lock (kernel_lock_entry, from vectors.S) and every exit
 * to user level releases it (kernel_unlock_exit); an idle core releases it
 * while it waits. The holder may change any core's state in memory; what a
 * core holds in its registers (its user level, a loaded vCPU) the holder
 * gets out of it with an IPI and a request that the core serves while it
 * waits for the lock. */
#include <stddef.h>
#include "arch.h"
#include "core.h"
#include "kernel.h"
#include "platform.h"
#include "sched.h"
#include "vcpu.h"

struct core cores[CONFIG_CORES];

/* A ticket lock: fair, so a core waits for at most the cores ahead of it. */
static volatile uint32_t lock_next, lock_owner;

void core_init(void)
{
    for (unsigned c = 0; c < CONFIG_CORES; c++) {
        cores[c].current = NULL;
        cores[c].depleted = NULL;
        cores[c].in_user = 0;
        cores[c].release_request = NULL;
        cores[c].index = c;
        cores[c].armed = UINT64_MAX;
        cores[c].next_refill = UINT64_MAX;
        cores[c].window_end = UINT64_MAX;
        cores[c].parked_first_deadline = UINT64_MAX;
    }
}

void core_serve_requests(struct core *self)
{
    struct vcpu *vcpu = self->release_request;
    if (vcpu == NULL)
        return;
    arch_vcpu_unload(vcpu);
    __atomic_store_n(&self->release_request, NULL, __ATOMIC_RELEASE);
}

void kernel_lock(struct core *self)
{
    uint32_t ticket = __atomic_fetch_add(&lock_next, 1, __ATOMIC_RELAXED);
    while (__atomic_load_n(&lock_owner, __ATOMIC_ACQUIRE) != ticket) {
        core_serve_requests(self);
        arch_cpu_relax();
    }
}

void kernel_unlock(void)
{
    __atomic_store_n(&lock_owner, lock_owner + 1, __ATOMIC_RELEASE);
}

/* vectors.S, after saving the user context: `syscall` says whether the trap
 * was a system call (for core_stall). The context, or NULL if the thread it
 * belongs to is no longer this core's current one (another core stopped,
 * moved or deleted it while this one waited): then the trap is dropped. */
struct arch_context *kernel_lock_entry(struct core *self, struct arch_context *context,
                                       uint32_t syscall)
{
    self->entry_was_syscall = syscall;
    __atomic_store_n(&self->in_user, 0, __ATOMIC_RELEASE);
    kernel_lock(self);
    return self->current && &self->current->context == context ? context : NULL;
}

/* vectors.S, on the way to user level (the context is chosen). */
void kernel_unlock_exit(struct core *self)
{
    self->in_user = 1;
    kernel_unlock();
}

/* Make `core` enter the kernel if it runs user code: its registers are
 * then saved, and it waits for the lock. */
static void leave_user(struct core *core)
{
    if (!__atomic_load_n(&core->in_user, __ATOMIC_ACQUIRE))
        return;
    arch_send_ipi(core);
    while (__atomic_load_n(&core->in_user, __ATOMIC_ACQUIRE))
        arch_cpu_relax();
}

void core_stall(struct thread *thread)
{
    struct core *core = core_of(thread);
    if (core == core_self() || core->current != thread)
        return;
    leave_user(core);
    /* Its entry is dropped (kernel_lock_entry): a system call it was making
     * is made again when the thread next runs. */
    if (core->entry_was_syscall)
        arch_context_restart_syscall(&thread->context);
    core->current = NULL;
    sched_enqueue(thread);
    core_reschedule(core);
}

void core_stall_vspace(const struct arch_vspace *vspace)
{
    for (unsigned c = 0; c < platform.cores; c++) {
        struct core *core = &cores[c];
        if (core == core_self() || core->arch.stage2_active != vspace)
            continue;
        leave_user(core);
        core->arch.stage2_active = NULL;
    }
}

void core_release_vcpu(struct vcpu *vcpu)
{
    for (unsigned c = 0; c < platform.cores; c++) {
        struct core *core = &cores[c];
        if (core == core_self() || core->arch.vcpu_loaded != vcpu)
            continue;
        __atomic_store_n(&core->release_request, vcpu, __ATOMIC_RELEASE);
        arch_send_ipi(core);
        while (__atomic_load_n(&core->release_request, __ATOMIC_ACQUIRE))
            arch_cpu_relax();
    }
}

void core_reschedule(struct core *core)
{
    if (core != core_self())
        arch_send_ipi(core);
}
