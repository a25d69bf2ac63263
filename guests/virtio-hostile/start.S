/* The virtio-hostile guests' entry and vectors. The VMM starts a guest in
 * SVC mode, MMU off, r0 = RAM base, r1 = RAM size. A data abort (the VMM's
 * answer to an access nothing emulates: a transport the VM does not have)
 * is counted and the access skipped, so a guest can probe for a device;
 * any other exception is reported by guest_exception() and stops it. */
    .syntax unified
    .arm
    .section .text.start, "ax"
    .global _start
_start:
    add     sp, r0, r1                @ SVC stack at the top of RAM
    sub     r2, sp, #0x1000
    cps     #0x17                     @ ABT: 4 KiB below it
    mov     sp, r2
    cps     #0x13
    ldr     r2, =guest_vectors
    mcr     p15, 0, r2, c12, c0, 0    @ VBAR
    isb
    bl      guest_main
1:  wfi
    b       1b

    .balign 32
guest_vectors:
    b       other_reset
    b       other_undefined
    b       other_svc
    b       other_prefetch
    b       data_abort
    b       other_hyp
    b       other_irq
    b       other_fiq

/* LR_abt is the aborted instruction + 8 (ARM state): returning to LR - 4
 * skips it; a load's destination keeps what it held. */
data_abort:
    push    {r0, r1}
    ldr     r0, =guest_data_aborts
    ldr     r1, [r0]
    add     r1, r1, #1
    str     r1, [r0]
    pop     {r0, r1}
    subs    pc, lr, #4

other_reset:     mov r0, #0
                 b   other
other_undefined: mov r0, #1
                 b   other
other_svc:       mov r0, #2
                 b   other
other_prefetch:  mov r0, #3
                 b   other
other_hyp:       mov r0, #5
                 b   other
other_irq:       mov r0, #6
                 b   other
other_fiq:       mov r0, #7
other:
    mov     r1, lr
    cps     #0x13                     @ back on the SVC stack to print
    bl      guest_exception
2:  wfi
    b       2b
