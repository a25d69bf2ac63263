/* libopal: what a native Opal program uses. System calls, object invocations,
 * allocators, output, boot info. The ABI itself is include/opal/. */
#ifndef LIB_OPAL_H
#define LIB_OPAL_H

#include <stdbool.h>
#include <stdint.h>
#include "opal/bootinfo.h"
#include "opal/error.h"
#include "opal/fault.h"
#include "opal/message.h"
#include "opal/object.h"
#include "opal/syscall.h"
#include "opal/vcpu.h"

/* --- Messages and IPC system calls (lib/syscall.c) ------------------------
 * A message as the registers carry it: the tag, MR0-MR3 and, on receipt, the
 * badge of the cap it came through. MR4 onward live in the calling thread's
 * IPC buffer (opal_ipc_buffer()->mr[4..]). Every call returns an enum
 * opal_error. */
struct opal_message {
    uint32_t tag;
    uint32_t mr[OPAL_MSG_REGISTERS];
    uint32_t badge;
};

/* Send *message, wait for the reply and store it in *message. */
int opal_call(uint32_t cptr, struct opal_message *message);
int opal_send(uint32_t cptr, const struct opal_message *message);
int opal_nbsend(uint32_t cptr, const struct opal_message *message);
/* Wait on an endpoint (binding a Call to `reply`, 0 for none) or a
 * notification (the word arrives in received->badge). */
int opal_recv(uint32_t cptr, uint32_t reply, struct opal_message *received);
int opal_nbrecv(uint32_t cptr, uint32_t reply, struct opal_message *received);
int opal_reply(uint32_t reply, const struct opal_message *message);
/* Reply with *message through `reply`, then Recv on `cptr` into *message. */
int opal_reply_recv(uint32_t cptr, uint32_t reply, struct opal_message *message);
int opal_yield(void);

/* Notifications: signal (OR the cap's badge in), wait and poll for the word. */
int opal_signal(uint32_t notification);
int opal_wait(uint32_t notification, uint32_t *word);
int opal_poll(uint32_t notification, uint32_t *word);

/* Exit: the calling thread stops and its fault handler is told, with
 * `status` (OPAL_FAULT_EXIT). What returning from main does. */
__attribute__((noreturn)) void opal_exit(int status);
/* Any syscall number with r0-r3: for tests of the decode path. Returns r0. */
uint32_t opal_raw_syscall(uint32_t number, uint32_t a0, uint32_t a1, uint32_t a2, uint32_t a3);

/* --- IPC buffers (lib/ipc_buffer.c) ---------------------------------------
 * A thread finds its own IPC buffer by its stack pointer: whoever starts a
 * thread registers the thread's stack range [stack_low, stack_high) with its
 * buffer's address before resuming it (and unregisters it when the thread is
 * gone). A stack pointer in no registered range is the root thread's, whose
 * buffer is OPAL_ROOT_IPC_BUFFER. This keeps the lookup per thread without
 * thread-local storage and lets any thread use the invocation wrappers. */
#define OPAL_IPC_BUFFER_THREADS 32
int opal_ipc_buffer_register(void *stack_low, void *stack_high, struct opal_ipc_buffer *buffer);
void opal_ipc_buffer_unregister(void *stack_low);
struct opal_ipc_buffer *opal_ipc_buffer(void);

/* --- Object invocations (lib/invoke.c) ------------------------------------
 * One function per label of include/opal/object.h; arguments in the order
 * of the ABI. Each returns the invocation's error; on an error its results
 * (out parameters) are left as they were. */

/* Why the kernel refused an invocation (include/opal/error.h, docs/api.md):
 * the argument index that failed (or OPAL_ERROR_ARGUMENT_*) and, for
 * OPAL_ERR_RANGE, the inclusive bounds it had to lie in. */
struct opal_error_detail {
    uint32_t argument, low, high;
};
/* The detail of the last invocation that failed in this process, made by
 * any of its threads through these wrappers (one record per process: a
 * thread that wants its own reads it right after the failure, before
 * another thread can fail). OPAL_ERROR_ARGUMENT_NONE before any failure. */
struct opal_error_detail opal_last_error_detail(void);
struct opal_registers {
    uint32_t pc, sp, cpsr;
    uint32_t r[13];
};

int opal_untyped_retype(uint32_t untyped, uint32_t type, uint32_t size_bits, uint32_t dest_cnode,
                        uint32_t dest_index, uint32_t count);

