/* The HYP Syndrome Register of a guest exit, decoded in one place: the
 * exception class and the fields of a trapped MRC/MCR/MRRC/MCRR (ARM ARM
 * B3.13.6, "Use of the HSR"), and the names the VMM gives system registers. */
#ifndef VMM_HSR_H
#define VMM_HSR_H

#include <stdbool.h>
#include <stdint.h>

#define HSR_CLASS(hsr)    ((hsr) >> 26)
#define HSR_CLASS_CP15_32 0x03u   /* MRC/MCR p15 */
#define HSR_CLASS_CP15_64 0x04u   /* MRRC/MCRR p15 */
#define HSR_CLASS_CP14_32 0x05u   /* MRC/MCR p14 */
#define HSR_CLASS_CP14_64 0x0cu   /* MRRC/MCRR p14 */

/* ISS fields: bit 0 is the direction in both forms, Rt and CRm sit alike;
 * the 32-bit form has Opc2, Opc1 and CRn, the 64-bit form Opc1 and Rt2. */
#define ISS_READ(hsr)      ((hsr) & 1u)
#define ISS_CRM(hsr)       (((hsr) >> 1) & 0xfu)
#define ISS_RT(hsr)        (((hsr) >> 5) & 0xfu)
#define ISS_CRN(hsr)       (((hsr) >> 10) & 0xfu)
#define ISS_OPC1(hsr)      (((hsr) >> 14) & 0x7u)
#define ISS_OPC2(hsr)      (((hsr) >> 17) & 0x7u)
#define ISS64_RT2(hsr)     (((hsr) >> 10) & 0xfu)
#define ISS64_OPC1(hsr)    (((hsr) >> 16) & 0xfu)

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

struct sysreg_access {
    uint32_t id;        /* SYSREG() or SYSREG64() */
    bool read;          /* MRC/MRRC: the VMM supplies the value(s) */
    uint8_t rt, rt2;    /* rt2 only for the 64-bit form */
};

/* A trapped coprocessor access from its HSR; false if the class is not one. */
static inline bool hsr_sysreg(uint32_t hsr, struct sysreg_access *access)
{
    uint32_t class = HSR_CLASS(hsr);
    uint32_t cp = class == HSR_CLASS_CP15_32 || class == HSR_CLASS_CP15_64 ? 15u : 14u;
    access->read = ISS_READ(hsr);
    access->rt = (uint8_t)ISS_RT(hsr);
    access->rt2 = 0;
    if (class == HSR_CLASS_CP15_32 || class == HSR_CLASS_CP14_32) {
        access->id = SYSREG(cp, ISS_OPC1(hsr), ISS_CRN(hsr), ISS_CRM(hsr), ISS_OPC2(hsr));
        return true;
    }
    if (class == HSR_CLASS_CP15_64 || class == HSR_CLASS_CP14_64) {
        access->id = SYSREG64(cp, ISS64_OPC1(hsr), ISS_CRM(hsr));
        access->rt2 = (uint8_t)ISS64_RT2(hsr);
        return true;
    }
    return false;
}

#endif
