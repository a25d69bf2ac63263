/* The guest benchmark's assembly: its entry and its one system call stub.
 * The program is the initramfs's /init, so the counter read at _start,
 * before anything else, ends the kernel-to-/init figure. */
    .syntax unified
    .arm
    .section .text.start, "ax"
    .global _start
_start:
    mrrc    p15, 1, r2, r3, c14     @ the count: bench_main's 64-bit argument (r2:r3)
    mov     r0, sp                  @ argc, argv, envp
    bl      bench_main
1:  b       1b                      @ bench_main never returns (PID 1 powers off)

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