int opal_cnode_copy(uint32_t cnode, uint32_t index, uint32_t source, uint32_t rights);
int opal_cnode_mint(uint32_t cnode, uint32_t index, uint32_t source, uint32_t rights,
                    uint32_t badge);
int opal_cnode_move(uint32_t cnode, uint32_t index, uint32_t source);
int opal_cnode_mutate(uint32_t cnode, uint32_t index, uint32_t source, uint32_t badge);
int opal_cnode_delete(uint32_t cnode, uint32_t index);
int opal_cnode_revoke(uint32_t cnode, uint32_t index);
/* The badge word Mint and Mutate take for a CNode cap's guard. */
#define OPAL_CNODE_GUARD(guard_bits, guard) (((uint32_t)(guard_bits) << 24) | (uint32_t)(guard))

int opal_tcb_configure(uint32_t tcb, uint32_t fault_endpoint, uint32_t cspace, uint32_t vspace,
                       uint32_t ipc_buffer_address, uint32_t ipc_buffer_frame);
int opal_tcb_set_priority(uint32_t tcb, uint32_t authority, uint32_t priority);
int opal_tcb_set_mcp(uint32_t tcb, uint32_t authority, uint32_t mcp);
int opal_tcb_set_sched_context(uint32_t tcb, uint32_t sched_context);
int opal_tcb_read_registers(uint32_t tcb, struct opal_registers *registers);
int opal_tcb_write_registers(uint32_t tcb, uint32_t pc, uint32_t sp, uint32_t r0, uint32_t r1,
                             uint32_t r2, uint32_t r3);
int opal_tcb_resume(uint32_t tcb);
int opal_tcb_suspend(uint32_t tcb);
int opal_tcb_bind_notification(uint32_t tcb, uint32_t notification);
int opal_tcb_unbind_notification(uint32_t tcb);
/* Run the thread on `core` (0 .. bootinfo->cores - 1). */
int opal_tcb_set_core(uint32_t tcb, uint32_t core);

int opal_sched_control_configure(uint32_t sched_control, uint32_t sched_context,
                                 uint32_t budget_us, uint32_t period_us);
/* Domains (docs/api.md): `windows` holds `count` pairs (domain 1..15,
 * length µs); count 0 turns domains off. A count above 16 goes to the
 * kernel without pairs (it answers RANGE). */
int opal_sched_control_set_domain_schedule(uint32_t sched_control, uint32_t count,
                                           const uint32_t *windows);
int opal_sched_control_set_domain(uint32_t sched_control, uint32_t tcb, uint32_t domain);

int opal_page_table_map(uint32_t page_table, uint32_t vspace, uint32_t address);
int opal_page_table_unmap(uint32_t page_table);
int opal_frame_map(uint32_t frame, uint32_t vspace, uint32_t address, uint32_t rights,
                   uint32_t attributes);
int opal_frame_unmap(uint32_t frame);
int opal_frame_remap(uint32_t frame, uint32_t rights, uint32_t attributes);
int opal_frame_address(uint32_t frame, uint32_t *physical);

int opal_irq_control_get(uint32_t irq_control, uint32_t irq, uint32_t dest_cnode,
                         uint32_t dest_index);
int opal_irq_handler_set_notification(uint32_t irq_handler, uint32_t notification);
int opal_irq_handler_ack(uint32_t irq_handler);
int opal_irq_handler_clear(uint32_t irq_handler);

/* vCPUs (include/opal/vcpu.h has the register numbers and flags). */
int opal_vcpu_bind_tcb(uint32_t vcpu, uint32_t tcb);
int opal_vcpu_read_register(uint32_t vcpu, uint32_t index, uint32_t *value);
int opal_vcpu_write_register(uint32_t vcpu, uint32_t index, uint32_t value);
/* *used (may be NULL) receives the list register the interrupt went into. */
int opal_vcpu_inject_irq(uint32_t vcpu, uint32_t irq, uint32_t priority, uint32_t slot,
                         uint32_t flags, uint32_t *used);
int opal_vcpu_set_vtimer_irq(uint32_t vcpu, uint32_t irq, uint32_t priority);

/* The Debug cap: *taken receives how many bytes the UART took (the rest
 * is the caller's to send again; opal_debug_write below does). */
int opal_debug_write_some(uint32_t debug, const char *bytes, uint32_t length, uint32_t *taken);
int opal_debug_system_off(uint32_t debug);
int opal_debug_check_invariants(uint32_t debug);

/* --- Debug output and checks (lib/debug.c) --------------------------------
 * Through the program's Debug cap: OPAL_CAP_DEBUG, where the kernel puts
 * the root task's, unless opal_debug_use() names another (a task whose
 * starter gave it one: TASK_SLOT_DEBUG) or 0 (none). Without one they
 * return the invocation's error and nothing happens. */
void opal_debug_use(uint32_t debug);
/* All `length` bytes (<= OPAL_DEBUG_WRITE_MAX), yielding while the UART is
 * full; nothing goes out unless every byte is readable. */
int opal_debug_write(const char *bytes, uint32_t length);
/* Power off; without the cap the thread exits with the error as status. */
__attribute__((noreturn)) void opal_system_off(void);
/* OPAL_OK, the first broken invariant's error, or the invocation's. */
int opal_check_invariants(void);

/* --- Allocators (lib/alloc.c) ---------------------------------------------
 * Slots come from the boot info's empty root-CNode range; objects are
 * retyped from the boot info's RAM untypeds (never device ones), one after
 * the other. Memory is not given back: freeing an object frees its slot. */
void opal_alloc_init(const struct opal_bootinfo *bootinfo);
/* An empty root-CNode slot, or 0 when none is left. */
uint32_t opal_alloc_slot(void);
/* Delete whatever the slot holds and return it to the pool. */
int opal_free_slot(uint32_t slot);
/* A new object in a new slot: *cptr names it. An unknown type is
 * INVALID_ARGUMENT and a size Retype would refuse is RANGE, as from Retype. */
int opal_alloc_object(uint32_t type, uint32_t size_bits, uint32_t *cptr);
/* A copy of the cap to the 4 KiB device frame at `physical`. The frame is
 * carved from its device untyped on the first request; untypeds are carved
 * in address order, so unused frames below it can no longer be had: take
 * frames in address order. */
int opal_alloc_device_frame(uint32_t physical, uint32_t *cptr);

/* Arenas: memory set aside for one component, so that all of it (and every
 * cap made from it, wherever it went) is taken back at once when the
 * component is rebuilt. While an arena is entered, objects are retyped from
 * its untypeds and new slots are tagged with its owner number. */
#define OPAL_ARENA_MAX_UNTYPEDS 12
struct opal_untyped_pool {
    uint32_t cptr, size_bits, address;
    uint64_t used;       /* bytes from the start already handed out (or lost) */
    bool device;         /* only opal_alloc_device_frame() takes from it */
};
struct opal_arena {
    uint32_t owner;      /* 1..255, unique per arena */
    uint32_t count;
    struct opal_untyped_pool untypeds[OPAL_ARENA_MAX_UNTYPEDS];
};
/* Take at least `bytes` of RAM from the boot untypeds into the arena (as a
 * few power-of-two untypeds); once per arena. */
int opal_arena_carve(struct opal_arena *arena, uint64_t bytes);
/* Allocate from the arena from now on (NULL: from the boot untypeds again). */
void opal_arena_enter(struct opal_arena *arena);
/* Delete every cap in the slots tagged with its owner and revoke its
 * untypeds: every object made from it is gone and the memory is zeroed
 * again on the next retype. The arena stays carved, ready to be reused. */
int opal_arena_clear(struct opal_arena *arena);
/* Bytes of an arena (or of the boot RAM untypeds, NULL) not yet handed out. */
uint64_t opal_alloc_free_bytes(const struct opal_arena *arena);
/* All bytes carved into the arena. */
uint64_t opal_arena_bytes(const struct opal_arena *arena);
/* Root-CNode slots in use (not free), for accounting. */
uint32_t opal_alloc_slots_used(void);

/* --- Formatted output (lib/print.c), buffered per line and written whole.
 * One buffer for the whole program: print from one thread only. */
int printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int puts(const char *string);
void print_flush(void);

/* The generic counter, through its virtual view (CNTVCT): native threads
 * see it with a zero offset, so it equals the physical count. */
static inline uint64_t opal_counter(void)
{
    uint32_t low, high;
    __asm__ volatile("isb\n mrrc p15, 1, %0, %1, c14" : "=r"(low), "=r"(high));
    return ((uint64_t)high << 32) | low;
}

/* The program's entry point, called by crt0 with the boot info (root task)
 * or the start argument. Returning ends the thread. */
int main(const struct opal_bootinfo *bootinfo);

#endif
