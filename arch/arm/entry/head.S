/* The first instructions: interrupts off, a stack, a zeroed BSS, then C.
 * r0-r2 are passed on unchanged (r2 may hold the device tree's address).
 * The other cores start at secondary_entry (PSCI CPU_ON, arch/arm/cpu/cores.c). */
    .syntax unified
    .arm

#include "asm_offsets.h"   /* CORE_STACK_TOP, KERNEL_STACK_SIZE */

    .section .text.head, "ax"
    .global _start
_start:
    cpsid   aif
    ldr     sp, =kernel_stacks + KERNEL_STACK_SIZE   /* core 0's */
    ldr     r4, =__bss_start
    ldr     r5, =__bss_end
    mov     r6, #0
1:  cmp     r4, r5
    strlo   r6, [r4], #4
    blo     1b
    bl      kernel_boot
2:  wfi
    b       2b

/* A secondary core, in HYP mode with its MMU off; r0 = its struct core
 * (the context id core 0 passed to CPU_ON), whose stack_top is set. */
    .global secondary_entry
secondary_entry:
    cpsid   aif
    mcr     p15, 4, r0, c13, c0, 2
    ldr     sp, [r0, #CORE_STACK_TOP]
    bl      kernel_secondary_boot
3:  wfi
    b       3b

/* A stack of its own for reporting kernel exceptions (any core: the first
 * exception halts the machine). */
    .section .bss.stacks, "aw", %nobits
    .balign 16
    .space  2048
    .global panic_stack_top
panic_stack_top:
