/* Native program entry: the kernel starts us with sp set and r0 = boot info
 * (or the thread argument); main's return ends the thread, its value the
 * exit status its fault handler is told. */
    .syntax unified
    .arm
    .section .text.start, "ax"
    .global _start
_start:
    mov     fp, #0
    bl      main
    mov     r4, r0              @ the status, kept across print_flush (callee-saved)
    bl      print_flush
    mov     r0, r4
    bl      opal_exit
