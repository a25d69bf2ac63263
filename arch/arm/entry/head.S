/* The first instructions: interrupts off, a stack, a zeroed BSS, then C.
 * r0-r2 are passed on unchanged (r2 may hold the device tree's address). */
    .syntax unified
    .arm
    .section .text.head, "ax"
    .global _start
_start:
    cpsid   aif
    ldr     sp, =kernel_stack_top
    ldr     r4, =__bss_start
    ldr     r5, =__bss_end
    mov     r6, #0
1:  cmp     r4, r5
    strlo   r6, [r4], #4
    blo     1b
    bl      kernel_boot
2:  wfi
    b       2b

/* The one kernel stack, and a separate one for reporting kernel exceptions. */
    .section .bss.stacks, "aw", %nobits
    .balign 16
    .space  8192
    .global kernel_stack_top
kernel_stack_top:
    .space  2048
    .global panic_stack_top
panic_stack_top:
