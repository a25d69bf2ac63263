/* The program the SMP fork + exec workload (bench/linux/smp_workloads.c)
 * execs: exit_group(0) and nothing else, so what is timed is fork, exec
 * and exit themselves, not a program's start-up. */
    .syntax unified
    .arm
    .text
    .global _start
_start:
    mov     r0, #0
    mov     r7, #248                @ exit_group
    svc     #0
1:  b       1b
