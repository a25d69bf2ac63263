/* The HYP Syndrome Register: exception classes and the fields the kernel reads. */
#ifndef ARCH_ARM_HSR_H
#define ARCH_ARM_HSR_H

#define HSR_CLASS(hsr)        ((hsr) >> 26)
#define HSR_IL                (1u << 25)
#define HSR_ISS(hsr)          ((hsr) & 0x1ffffffu)

enum hsr_class {
    HSR_CLASS_UNKNOWN = 0x00,        /* includes undefined instructions under HCR.TGE */
    HSR_CLASS_WFI_WFE = 0x01,
    HSR_CLASS_CP15_32 = 0x03,
    HSR_CLASS_CP15_64 = 0x04,
    HSR_CLASS_CP14_32 = 0x05,
    HSR_CLASS_CP14_LDC = 0x06,
    HSR_CLASS_HCPTR = 0x07,          /* coprocessor (VFP/NEON) access trapped by HCPTR */
    HSR_CLASS_CP10_ID = 0x08,
    HSR_CLASS_CP14_64 = 0x0c,
    HSR_CLASS_SVC = 0x11,            /* SVC routed to HYP by HCR.TGE */
    HSR_CLASS_HVC = 0x12,
    HSR_CLASS_SMC = 0x13,
    HSR_CLASS_PREFETCH_ABORT_LOWER = 0x20,
    HSR_CLASS_PREFETCH_ABORT_HYP = 0x21,
    HSR_CLASS_DATA_ABORT_LOWER = 0x24,
    HSR_CLASS_DATA_ABORT_HYP = 0x25,
    /* Debug exceptions as ARMv8 classes them: QEMU reports a breakpoint,
     * a watchpoint or a BKPT of an AArch32 thread so; ARMv7 hardware as a
     * prefetch or data abort with HSR_FSC_DEBUG. */
    HSR_CLASS_BREAKPOINT_LOWER = 0x30,
    HSR_CLASS_STEP_LOWER = 0x32,
    HSR_CLASS_WATCHPOINT_LOWER = 0x34,
    HSR_CLASS_BKPT_AARCH32 = 0x38,
    HSR_CLASS_COUNT = 0x40,
};

#define HSR_DATA_ABORT_WRITE  (1u << 6)
#define HSR_ABORT_STATUS(hsr) ((hsr) & 0x3fu)
#define HSR_FSC_ALIGNMENT     0x21u
#define HSR_FSC_DEBUG         0x22u

/* Trapped MCR/MRC/MCRR/MRRC (classes 0x03-0x05, 0x0c): the operands. */
#define HSR_SYSREG_READ       (1u << 0)
#define HSR_SYSREG_CRM(hsr)   (((hsr) >> 1) & 0xfu)
#define HSR_SYSREG_RT(hsr)    (((hsr) >> 5) & 0xfu)
#define HSR_SYSREG_CRN(hsr)   (((hsr) >> 10) & 0xfu)
#define HSR_SYSREG_RT2(hsr)   (((hsr) >> 10) & 0xfu)
#define HSR_SYSREG_OPC1(hsr)  (((hsr) >> 14) & 0x7u)
#define HSR_SYSREG_OPC2(hsr)  (((hsr) >> 17) & 0x7u)

#endif
