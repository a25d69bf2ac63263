/* What the VMM says: its log lines, and its reports to init. The VMM does
 * not decide what happens to a VM that stopped: it reports to init (a Call
 * on VMM_CAP_PARENT that init does not answer), and init stops, rebuilds or
 * halts per the VM's fault policy. */
#include <stdarg.h>
#include "core/format.h"
#include "vmm/vmm.h"

void vmm_log(struct vm *vm, const char *format_text, ...)
{
    char line[256];
    va_list args;
    va_start(args, format_text);
    format_string_v(line, sizeof line, format_text, args);
    va_end(args);
    /* A connected VMM's lines get "[name] " from the console server. */
    if (vm->info->console)
        printf("vmm: %s\n", line);
    else
        printf("[%s] vmm: %s\n", vm->info->name, line);
}

uint64_t vmm_now(void)
{
    return opal_counter();
}

/* The exits line: scripts/bench_linux.py and the system tests parse it by
 * name, test_testkit.py also wants it to end with "irq N". */
static void report_exits(struct vm *vm)
{
    const uint32_t *e = vm->exits;
    vmm_log(vm, "exits: mmio-gicd %u mmio-uart %u mmio-other %u hvc %u smc %u sysreg %u "
            "eoi %u other %u mmio-channel %u mmio-virtio %u mmio-rtc %u irq %u", e[EXIT_MMIO_GICD],
            e[EXIT_MMIO_UART], e[EXIT_MMIO_OTHER], e[EXIT_HVC], e[EXIT_SMC], e[EXIT_SYSREG],
            e[EXIT_EOI], e[EXIT_OTHER], e[EXIT_MMIO_CHANNEL], e[EXIT_MMIO_VIRTIO],
            e[EXIT_MMIO_RTC], e[EXIT_IRQ]);
    vmm_log(vm, "guest started at counter %llu", (unsigned long long)vm->started_at);
}

int vmm_report(struct vm *vm, enum vmm_report report)
{
    struct opal_message message = { .tag = OPAL_TAG(report, 0, 0) };
    int error = opal_call(VMM_CAP_PARENT, &message);
    if (error != OPAL_OK)
        vmm_log(vm, "the report to init could not be delivered (%s)", opal_error_name(error));
    return error;
}

/* The other vCPUs are stopped first: the guest runs no further on any of
 * them, while init decides. */
void vmm_stop(struct vm *vm, enum vmm_report report, const char *why)
{
    vm->stopped = true;
    vmm_halt_other_vcpus(vm);
    vuart_flush(&vm->uart);
    vmm_log(vm, "VM stopped: %s", why);
    report_exits(vm);
    vmm_report(vm, report);
}
