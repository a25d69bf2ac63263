/* VFP/NEON state of a vCPU: saved and loaded whole when the vCPU on the CPU
 * changes. FPEXC.EN is forced on for the copy and then restored, since a
 * guest may have turned it off (its own lazy switching). */
    .syntax unified
    .arm
    .fpu    neon-vfpv4

#define FPEXC_EN (1 << 30)

/* r0: uint64_t registers[32], r1: &fpscr, r2: &fpexc */
    .global vfp_save
vfp_save:
    vmrs    r3, fpexc
    str     r3, [r2]
    orr     r3, r3, #FPEXC_EN
    vmsr    fpexc, r3
    vstmia  r0!, {d0-d15}
    vstmia  r0, {d16-d31}
    vmrs    r3, fpscr
    str     r3, [r1]
    bx      lr

/* r0: const uint64_t registers[32], r1: fpscr, r2: fpexc */
    .global vfp_load
vfp_load:
    orr     r3, r2, #FPEXC_EN
    vmsr    fpexc, r3
    vldmia  r0!, {d0-d15}
    vldmia  r0, {d16-d31}
    vmsr    fpscr, r1
    vmsr    fpexc, r2
    bx      lr
