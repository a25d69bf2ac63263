/* Debug state: a guest's breakpoints and watchpoints are switched with its
 * vCPU (DBGDSCR, whose MDBGen gates them all, on every guest/native switch
 * in vcpu/switch.c), so a breakpoint a guest arms fires in that guest only
 * (docs/isolation.md). */
#include "arch/cp14.h"
#include "arch/guest.h"
#include "log.h"

struct debug_register {
    uint32_t (*read)(void);
    void (*write)(uint32_t);
};
#define REGISTER(name) { name##_read, name##_write }
static const struct debug_register breakpoint_value[OPAL_VCPU_BREAKPOINTS] = {
    REGISTER(dbgbvr0), REGISTER(dbgbvr1), REGISTER(dbgbvr2),
    REGISTER(dbgbvr3), REGISTER(dbgbvr4), REGISTER(dbgbvr5),
};
static const struct debug_register breakpoint_control[OPAL_VCPU_BREAKPOINTS] = {
    REGISTER(dbgbcr0), REGISTER(dbgbcr1), REGISTER(dbgbcr2),
    REGISTER(dbgbcr3), REGISTER(dbgbcr4), REGISTER(dbgbcr5),
};
static const struct debug_register watchpoint_value[OPAL_VCPU_WATCHPOINTS] = {
    REGISTER(dbgwvr0), REGISTER(dbgwvr1), REGISTER(dbgwvr2), REGISTER(dbgwvr3),
};
static const struct debug_register watchpoint_control[OPAL_VCPU_WATCHPOINTS] = {
    REGISTER(dbgwcr0), REGISTER(dbgwcr1), REGISTER(dbgwcr2), REGISTER(dbgwcr3),
};

/* The pairs this CPU has (DBGDIDR), at most what a vCPU holds. */
static uint32_t breakpoints, watchpoints;

void debug_init(void)
{
    uint32_t didr = dbgdidr_read();
    breakpoints = DBGDIDR_BRPS(didr);
    watchpoints = DBGDIDR_WRPS(didr);
    /* More pairs than a vCPU saves would be state a guest could leave for
     * another: no ARMv7 core with the virtualization extensions has them. */
    if (breakpoints > OPAL_VCPU_BREAKPOINTS || watchpoints > OPAL_VCPU_WATCHPOINTS)
        panic("the CPU has %u breakpoints and %u watchpoints; a vCPU switches %u and %u",
              breakpoints, watchpoints, OPAL_VCPU_BREAKPOINTS, OPAL_VCPU_WATCHPOINTS);
    /* The OS lock stays open: guests see an emulated one (the VMM's), and
     * their debug events need the real one unlocked. */
    dbgoslar_write(0);
    isb();
    dbgdscr_write(0);
    dbgvcr_write(0);
    for (uint32_t i = 0; i < breakpoints; i++) {
        breakpoint_control[i].write(0);
        breakpoint_value[i].write(0);
    }
    for (uint32_t i = 0; i < watchpoints; i++) {
        watchpoint_control[i].write(0);
        watchpoint_value[i].write(0);
    }
    isb();
}

void debug_save(uint32_t *r)
{
    r[OPAL_VCPU_DBGVCR] = dbgvcr_read();
    for (uint32_t i = 0; i < breakpoints; i++) {
        r[OPAL_VCPU_DBGBVR0 + i] = breakpoint_value[i].read();
        r[OPAL_VCPU_DBGBCR0 + i] = breakpoint_control[i].read();
    }
    for (uint32_t i = 0; i < watchpoints; i++) {
        r[OPAL_VCPU_DBGWVR0 + i] = watchpoint_value[i].read();
        r[OPAL_VCPU_DBGWCR0 + i] = watchpoint_control[i].read();
    }
}

void debug_load(const uint32_t *r)
{
    dbgvcr_write(r[OPAL_VCPU_DBGVCR]);
    for (uint32_t i = 0; i < breakpoints; i++) {
        breakpoint_value[i].write(r[OPAL_VCPU_DBGBVR0 + i]);
        breakpoint_control[i].write(r[OPAL_VCPU_DBGBCR0 + i]);
    }
    for (uint32_t i = 0; i < watchpoints; i++) {
        watchpoint_value[i].write(r[OPAL_VCPU_DBGWVR0 + i]);
        watchpoint_control[i].write(r[OPAL_VCPU_DBGWCR0 + i]);
    }
}
