/* The HYP Syndrome Register (ARM ARM B3.13.6, "Use of the HSR"), decoded in
 * one place for the kernel's trap and exit code and the VMM's handlers: the
 * exception classes, the ISS fields of each class Opal reads, and a trapped
 * MRC/MCR/MRRC/MCRR decoded into the one struct every system-register
 * handler takes. */
#ifndef CORE_HSR_H
#define CORE_HSR_H

#include <stdbool.h>
#include <stdint.h>

#define HSR_CLASS_SHIFT       26
#define HSR_CLASS(hsr)        ((hsr) >> HSR_CLASS_SHIFT)
#define HSR_IL                (1u << 25)   /* a 32-bit instruction */
#define HSR_ISS(hsr)          ((hsr) & 0x1ffffffu)

enum hsr_class {
    HSR_CLASS_UNKNOWN = 0x00,        /* includes undefined instructions under HCR.TGE */
    HSR_CLASS_WFI_WFE = 0x01,
    HSR_CLASS_CP15_32 = 0x03,        /* MRC/MCR p15 */
    HSR_CLASS_CP15_64 = 0x04,        /* MRRC/MCRR p15 */
    HSR_CLASS_CP14_32 = 0x05,        /* MRC/MCR p14 */
    HSR_CLASS_CP14_LDC = 0x06,
    HSR_CLASS_HCPTR = 0x07,          /* coprocessor (VFP/NEON) access trapped by HCPTR */
    HSR_CLASS_CP10_ID = 0x08,
    HSR_CLASS_CP14_64 = 0x0c,        /* MRRC/MCRR p14 */
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

/* WFI/WFE: which of the two. */
#define HSR_WFE               (1u << 0)

/* HVC: the instruction's immediate. */
#define HSR_HVC_IMMEDIATE(hsr) ((hsr) & 0xffffu)

/* Data and prefetch aborts: the access when ISV is set (a single load or
 * store with a syndrome: size, sign extension, register), the direction,
 * and the fault status code. */
#define HSR_ABORT_VALID       (1u << 24)
#define HSR_ABORT_SAS(hsr)    (((hsr) >> 22) & 3u)   /* log2 of the size in bytes */
#define HSR_ABORT_SSE         (1u << 21)
#define HSR_ABORT_SRT(hsr)    (((hsr) >> 16) & 0xfu)
#define HSR_DATA_ABORT_WRITE  (1u << 6)
#define HSR_ABORT_STATUS(hsr) ((hsr) & 0x3fu)
#define HSR_FSC_ALIGNMENT     0x21u
#define HSR_FSC_DEBUG         0x22u

/* Trapped MRC/MCR (classes 0x03, 0x05) and MRRC/MCRR (0x04, 0x0c): bit 0 is
 * the direction in both forms, Rt and CRm sit alike; the 32-bit form has
 * Opc2, Opc1 and CRn, the 64-bit form Opc1 and Rt2. */
#define HSR_SYSREG_READ         (1u << 0)
#define HSR_SYSREG_CRM_SHIFT    1
#define HSR_SYSREG_RT_SHIFT     5
#define HSR_SYSREG_CRN_SHIFT    10
#define HSR_SYSREG_OPC1_SHIFT   14
#define HSR_SYSREG_OPC2_SHIFT   17
#define HSR_SYSREG64_RT2_SHIFT  10
#define HSR_SYSREG64_OPC1_SHIFT 16
#define HSR_SYSREG_CRM(hsr)     (((hsr) >> HSR_SYSREG_CRM_SHIFT) & 0xfu)
#define HSR_SYSREG_RT(hsr)      (((hsr) >> HSR_SYSREG_RT_SHIFT) & 0xfu)
#define HSR_SYSREG_CRN(hsr)     (((hsr) >> HSR_SYSREG_CRN_SHIFT) & 0xfu)
#define HSR_SYSREG_OPC1(hsr)    (((hsr) >> HSR_SYSREG_OPC1_SHIFT) & 0x7u)
#define HSR_SYSREG_OPC2(hsr)    (((hsr) >> HSR_SYSREG_OPC2_SHIFT) & 0x7u)
#define HSR_SYSREG64_RT2(hsr)   (((hsr) >> HSR_SYSREG64_RT2_SHIFT) & 0xfu)
#define HSR_SYSREG64_OPC1(hsr)  (((hsr) >> HSR_SYSREG64_OPC1_SHIFT) & 0xfu)

/* A system register's name: coprocessor, Opc1, CRn, CRm, Opc2, and whether it
 * is the 64-bit form (which has no CRn or Opc2). */
#define SYSREG(cp, opc1, crn, crm, opc2) \
    ((uint32_t)(cp) << 16 | (uint32_t)(opc1) << 12 | (uint32_t)(crn) << 8 | \
     (uint32_t)(crm) << 4 | (uint32_t)(opc2))
#define SYSREG64(cp, opc1, crm) (1u << 24 | SYSREG(cp, opc1, 0, crm, 0))
#define SYSREG_COPROC(id)  (((id) >> 16) & 0xffu)
#define SYSREG_OPC1(id)    (((id) >> 12) & 0xfu)
#define SYSREG_CRN(id)     (((id) >> 8) & 0xfu)
#define SYSREG_CRM(id)     (((id) >> 4) & 0xfu)
#define SYSREG_OPC2(id)    ((id) & 0xfu)
#define SYSREG_WIDE(id)    (((id) >> 24) & 1u)

/* A trapped system-register access, decoded. */
struct sysreg_access {
    uint32_t id;        /* SYSREG() or SYSREG64() */
    bool read;          /* MRC/MRRC: the value(s) go to Rt (and Rt2) */
    uint8_t rt, rt2;    /* rt2 only for the 64-bit form (0 otherwise) */
};

/* A trapped coprocessor access from its HSR; false (and id 0) if the class
 * is not one. */
static inline bool hsr_sysreg(uint32_t hsr, struct sysreg_access *access)
{
    uint32_t class = HSR_CLASS(hsr);
    uint32_t cp = class == HSR_CLASS_CP15_32 || class == HSR_CLASS_CP15_64 ? 15u : 14u;
    access->read = (hsr & HSR_SYSREG_READ) != 0;
    access->rt = (uint8_t)HSR_SYSREG_RT(hsr);
    access->rt2 = 0;
    access->id = 0;
    if (class == HSR_CLASS_CP15_32 || class == HSR_CLASS_CP14_32) {
        access->id = SYSREG(cp, HSR_SYSREG_OPC1(hsr), HSR_SYSREG_CRN(hsr), HSR_SYSREG_CRM(hsr),
                            HSR_SYSREG_OPC2(hsr));
        return true;
    }
    if (class == HSR_CLASS_CP15_64 || class == HSR_CLASS_CP14_64) {
        access->id = SYSREG64(cp, HSR_SYSREG64_OPC1(hsr), HSR_SYSREG_CRM(hsr));
        access->rt2 = (uint8_t)HSR_SYSREG64_RT2(hsr);
        return true;
    }
    return false;
}

#endif
