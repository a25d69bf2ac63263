/* The guest's CP14 debug registers, all trapped by the kernel (HDCR.TDA,
 * TDOSA, TDRA; docs/isolation.md). Breakpoints, watchpoints, DBGVCR and
 * DBGDSCR are the vCPU's own registers, which the kernel switches with it;
 * the OS lock is the VM's; everything that would reach past the CPU (the
 * DCC, claim tags, ROM table, power-down, VMID breakpoints) reads as absent. */
#include "core/hsr.h"
#include "vmm/vmm.h"

#define DEBUG_REGISTER(crn, crm, opc2) SYSREG(14, 0, crn, crm, opc2)
#define DBGDIDR      DEBUG_REGISTER(0, 0, 0)
#define DBGDSCRINT   DEBUG_REGISTER(0, 1, 0)
#define DBGDSCREXT   DEBUG_REGISTER(0, 2, 2)
#define DBGVCR       DEBUG_REGISTER(0, 7, 0)
#define DBGDRAR      DEBUG_REGISTER(1, 0, 0)
#define DBGDSAR      DEBUG_REGISTER(2, 0, 0)
#define DBGDRAR64    SYSREG64(14, 0, 1)
#define DBGDSAR64    SYSREG64(14, 0, 2)
#define DBGOSLAR     DEBUG_REGISTER(1, 0, 4)
#define DBGOSLSR     DEBUG_REGISTER(1, 1, 4)
#define DBGOSDLR     DEBUG_REGISTER(1, 3, 4)
#define DBGPRCR      DEBUG_REGISTER(1, 4, 4)
/* Breakpoint and watchpoint pair n: CRn 0, CRm n, Opc2 4-7. */
#define OPC2_BVR 4u
#define OPC2_BCR 5u
#define OPC2_WVR 6u
#define OPC2_WCR 7u

#define OSLAR_KEY      0xc5acce55u  /* the value that locks the OS lock */
#define OSLSR_OSLM_V71 (1u << 3)    /* OSLM = 0b10: the v7.1 OS lock is implemented */
#define OSLSR_OSLK     (1u << 1)    /* locked */

/* DBGDIDR as the guest sees it: v7.1 debug with the vCPU's breakpoint and
 * watchpoint pairs, two of them context-capable, Security Extensions, no
 * Secure user halting, no PC sampling, no DBGDEVID. */
#define DIDR_VERSION_V71 5u
#define DIDR_GUEST ((uint32_t)(OPAL_VCPU_WATCHPOINTS - 1) << 28 | \
                    (uint32_t)(OPAL_VCPU_BREAKPOINTS - 1) << 24 | 1u << 20 | \
                    DIDR_VERSION_V71 << 16 | 1u << 14 | 1u << 12)

/* The vCPU register a debug register is, or 0 if it is none of them. */
static uint32_t vcpu_register(uint32_t id)
{
    if (id == DBGDSCRINT || id == DBGDSCREXT)
        return OPAL_VCPU_DBGDSCR;
    if (id == DBGVCR)
        return OPAL_VCPU_DBGVCR;
    if (SYSREG_WIDE(id) || SYSREG_COPROC(id) != 14 || SYSREG_OPC1(id) != 0 ||
        SYSREG_CRN(id) != 0)
        return 0;
    uint32_t n = SYSREG_CRM(id), opc2 = SYSREG_OPC2(id);
    bool breakpoint = n < OPAL_VCPU_BREAKPOINTS, watchpoint = n < OPAL_VCPU_WATCHPOINTS;
    switch (opc2) {
    case OPC2_BVR: return breakpoint ? OPAL_VCPU_DBGBVR0 + n : 0;
    case OPC2_BCR: return breakpoint ? OPAL_VCPU_DBGBCR0 + n : 0;
    case OPC2_WVR: return watchpoint ? OPAL_VCPU_DBGWVR0 + n : 0;
    case OPC2_WCR: return watchpoint ? OPAL_VCPU_DBGWCR0 + n : 0;
    default: return 0;
    }
}

/* DBGDSCRint is read-only; the kernel keeps of a write only the bits a
 * guest controls (monitor debug, user DCC access). */
static void vcpu_access(const struct vm *vm, uint32_t index, const struct sysreg_access *access,
                        uint32_t value, uint32_t *result)
{
    if (access->read)
        opal_vcpu_read_register(vmm_current_cap(vm), index, result);
    else if (access->id != DBGDSCRINT)
        opal_vcpu_write_register(vmm_current_cap(vm), index, value);
}

/* The debug block past the CPU's own comparators: the DCC (no external
 * debugger is attached), DBGWFAR, VMID breakpoint extensions (DBGBXVR),
 * claim tags, DBGDEVID and authentication status read as zero. */
static bool absent(uint32_t id)
{
    if (SYSREG_COPROC(id) != 14 || SYSREG_OPC1(id) != 0)
        return false;
    if (SYSREG_WIDE(id))
        return id == DBGDRAR64 || id == DBGDSAR64;
    uint32_t crn = SYSREG_CRN(id), crm = SYSREG_CRM(id), opc2 = SYSREG_OPC2(id);
    return (crn == 0 && opc2 == 2 && (crm == 0 || crm == 3)) ||   /* DTRRX/TXext */
           (crn == 0 && opc2 == 0 && (crm == 5 || crm == 6)) ||   /* DTRRX/TXint, WFAR */
           (crn == 1 && opc2 == 1) ||                             /* DBGBXVRn */
           (crn == 7 && opc2 == 6 && (crm == 8 || crm == 9 || crm == 14)) ||
           (crn == 7 && opc2 == 7 && crm <= 2) ||                 /* DBGDEVID, 1, 2 */
           id == DBGDRAR || id == DBGDSAR || id == DBGOSDLR || id == DBGPRCR;
}

bool vdebug_access(struct vm *vm, const struct sysreg_access *access, uint32_t value,
                   uint32_t *result)
{
    uint32_t id = access->id, index;
    if (id == DBGDIDR) {
        if (access->read)
            *result = DIDR_GUEST;
        return true;
    }
    if (id == DBGOSLAR) {
        if (!access->read)
            vmm_current(vm)->os_locked = value == OSLAR_KEY;
        return true;
    }
    if (id == DBGOSLSR) {
        *result = OSLSR_OSLM_V71 | (vmm_current(vm)->os_locked ? OSLSR_OSLK : 0);
        return true;
    }
    if ((index = vcpu_register(id)) != 0) {
        vcpu_access(vm, index, access, value, result);
        return true;
    }
    return absent(id);
}
