/* The hostile guest's entry and exception vectors. The VMM starts it in SVC
 * mode, MMU off, r0 = RAM base, r1 = RAM size. An undefined instruction (a
 * register access the hypervisor refuses) is counted and skipped, so the
 * guest can tell which of its writes took and go on; any other exception is
 * reported by hostile_exception() and ends the guest's work. */
    .syntax unified
    .arm
    .section .text.start, "ax"
    .global _start
_start:
    add     sp, r0, r1                @ SVC stack at the top of RAM
    sub     r2, sp, #0x1000
    cps     #0x1b                     @ UND: 4 KiB below it
    mov     sp, r2
    sub     r2, r2, #0x1000
    cps     #0x17                     @ ABT: 4 KiB below that
    mov     sp, r2
    cps     #0x13
    ldr     r2, =hostile_vectors
    mcr     p15, 0, r2, c12, c0, 0    @ VBAR
    isb
    bl      hostile_main
1:  wfi
    b       1b

    .balign 32
hostile_vectors:
    b       other_reset
    b       undefined
    b       other_svc
    b       other_prefetch
    b       other_data
    b       other_hyp
    b       other_irq
    b       other_fiq

/* LR_und is the instruction after the undefined one (ARM state): returning
 * there skips it. */
undefined:
    push    {r0, r1}
    ldr     r0, =hostile_undefined
    ldr     r1, [r0]
    add     r1, r1, #1
    str     r1, [r0]
    pop     {r0, r1}
    movs    pc, lr

other_reset:    mov r0, #0
                b   other
other_svc:      mov r0, #2
                b   other
other_prefetch: mov r0, #3
                b   other
other_data:     mov r0, #4
                b   other
other_hyp:      mov r0, #5
                b   other
other_irq:      mov r0, #6
                b   other
other_fiq:      mov r0, #7
other:
    mov     r1, lr
    cps     #0x13                     @ back on the SVC stack to print
    bl      hostile_exception
2:  wfi
    b       2b
