/* Native program entry: the kernel starts us with sp set and r0 = boot info
 * (or the thread argument); main's return ends the thread. */
    .syntax unified
    .arm
    .section .text.start, "ax"
    .global _start
_start:
    mov     fp, #0
    bl      main
    bl      print_flush
    bl      opal_exit
