/* The one system-call stub of the freestanding Linux programs (bench/linux,
 * guests/hostile/linux): no C library, so every call is explicit.
 * long linux_syscall(a, b, c, d, e, f, number): the Linux EABI wants the
 * number in r7 and the fifth and sixth arguments in r4 and r5. */
    .syntax unified
    .arm
    .text
    .global linux_syscall
linux_syscall:
    push    {r4, r5, r7, lr}
    ldr     r4, [sp, #16]
    ldr     r5, [sp, #20]
    ldr     r7, [sp, #24]
    svc     #0
    pop     {r4, r5, r7, pc}
