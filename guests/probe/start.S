/* probe entry and exception vectors. The VMM starts us in SVC mode, MMU
 * off, r0 = RAM base, r1 = RAM size: stacks at the top of RAM (SVC, then
 * abort and undefined below it), our vectors in VBAR, then C. Each
 * exception the probes provoke is recorded in `trap` (trap.h) and the
 * probe resumes after the instruction that took it. */
    .syntax unified
    .arch armv7-a
    .arch_extension virt
    .arm

#define MODE_ABT 0x17
#define MODE_UND 0x1b
#define MODE_SVC 0x13
#define NO_INTERRUPTS 0xc0
#define STACK_SIZE 0x1000

    .section .text.start, "ax"
    .global _start
_start:
    add     r2, r0, r1
    mov     sp, r2
    cps     #MODE_ABT
    sub     sp, r2, #STACK_SIZE
    cps     #MODE_UND
    sub     sp, r2, #(2 * STACK_SIZE)
    cps     #MODE_SVC
    ldr     r3, =vectors
    mcr     p15, 0, r3, c12, c0, 0      @ VBAR (SCTLR.V is 0 at reset)
    isb
    bl      probe_main
1:  wfi
    b       1b

    .balign 32
vectors:
    b       .                           @ reset
    b       undefined_entry
    b       .                           @ SVC
    b       prefetch_abort_entry
    b       data_abort_entry
    b       .
    b       .                           @ IRQ (masked: the probes poll)
    b       .                           @ FIQ

/* trap: kind, lr, spsr, dfsr, dfar, ifsr, ifar, count (guests/probe/trap.h). */
.macro RECORD kind
    push    {r0, r1}
    ldr     r0, =trap
    mov     r1, #\kind
    str     r1, [r0, #0]
    str     lr, [r0, #4]
    mrs     r1, spsr
    str     r1, [r0, #8]
    mrc     p15, 0, r1, c5, c0, 0       @ DFSR
    str     r1, [r0, #12]
    mrc     p15, 0, r1, c6, c0, 0       @ DFAR
    str     r1, [r0, #16]
    mrc     p15, 0, r1, c5, c0, 1       @ IFSR
    str     r1, [r0, #20]
    mrc     p15, 0, r1, c6, c0, 2       @ IFAR
    str     r1, [r0, #24]
    ldr     r1, [r0, #28]
    add     r1, r1, #1
    str     r1, [r0, #28]
    pop     {r0, r1}
.endm

/* LR_abt is the aborted instruction + 8, in ARM and Thumb state alike; the
 * probes' faulting instructions are 4 bytes in both, so the next one is at
 * LR - 4 (SUBS restores SPSR, so the state and flags too). */
data_abort_entry:
    RECORD  1
    subs    pc, lr, #4

/* A prefetch abort of a fetch the probe branched to with BLX from SVC
 * mode: it resumes at its return address, LR_svc. */
prefetch_abort_entry:
    RECORD  2
    mrs     lr, LR_svc
    movs    pc, lr

/* LR_und is the next instruction for a 4-byte instruction (MRC). */
undefined_entry:
    RECORD  3
    movs    pc, lr

/* --- the faulting instructions, each at a label the probes check LR against.
 * Each sets the flags NZCV first, so SPSR_abt must show them. */

.macro PROBE name, body:vararg
    .global \name
    .type \name, %function
\name:
    mov     r3, r0
    msr     cpsr_f, #0xf0000000
    .global \name\()_at
\name\()_at:
    \body
    mov     r0, r1
    bx      lr
.endm

    .text
PROBE probe_ldm, ldm r3, {r1, r2}
PROBE probe_stm, stm r3, {r1, r2}
PROBE probe_ldrd, ldrd r0, r1, [r3]
PROBE probe_ldrex, ldrex r1, [r3]
PROBE probe_ldr_post, ldr r1, [r3], #4
PROBE probe_ldr, ldr r1, [r3]
PROBE probe_str, str r1, [r3]
PROBE probe_pmu_undefined, mrc p15, 0, r1, c9, c13, 3

/* r0 = address: a fetch there, from SVC mode. */
    .global probe_fetch
    .type probe_fetch, %function
probe_fetch:
    push    {lr}
    msr     cpsr_f, #0xf0000000
    blx     r0
    .global probe_fetch_return
probe_fetch_return:
    pop     {pc}

/* A load in Thumb state (32-bit encoding). */
    .thumb
    .global probe_thumb_ldr
    .type probe_thumb_ldr, %function
    .thumb_func
probe_thumb_ldr:
    mov     r3, r0
    mov     r1, #0
    .global probe_thumb_ldr_at
probe_thumb_ldr_at:
    ldr.w   r1, [r3]
    mov     r0, r1
    bx      lr
