/* Shared set-up for kernel unit tests (include after unit.h): a caller whose
 * CSpace is laid out like the root task's, untyped arenas, invocation helpers. */
#ifndef KERNEL_FIXTURE_H
#define KERNEL_FIXTURE_H

#include "opal/bootinfo.h"
#include "opal/error.h"
#include "opal/syscall.h"
#include "arch/fake.h"
#include "kernel.h"
#include "objects.h"
#include "sched.h"
#include "vtimer.h"

#define FIXTURE_ROOT_BITS OPAL_ROOT_CNODE_BITS      /* 4096 slots, 20-bit zero guard */
#define FIXTURE_ROOT_SLOTS (1u << FIXTURE_ROOT_BITS)
#define FIXTURE_ROOT_CPTR OPAL_CAP_INIT_CNODE       /* the root CNode's cap, in itself */
#define FIXTURE_UNTYPED OPAL_CAP_FIRST_FREE         /* the general-purpose untyped */
#define FIXTURE_UNTYPED_BITS 20
#define FIXTURE_THREAD_UNTYPED (OPAL_CAP_FIRST_FREE - 1) /* fixture_thread()'s, apart */
#define FIXTURE_THREAD_UNTYPED_BITS 16
#define FIXTURE_FIRST_NEW 1024                      /* fixture_new() fills slots from here */
#define FIXTURE_MAX_ALLOCATIONS 32

struct fixture {
    struct slot *root;           /* the root CNode's slots */
    struct thread *caller;       /* invokes caps; its CSpace is the root CNode */
    uint32_t next_new;           /* next slot fixture_new() uses */
    void *allocations[FIXTURE_MAX_ALLOCATIONS];
    unsigned allocation_count;
};

static struct fixture fx;

/* A broken fixture is not a finding about the code under test: stop loudly. */
__attribute__((noreturn, format(printf, 1, 2))) UNIT_UNUSED static void fixture_die(
    const char *fmt, ...)
{
    va_list args;
    va_start(args, fmt);
    fprintf(stderr, "kernel fixture: ");
    vfprintf(stderr, fmt, args);
    fprintf(stderr, "\n");
    va_end(args);
    abort();
}

/* 2^bits bytes aligned to their size (as untyped memory is), zeroed; freed
 * by the next fixture_setup(). */
UNIT_UNUSED static void *fixture_alloc(uint32_t bits)
{
    size_t size = (size_t)1 << bits;
    void *memory = aligned_alloc(size, size);
    if (memory == NULL || fx.allocation_count == FIXTURE_MAX_ALLOCATIONS)
        fixture_die("cannot allocate 2^%u bytes", bits);
    memset(memory, 0, size);
    fx.allocations[fx.allocation_count++] = memory;
    return memory;
}

static uint32_t fixture_address(const void *pointer)
{
    return (uint32_t)(uintptr_t)pointer;
}

/* Forget the previous test: the kernel's globals first (they may point into
 * its memory), then the memory itself. */
static void fixture_release(void)
{
    if (fx.allocation_count > 0)
        sched_context_refill(UINT64_MAX); /* empties the depleted list */
    core_init();
    sched_init();
    vtimer_init();
    cdt_sentinel = (struct slot){ 0 }; /* forget the boot caps */
    while (fx.allocation_count > 0)
        free(fx.allocations[--fx.allocation_count]);
}

UNIT_UNUSED static struct cap fixture_cnode_cap(struct slot *slots, uint32_t size_bits,
                                                uint32_t guard_bits, uint32_t guard)
{
    struct cap cap = { .type = OPAL_OBJECT_CNODE, .rights = OPAL_RIGHTS_ALL,
                       .size_bits = (uint8_t)size_bits, .object = fixture_address(slots) };
    cap_cnode_set_guard(&cap, guard_bits, guard);
    return cap;
}

/* A cap as the kernel makes them at boot: in root slot `index`, a child
 * of the derivation tree's sentinel. */
UNIT_UNUSED static struct slot *fixture_boot_cap(uint32_t index, struct cap cap)
{
    cdt_insert_child(NULL, &fx.root[index], &cap);
    return &fx.root[index];
}

/* A boot untyped cap over a fresh arena in root slot `index`; device
 * arenas are filled with 0xaa so a test can see the kernel never wrote. */
