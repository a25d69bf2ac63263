/* The cores and the big kernel lock (docs/multicore.md). Every kernel
 * entry takes the lock (inline in vectors.S, kernel_lock here) and every
 * exit to user level releases it; an idle core releases it while it
 * waits. The holder may change any core's state in memory; what a core
 * holds in its registers (the thread it runs at user level, a loaded vCPU)
 * the holder gets out of it with a request and an IPI: the core answers
 * while it waits for the lock (kernel_lock_wait). */
#include <stddef.h>
#include "arch.h"
#include "core.h"
#include "kernel.h"
#include "platform.h"
#include "sched.h"
#include "vcpu.h"

struct core cores[CONFIG_CORES];

/* A ticket lock, fair: a core waits for at most the cores ahead of it. The
 * low half is the ticket being served, the high half the next one to hand
 * out; vectors.S takes and releases it inline (the fastpaths' cost). */
union kernel_lock kernel_lock_word;

enum core_request {
    REQUEST_NONE = 0,
    REQUEST_LEAVE_USER,    /* be in the kernel (the holder changes what you run) */
    REQUEST_DROP_ENTRY,    /* the same, and drop the entry: your thread is taken */
    REQUEST_RELEASE_VCPU,  /* put core->request_vcpu's state in memory */
};

void core_init(void)
{
    for (unsigned c = 0; c < CONFIG_CORES; c++) {
        struct core *core = &cores[c];
        core->current = NULL;
        core->depleted = NULL;
        core->request = REQUEST_NONE;
        core->index = c;
        core->fastpath_tag = c + 1;
        core->armed = UINT64_MAX;
        core->next_refill = UINT64_MAX;
        core->window_end = UINT64_MAX;
        core->parked_first_deadline = UINT64_MAX;
    }
}

/* A waiting core answers the holder's request: only its own state and the
 * vCPU the holder named are touched, while the holder spins. True if the
 * entry it waits with is dropped. */
static bool serve_request(struct core *self, uint32_t entry_syndrome)
{
    uint32_t request = __atomic_load_n(&self->request, __ATOMIC_ACQUIRE);
    if (request == REQUEST_NONE)
        return false;
    if (request == REQUEST_RELEASE_VCPU)
        arch_vcpu_unload(self->request_vcpu);
    self->request_answer = arch_syndrome_is_syscall(entry_syndrome);
    __atomic_store_n(&self->request, REQUEST_NONE, __ATOMIC_RELEASE);
    return request == REQUEST_DROP_ENTRY;
}

/* The lock's slow half: wait for `ticket`, serving requests meanwhile.
 * `entry_syndrome` is the syndrome of the trap the core entered with (0:
 * an interrupt, or no entry). True if that entry is dropped (its thread
 * was taken from this core while it waited). */
bool kernel_lock_wait(struct core *self, uint32_t ticket, uint32_t entry_syndrome)
{
    bool dropped = false;
    while (__atomic_load_n(&kernel_lock_word.owner, __ATOMIC_ACQUIRE) != (uint16_t)ticket) {
        dropped |= serve_request(self, entry_syndrome);
        arch_cpu_relax();
    }
    return dropped;
}

void kernel_lock(struct core *self)
{
    uint32_t old = __atomic_fetch_add(&kernel_lock_word.word, 1u << 16, __ATOMIC_ACQUIRE);
    if ((uint16_t)old != (uint16_t)(old >> 16))
        kernel_lock_wait(self, old >> 16, 0);
}

bool kernel_should_preempt(void)
{
    union kernel_lock lock = { .word = __atomic_load_n(&kernel_lock_word.word, __ATOMIC_RELAXED) };
    return arch_interrupt_pending() || (uint16_t)(lock.next - lock.owner) > 1;
}

void kernel_unlock(void)
{
    __atomic_store_n(&kernel_lock_word.owner, (uint16_t)(kernel_lock_word.owner + 1),
                     __ATOMIC_RELEASE);
}

/* The holder asks `core` and waits for the answer. Every other core is
 * then either in user level (the IPI brings it in), idle (the IPI wakes
 * it) or waiting for the lock: all end in kernel_lock_wait. */
static uint32_t ask(struct core *core, enum core_request request)
{
    __atomic_store_n(&core->request, request, __ATOMIC_RELEASE);
    arch_send_ipi(core);
    while (__atomic_load_n(&core->request, __ATOMIC_ACQUIRE) != REQUEST_NONE)
        arch_cpu_relax();
    return core->request_answer;
}

void core_stall(struct thread *thread)
{
    struct core *core = core_of(thread);
    if (core == core_self() || core->current != thread)
        return;
    /* Its entry is dropped: a system call it was making is made again
     * when the thread next runs. */
    if (ask(core, REQUEST_DROP_ENTRY))
        arch_context_restart_syscall(&thread->context);
    core->current = NULL;
    sched_enqueue(thread);
}

void core_stall_vspace(const struct arch_vspace *vspace)
{
    for (unsigned c = 0; c < platform.cores; c++) {
        struct core *core = &cores[c];
        if (core == core_self() || core->arch.stage2_active != vspace)
            continue;
        ask(core, REQUEST_LEAVE_USER);
        core->arch.stage2_active = NULL;
    }
}

void core_stall_vspace_slot(const struct slot *slot)
{
    for (unsigned c = 0; c < platform.cores; c++) {
        struct thread *thread = cores[c].current;
        if (thread && &thread->vspace_root == slot)
            core_stall(thread);
    }
}

void core_release_vcpu(struct vcpu *vcpu)
{
    for (unsigned c = 0; c < platform.cores; c++) {
        struct core *core = &cores[c];
        if (core == core_self() || core->arch.vcpu_loaded != vcpu)
            continue;
        core->request_vcpu = vcpu;
        ask(core, REQUEST_RELEASE_VCPU);
    }
}

static bool core_sound(const struct core *core)
{
    const struct vcpu *loaded = core->arch.vcpu_loaded;
    if (core->request != REQUEST_NONE ||
        (core->current && core->current->core != core->index) ||
        (loaded && (loaded->thread == NULL || loaded->thread->core != core->index)))
        return false;
    for (const struct sched_context *c = core->depleted; c; c = c->next_depleted)
        if (!c->depleted || c->core != core->index)
            return false;
    for (const struct vcpu *v = core->parked; v; v = v->vtimer_next)
        if (v->vtimer_core != core->index || v == loaded)
            return false;
    for (unsigned other = 0; other < core->index; other++)
        if (loaded && cores[other].arch.vcpu_loaded == loaded)
            return false;
    return true;
}

bool core_check(void)
{
    for (unsigned c = 0; c < CONFIG_CORES; c++)
        if (!core_sound(&cores[c]))
            return false;
    return true;
}

void core_reschedule(struct core *core)
{
    if (core != core_self())
        arch_send_ipi(core);
}
