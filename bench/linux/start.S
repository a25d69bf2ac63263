/* The guest benchmark's entry (its system call stub is
 * guests/linux-user/syscall.S).
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
