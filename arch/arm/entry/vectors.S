/* HYP vectors: save the interrupted context, call C, restore, eret.
 * Nothing else happens here; the decisions are in cpu/traps.c.
 *
 * While a thread runs, SP_hyp points into its struct arch_context, at the
 * saved sp (r0-r12 below it, sp, lr, pc and cpsr from there on: one
 * instruction less each way than pointing at the start), so a trap from
 * user level saves straight into the thread (no copying); the kernel then
 * runs on this core's kernel stack (HTPIDR holds this core's struct core)
 * with the big kernel lock (kernel/core.c): taken after the save, released
 * just before the registers are loaded for the eret. Exceptions taken in
 * HYP mode itself are kernel bugs: they save into the core's panic frame
 * and panic on a stack of their own. */
    .syntax unified
    .arm

#include "asm_offsets.h"   /* CONTEXT_SP_OFFSET, CORE_*, SYS_CALL, SYS_REPLY_RECV, CLASS_SVC */

    .section .text.vectors, "ax"
    .align  5
    .global hyp_vectors
hyp_vectors:
    b       hyp_reset_entry         /* reset: never taken */
    b       hyp_undefined_entry     /* undefined instruction in HYP mode */
    b       hyp_hvc_entry           /* HVC/SVC in HYP mode */
    b       hyp_prefetch_entry      /* prefetch abort in HYP mode */
    b       hyp_data_entry          /* data abort in HYP mode */
    b       user_trap_entry         /* HYP trap: anything from PL0/PL1 */
    b       user_irq_entry          /* IRQ */
    b       hyp_fiq_entry           /* FIQ */

/* Saves into the thread and moves to this core's stack: r4 = the context,
 * r5 = this core (callee-saved, as is r8, the lock's address from LOCK:
 * they survive the calls that follow). */
.macro SAVE_USER_CONTEXT
    stmdb   sp, {r0-r12}
    mrs     r0, sp_usr
    mov     r1, lr
    mrs     r2, ELR_hyp
    mrs     r3, spsr
    stmia   sp, {r0-r3}
    sub     r4, sp, #CONTEXT_SP_OFFSET
    mrc     p15, 4, r5, c13, c0, 2      /* HTPIDR: this core */
    ldr     sp, [r5, #CORE_STACK_TOP]
.endm

/* Take the big kernel lock (kernel/core.c): a ticket from the high half;
 * served at once if the low half equals it, else kernel_lock_wait(core,
 * ticket, the entry's syndrome) waits, serving the holder's requests, and
 * answers whether the entry is dropped (another core took this core's
 * thread: then `dropped` runs instead). Clobbers r0-r3; leaves the lock's
 * address in r8 (callee-saved) for restore_user_context. */
.macro LOCK syndrome, dropped
    ldr     r8, =kernel_lock_word
1:  ldrex   r2, [r8]
    add     r3, r2, #0x10000
    strex   r0, r3, [r8]
    cmp     r0, #0
    bne     1b
    cmp     r2, r2, ror #16
    beq     2f
    mov     r0, r5
    lsr     r1, r2, #16
    mov     r2, \syndrome
    bl      kernel_lock_wait
    cmp     r0, #0
    bne     \dropped
2:  dmb     ish
.endm

/* Call (1) and ReplyRecv (2) try the IPC fastpath first (r7, the syscall
 * number, is still the user's); it returns the context to resume, or 0 for
 * the full path. The full path gets the context in r0 and the HSR in r1
 * (guest exits try their own fastpath there). A fastpath that declines has
 * changed nothing, so the context is still the current thread's (at offset
 * 0 of it, asserted in traps.c) and the HSR still the trap's. */
user_trap_entry:
    SAVE_USER_CONTEXT
    mrc     p15, 4, r6, c5, c2, 0       /* HSR, kept in r6 */
    LOCK    r6, dropped_entry
    mov     r0, r4
    lsr     r2, r6, #26
    cmp     r2, #CLASS_SVC
    bne     2f
    cmp     r7, #SYS_CALL
    beq     1f
    cmp     r7, #SYS_REPLY_RECV
    bne     2f
    bl      fastpath_reply_recv
    b       3f
1:  bl      fastpath_call
3:  cmp     r0, #0
    bne     restore_user_context
    mov     r0, r4
2:  mov     r1, r6
    bl      arch_handle_trap
    b       restore_user_context

user_irq_entry:
    SAVE_USER_CONTEXT
    LOCK    #0, dropped_entry
    bl      arch_handle_irq
    b       restore_user_context

/* The thread that trapped is no longer this core's (kernel/core.c,
 * core_stall): choose again, as after an interrupt. */
dropped_entry:
    dmb     ish
    bl      kernel_interrupt
    b       restore_user_context

/* Boot's first entry to user level (arch_enter_user), holding the lock. */
    .global enter_user_context
enter_user_context:
    mrc     p15, 4, r5, c13, c0, 2
    ldr     r8, =kernel_lock_word

/* r0: the struct arch_context to resume, r5: this core, r8: the lock.
 * Releases the lock (the owner half: only the holder writes it), then
 * leaves SP_hyp pointing into the context. */
restore_user_context:
    ldrh    r2, [r8]
    add     r2, r2, #1
    dmb     ish
    strh    r2, [r8]
    add     sp, r0, #CONTEXT_SP_OFFSET
    ldmia   sp, {r0-r3}
    msr     sp_usr, r0
    mov     lr, r1
    msr     ELR_hyp, r2
    msr     spsr_cxsf, r3       /* SPSR_hyp: HYP mode names it as its own SPSR */
    ldmdb   sp, {r0-r12}
    clrex                       /* no thread completes another's LDREX/STREX */
    eret

/* A kernel exception: keep r0 in TPIDRPRW while we find this core's panic
 * frame, so even a broken stack pointer leaves a complete register dump
 * (TPIDRPRW is a guest's or a native thread's register: after a kernel
 * exception nothing runs again). */
.macro KERNEL_EXCEPTION kind
    mcr     p15, 0, r0, c13, c0, 4      /* TPIDRPRW */
    mrc     p15, 4, r0, c13, c0, 2      /* this core */
    add     r0, r0, #CORE_PANIC_CONTEXT
    stmib   r0, {r1-r12}
    mrc     p15, 0, r1, c13, c0, 4
    str     r1, [r0]
    mov     r1, sp
    mov     r2, lr
    mrs     r3, ELR_hyp
    mrs     r4, spsr
    add     r5, r0, #CONTEXT_SP_OFFSET
    stmia   r5, {r1-r4}
    ldr     sp, =panic_stack_top
    mov     r1, r0
    mov     r0, #\kind
    bl      arch_handle_kernel_exception
1:  b       1b
.endm

hyp_reset_entry:      KERNEL_EXCEPTION 0
hyp_undefined_entry:  KERNEL_EXCEPTION 1
hyp_hvc_entry:        KERNEL_EXCEPTION 2
hyp_prefetch_entry:   KERNEL_EXCEPTION 3
hyp_data_entry:       KERNEL_EXCEPTION 4
hyp_fiq_entry:        KERNEL_EXCEPTION 7
