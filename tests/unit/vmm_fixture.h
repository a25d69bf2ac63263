/* What the host tests of the VMM's parts share (test_vmm_*.c): vmm.h, the
 * GIC distributor's register offsets (core/gicv2.h), a vmm_log, a vmm_stop
 * and an injection that record what they got, a clock the test sets, and
 * one VM whose distributor the test drives. Included once per test program. */
#ifndef TESTS_UNIT_VMM_FIXTURE_H
#define TESTS_UNIT_VMM_FIXTURE_H

/* lib/opal.h declares a native program's main(bootinfo); unit.h defines the
 * host's. */
#define main opal_program_main
#include "vmm/vmm.h"
#undef main
#include "unit.h"

#include "core/gicv2.h"

static int log_count;
static char last_log[256];

void vmm_log(struct vm *vm, const char *format_text, ...)
{
    (void)vm;
    va_list args;
    va_start(args, format_text);
    vsnprintf(last_log, sizeof last_log, format_text, args);
    va_end(args);
    log_count++;
}

/* vmm_stop: the VM stops with `stopped_why` (the report is init's business). */
static int stop_count;
static enum vmm_report stopped_report;
static char stopped_why[256];

void vmm_stop(struct vm *vm, enum vmm_report report, const char *why)
{
    (void)vm;
    stopped_report = report;
    snprintf(stopped_why, sizeof stopped_why, "%s", why);
    stop_count++;
}

/* The generic counter, FIXTURE_TICKS_PER_SECOND a second. */
#define FIXTURE_TICKS_PER_SECOND 1000u
static uint64_t fake_now;

uint64_t vmm_now(void)
{
    return fake_now;
}

static uint32_t injected[16];
static bool injected_notify[16];
static int injected_count;

static int fake_inject(void *context, uint32_t cpu, uint32_t irq, uint8_t priority, bool notify_eoi)
{
    (void)context, (void)cpu, (void)priority;
    if (injected_count < (int)(sizeof injected / sizeof injected[0])) {
        injected[injected_count] = irq;
        injected_notify[injected_count] = notify_eoi;
    }
    injected_count++;
    return 0;
}

static struct vmm_boot_info info;
static struct vm vm;

/* A fresh VM described by `with`, its distributor reset, nothing recorded. */
static void fixture_reset(const struct vmm_boot_info *with)
{
    static const struct vgic_ops ops = { NULL, fake_inject, NULL };
    info = *with;
    vm = (struct vm){ .info = &info, .vcpu_count = info.vcpu_count ? info.vcpu_count : 1,
                      .ticks_per_second = FIXTURE_TICKS_PER_SECOND };
    vgic_dist_init(&vm.vgic, &ops, 1);
    log_count = injected_count = stop_count = 0;
    last_log[0] = stopped_why[0] = '\0';
    fake_now = 1000000;
}

static uint32_t gicd_read(uint32_t offset)
{
    uint32_t value = 0xbad0bad0u;
    vgic_dist_read(&vm.vgic, 0, offset, 4, &value);
    return value;
}

static inline void gicd_write(uint32_t offset, uint32_t value)
{
    vgic_dist_write(&vm.vgic, 0, offset, 4, value);
}

/* The guest takes irq's pending state away (GICD_ICPENDR), as taking the
 * interrupt would. */
static inline void clear_pending(uint32_t irq)
{
    gicd_write(GICD_ICPENDR + irq / 32 * 4, 1u << (irq % 32));
}

static inline bool pending(uint32_t irq)
{
    return (gicd_read(GICD_ISPENDR + irq / 32 * 4) >> (irq % 32)) & 1u;
}

#endif
