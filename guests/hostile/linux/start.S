/* hwbreak's entry (its system-call stub is guests/linux-user/syscall.S: no
 * C library, so what the program does to the CPU's debug hardware is
 * exactly what it asks the guest kernel for). */
    .syntax unified
    .arm
    .section .text.start, "ax"
    .global _start
_start:
    mov     r0, sp                  @ argc, argv, envp as the kernel left them
    bl      hwbreak_main
    mov     r7, #1                  @ exit(status): hwbreak_main's result
    svc     #0

/* The code the child runs at each breakpoint address: one `bx lr`, copied
 * there (hwbreak.c), so the address is executed and returns at once. */
    .global hwbreak_return_insn
    .section .rodata
hwbreak_return_insn:
    bx      lr
