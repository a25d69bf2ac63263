/* Parked virtual timers (vtimer.h): a list per core through the vCPU
 * objects, kept in deadline order, so the core's timer needs only the
 * first. A vCPU is parked on the core that took it off its registers. */
#include <stddef.h>
#include "opal/error.h"
#include "core.h"
#include "objects.h"
#include "vcpu.h"
#include "sched.h"
#include "vtimer.h"

#define CNTV_CTL_ENABLE (1u << 0)
#define CNTV_CTL_IMASK  (1u << 1)

static void note_first_deadline(struct core *core)
{
    core->parked_first_deadline = core->parked ? core->parked->vtimer_deadline : UINT64_MAX;
}

static uint32_t saved(struct vcpu *vcpu, uint32_t index)
{
    uint32_t value = 0;
    arch_vcpu_read_register(vcpu, index, &value);
    return value;
}

static uint64_t saved64(struct vcpu *vcpu, uint32_t low)
{
    return (uint64_t)saved(vcpu, low + 1) << 32 | saved(vcpu, low);
}

/* The guest's timer fires when CNTPCT - CNTVOFF >= CVAL; UINT64_MAX for
 * never (disabled, masked, or beyond the counter's range). */
static uint64_t physical_deadline(struct vcpu *vcpu)
{
    uint32_t control = saved(vcpu, OPAL_VCPU_CNTV_CTL);
    if ((control & (CNTV_CTL_ENABLE | CNTV_CTL_IMASK)) != CNTV_CTL_ENABLE)
        return UINT64_MAX;
    uint64_t compare = saved64(vcpu, OPAL_VCPU_CNTV_CVAL_LOW);
    uint64_t deadline = compare + saved64(vcpu, OPAL_VCPU_CNTVOFF_LOW);
    return deadline < compare ? UINT64_MAX : deadline;
}

uint64_t vtimer_next_deadline(void)
{
    return core_self()->parked_first_deadline;
}

void vtimer_init(void)
{
    for (unsigned c = 0; c < CONFIG_CORES; c++) {
        cores[c].parked = NULL;
        note_first_deadline(&cores[c]);
    }
}

void vtimer_unpark(struct vcpu *vcpu)
{
    struct core *core = &cores[vcpu->vtimer_core];
    for (struct vcpu **link = &core->parked; *link; link = &(*link)->vtimer_next) {
        if (*link == vcpu) {
            *link = vcpu->vtimer_next;
            break;
        }
    }
    vcpu->vtimer_next = NULL;
    vcpu->vtimer_deadline = UINT64_MAX;
    note_first_deadline(core);
}

void vtimer_save(struct vcpu *vcpu)
{
    vtimer_unpark(vcpu);
    uint64_t deadline = physical_deadline(vcpu);
    if (vcpu->thread == NULL || vcpu->vtimer_irq == 0 || deadline == UINT64_MAX)
        return;
    struct core *self = core_self();
    struct vcpu **link = &self->parked;
    while (*link && (*link)->vtimer_deadline <= deadline)
        link = &(*link)->vtimer_next;
    vcpu->vtimer_deadline = deadline;
    vcpu->vtimer_next = *link;
    vcpu->vtimer_core = (uint8_t)self->index;
    *link = vcpu;
    note_first_deadline(self);
    timeslice_arm_by(deadline);
}

/* As on the hardware path: masked at the timer (the guest unmasks it when
 * it sets its next event), then injected. */
static void vtimer_fire(struct vcpu *vcpu)
{
    arch_vcpu_write_register(vcpu, OPAL_VCPU_CNTV_CTL,
                             saved(vcpu, OPAL_VCPU_CNTV_CTL) | CNTV_CTL_IMASK);
    vcpu_inject_vtimer(vcpu);
}

void vtimer_expire(uint64_t now)
{
    struct core *self = core_self();
    while (self->parked && self->parked->vtimer_deadline <= now) {
        struct vcpu *vcpu = self->parked;
        vtimer_unpark(vcpu);
        vtimer_fire(vcpu);
    }
}
