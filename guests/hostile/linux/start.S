/* hwbreak's entry and its one system call stub (no C library: every Linux
 * call is explicit, so what the program does to the CPU's debug hardware is
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

    .text
/* long linux_syscall(a, b, c, d, e, f, number): the Linux EABI wants the
 * number in r7 and the fifth and sixth arguments in r4 and r5. */
    .global linux_syscall
linux_syscall:
    push    {r4, r5, r7, lr}
    ldr     r4, [sp, #16]
    ldr     r5, [sp, #20]
    ldr     r7, [sp, #24]
    svc     #0
    pop     {r4, r5, r7, pc}

/* The code the child runs at each breakpoint address: one `bx lr`, copied
 * there (hwbreak.c), so the address is executed and returns at once. */
    .global hwbreak_return_insn
    .section .rodata
hwbreak_return_insn:
    bx      lr
