/* testkit entry: the VMM starts us in SVC mode, MMU off, r0 = RAM base,
 * r1 = RAM size. A stack at the top of RAM, then C. */
    .syntax unified
    .arm
    .section .text.start, "ax"
    .global _start
_start:
    add     sp, r0, r1
    bl      testkit_main
1:  wfi
    b       1b