UNIT_UNUSED static uint8_t *fixture_untyped(uint32_t index, uint32_t size_bits, bool device)
{
    uint8_t *arena = fixture_alloc(size_bits);
    if (device)
        memset(arena, 0xaa, (size_t)1 << size_bits);
    struct cap cap = { .type = OPAL_OBJECT_UNTYPED, .rights = OPAL_RIGHTS_ALL,
                       .size_bits = (uint8_t)size_bits, .object = fixture_address(arena) };
    cap_untyped_set_device(&cap, device);
    fixture_boot_cap(index, cap);
    return arena;
}

/* The root CNode (its own boot cap in slot FIXTURE_ROOT_CPTR, a copy as the
 * caller's CSpace root), a 1 MiB untyped in slot FIXTURE_UNTYPED and a
 * 64 KiB one for threads, so revoking the first leaves threads alone. */
UNIT_UNUSED static void fixture_setup(void)
{
    static bool registered;
    if (!registered && atexit(fixture_release) == 0)
        registered = true;
    fixture_release();
    fake_reset();
    fx.root = fixture_alloc(FIXTURE_ROOT_BITS + OPAL_SLOT_BITS);
    fixture_boot_cap(FIXTURE_ROOT_CPTR,
                     fixture_cnode_cap(fx.root, FIXTURE_ROOT_BITS, 32 - FIXTURE_ROOT_BITS, 0));
    fx.caller = fixture_alloc(OPAL_TCB_BITS);
    thread_init(fx.caller);
    cdt_insert_child(&fx.root[FIXTURE_ROOT_CPTR], &fx.caller->cspace_root,
                     &fx.root[FIXTURE_ROOT_CPTR].cap);
    fixture_untyped(FIXTURE_UNTYPED, FIXTURE_UNTYPED_BITS, false);
    fixture_untyped(FIXTURE_THREAD_UNTYPED, FIXTURE_THREAD_UNTYPED_BITS, false);
    fx.next_new = FIXTURE_FIRST_NEW;
}

/* Invoke the cap in `slot` as fx.caller, with the given arguments. */
UNIT_UNUSED static int fixture_invoke(int (*method)(struct invocation *), struct slot *slot,
                                      uint32_t label, uint32_t *arguments, uint32_t length)
{
    struct invocation invocation = { .caller = fx.caller, .slot = slot, .label = label,
                                     .length = length, .arguments = arguments,
                                     .failed_argument = OPAL_ERROR_ARGUMENT_NONE };
    return method(&invocation);
}

/* Message registers past a message's length hold this plus their index, so
 * a decode that reads them shows. */
#define FIXTURE_POISON 0xdead0000u

/* A Call by fx.caller on the cap at `cptr`, as user level makes it: MR0-3
 * in r2-r5 (poisoned past `length`), the rest in `buffer` (its IPC buffer;
 * NULL for register-only messages), decoded by syscall_handle. Returns r0,
 * the error. */
UNIT_UNUSED static int fixture_call(uint32_t cptr, uint32_t label, const uint32_t *arguments,
                                    uint32_t length, struct opal_ipc_buffer *buffer)
{
    struct arch_context *registers = &fx.caller->context;
    struct thread *previous = current_thread;
    registers->r[0] = cptr;
    registers->r[1] = OPAL_TAG(label, 0, length);
    for (uint32_t i = 0; i < OPAL_MSG_REGISTERS; i++)
        registers->r[2 + i] = i < length ? arguments[i] : FIXTURE_POISON + i;
    for (uint32_t i = OPAL_MSG_REGISTERS; buffer && i < length; i++)
        buffer->mr[i] = arguments[i];
    current_thread = fx.caller;
    if (!syscall_handle(fx.caller, OPAL_SYS_CALL))
        fixture_die("Call is not a system call");
    current_thread = previous;
    return (int)registers->r[0];
}

#define FIXTURE_ARGS(...) (uint32_t[]){ __VA_ARGS__ }
#define FIXTURE_COUNT(...) (uint32_t)(sizeof FIXTURE_ARGS(__VA_ARGS__) / sizeof(uint32_t))
/* INVOKE(untyped_invoke, slot, OPAL_UNTYPED_RETYPE, type, size_bits, ...) */
#define INVOKE(method, slot, label, ...)                                                  \
    fixture_invoke(method, slot, label, FIXTURE_ARGS(__VA_ARGS__), FIXTURE_COUNT(__VA_ARGS__))
/* A method of the root CNode: CNODE(OPAL_CNODE_COPY, index, source, rights). */
#define CNODE(label, ...) INVOKE(cnode_invoke, &fx.root[FIXTURE_ROOT_CPTR], label, __VA_ARGS__)

/* Retype from the untyped in root slot `untyped` into root slots. */
UNIT_UNUSED static int fixture_retype(uint32_t untyped, uint32_t type, uint32_t size_bits,
                                      uint32_t index, uint32_t count)
{
    return INVOKE(untyped_invoke, &fx.root[untyped], OPAL_UNTYPED_RETYPE, type, size_bits,
                  FIXTURE_ROOT_CPTR, index, count);
}

/* One new object from the untyped in root slot `untyped`, in the next free slot. */
UNIT_UNUSED static struct slot *fixture_new_from(uint32_t untyped, uint32_t type,
                                                 uint32_t size_bits)
{
    uint32_t index = fx.next_new++;
    int error = fixture_retype(untyped, type, size_bits, index, 1);
    if (error != OPAL_OK)
        fixture_die("retype of type %u into slot %u: %s", type, index, opal_error_name(error));
    return &fx.root[index];
}

UNIT_UNUSED static struct slot *fixture_new(uint32_t type, uint32_t size_bits)
{
    return fixture_new_from(FIXTURE_UNTYPED, type, size_bits);
}

UNIT_UNUSED static void *fixture_new_object(uint32_t type)
{
    return cap_object(&fixture_new(type, 0)->cap);
}

/* A TCB object at `priority` (caps in two fresh slots, TCB first), bound to
 * a fresh unlimited sched context and resumed, so it sits in the ready queue. */
UNIT_UNUSED static struct thread *fixture_thread(uint8_t priority)
{
    struct thread *thread =
        cap_object(&fixture_new_from(FIXTURE_THREAD_UNTYPED, OPAL_OBJECT_TCB, 0)->cap);
    struct sched_context *context =
        cap_object(&fixture_new_from(FIXTURE_THREAD_UNTYPED, OPAL_OBJECT_SCHED_CONTEXT, 0)->cap);
    context->budget = context->period = context->remaining = FAKE_TIMER_FREQUENCY / 100;
    context->full = 1;
    thread->priority = priority;
    sched_context_bind(context, thread);
    thread_resume(thread);
    if (!thread->in_ready_queue)
        fixture_die("a fixture thread did not become ready");
    return thread;
}

#define FIXTURE_BUFFER_ADDRESS 0x00301200u /* user address; offset 0x200 in its frame */

/* A fresh frame as the thread's IPC buffer; returns the kernel's view of it. */
UNIT_UNUSED static struct opal_ipc_buffer *fixture_ipc_buffer(struct thread *thread)
{
    uint8_t *frame = fixture_alloc(OPAL_FRAME_SMALL_BITS);
    thread->ipc_buffer_frame.cap = (struct cap){ .type = OPAL_OBJECT_FRAME,
                                                 .rights = OPAL_RIGHTS_ALL,
                                                 .size_bits = OPAL_FRAME_SMALL_BITS,
                                                 .object = fixture_address(frame) };
    thread->ipc_buffer_address = FIXTURE_BUFFER_ADDRESS;
    return (struct opal_ipc_buffer *)(frame + (FIXTURE_BUFFER_ADDRESS & 0xfff));
}

/* The call fails with `error` and the root CNode is byte for byte as before
 * ("changes nothing when it returns an error"). */
UNIT_UNUSED static struct slot fixture_before[FIXTURE_ROOT_SLOTS];
#define CHECK_FAILS_CLEANLY(error, call)                                                 \
    do {                                                                                 \
        memcpy(fixture_before, fx.root, sizeof fixture_before);                          \
        CHECK_EQ(call, error);                                                           \
        CHECK(memcmp(fixture_before, fx.root, sizeof fixture_before) == 0);              \
    } while (0)

/* invariants_check() passes; else the failure shows what it logged. */
#define CHECK_INVARIANTS()                                                               \
    do {                                                                                 \
        fake_console_clear();                                                            \
        int invariants_ = invariants_check();                                            \
        CHECKF(invariants_ == OPAL_OK, "invariants_check: %s; log: %s",                  \
               opal_error_name(invariants_), fake_console());                            \
    } while (0)

/* The slot index in the root CNode of `slot`. */
UNIT_UNUSED static uint32_t fixture_index(const struct slot *slot)
{
    return (uint32_t)(slot - fx.root);
}

#endif
