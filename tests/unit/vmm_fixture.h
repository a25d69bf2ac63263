/* What the host tests of the VMM's parts share (test_vmm_channel.c,
 * test_vmm_passthrough.c): vmm.h, the GIC distributor's register offsets, a
 * vmm_log and an injection that record what they got, and one VM whose
 * distributor the test drives. Included once per test program. */
#ifndef TESTS_UNIT_VMM_FIXTURE_H
#define TESTS_UNIT_VMM_FIXTURE_H

/* lib/opal.h declares a native program's main(bootinfo); unit.h defines the
 * host's. */
#define main opal_program_main
#include "vmm/vmm.h"
#undef main
#include "unit.h"

#define CTLR      0x000u
#define ISENABLER 0x100u
#define ICENABLER 0x180u
#define ISPENDR   0x200u
#define ITARGETSR 0x800u
#define ICFGR     0xc00u

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

static uint32_t injected[16];
static bool injected_notify[16];
static int injected_count;

static int fake_inject(void *context, uint32_t irq, uint8_t priority, bool notify_eoi)
{
    (void)context, (void)priority;
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
    static const struct vgic_ops ops = { NULL, fake_inject };
    info = *with;
    vm = (struct vm){ .info = &info };
    vgic_dist_init(&vm.vgic, &ops);
    log_count = injected_count = 0;
    last_log[0] = '\0';
}

static uint32_t gicd_read(uint32_t offset)
{
    uint32_t value = 0;
    return vgic_dist_read(&vm.vgic, offset, 4, &value) ? value : 0xbad0bad0u;
}

static inline bool pending(uint32_t irq)
{
    return (gicd_read(ISPENDR + irq / 32 * 4) >> (irq % 32)) & 1u;
}

#endif
