/* The VMM's main loop: receive the vCPU thread's exits and the console's
 * interrupts on one endpoint, hand each to its handler, answer the exit. */
#include <stdarg.h>
#include "core/format.h"
#include "vmm/vmm.h"

#define VTIMER_PRIORITY 0xa0

static struct vm vm;

void vmm_log(struct vm *machine, const char *format_text, ...)
{
    char line[256];
    va_list args;
    va_start(args, format_text);
    format_string_v(line, sizeof line, format_text, args);
    va_end(args);
    /* A connected VMM's lines get "[name] " from the console server. */
    if (machine->info->console)
        printf("vmm: %s\n", line);
    else
        printf("[%s] vmm: %s\n", machine->info->name, line);
}

static void report_exits(struct vm *machine)
{
    const uint32_t *e = machine->exits;
    vmm_log(machine, "exits: mmio-gicd %u mmio-uart %u mmio-other %u hvc %u smc %u sysreg %u "
            "eoi %u other %u irq %u", e[EXIT_MMIO_GICD], e[EXIT_MMIO_UART], e[EXIT_MMIO_OTHER],
            e[EXIT_HVC], e[EXIT_SMC], e[EXIT_SYSREG], e[EXIT_EOI], e[EXIT_OTHER], e[EXIT_IRQ]);
    vmm_log(machine, "guest started at counter %llu", (unsigned long long)machine->started_at);
}

void vmm_stop(struct vm *machine, const char *why)
{
    vuart_flush(&machine->uart);
    vmm_log(machine, "VM stopped: %s", why);
    report_exits(machine);
}

int vmm_restart(struct vm *machine)
{
    vuart_flush(&machine->uart);
    vmm_log(machine, "restarting the guest from its images");
    report_exits(machine);
    for (unsigned i = 0; i < EXIT_KIND_COUNT; i++)
        machine->exits[i] = 0;
    return vmm_load_guest(machine);
}

/* Trapped system-register accesses: ACTLR reads as the stored value and
 * writes are kept there (the guest's view); anything else reads as zero. */
static enum vmm_action handle_system_register(struct vm *machine, const struct opal_message *exit,
                                              uint32_t *result)
{
    uint32_t syndrome = exit->mr[1];
    bool read = syndrome & 1u;
    bool actlr = ((syndrome >> 10) & 0xf) == 1 && ((syndrome >> 1) & 0xf) == 0 &&
                 ((syndrome >> 17) & 7) == 1 && ((syndrome >> 14) & 7) == 0;
    if (actlr && read)
        return opal_vcpu_read_register(VMM_CAP_VCPU, OPAL_VCPU_ACTLR, result) == OPAL_OK
                   ? VMM_EMULATED : VMM_STOP;
    if (actlr)
        opal_vcpu_write_register(VMM_CAP_VCPU, OPAL_VCPU_ACTLR, exit->mr[2]);
    else
        vmm_log(machine, "guest system register access ignored (syndrome 0x%08x, pc 0x%08x)",
                syndrome, exit->mr[0]);
    *result = 0;
    return VMM_EMULATED;
}

static enum vmm_action handle_exit(struct vm *machine, const struct opal_message *exit,
                                   uint32_t *result)
{
    switch (OPAL_TAG_LABEL(exit->tag)) {
    case OPAL_FAULT_GUEST_ABORT:
        return vmm_handle_abort(machine, exit, result);
    case OPAL_FAULT_GUEST_HVC:
        machine->exits[EXIT_HVC]++;
        return vmm_handle_call(machine, exit, result);
    case OPAL_FAULT_GUEST_SMC:
        machine->exits[EXIT_SMC]++;
        return vmm_handle_call(machine, exit, result);
    case OPAL_FAULT_GUEST_SYSREG:
        machine->exits[EXIT_SYSREG]++;
        return handle_system_register(machine, exit, result);
    case OPAL_FAULT_GUEST_EOI:
        machine->exits[EXIT_EOI]++;
        vgic_dist_eoi(&machine->vgic, exit->mr[0]);
        return VMM_RESUME;
    default: {
        machine->exits[EXIT_OTHER]++;
        char why[96];
        format_string(why, sizeof why, "unexpected exit %u (pc 0x%08x, syndrome 0x%08x)",
                      OPAL_TAG_LABEL(exit->tag), exit->mr[0], exit->mr[1]);
        vmm_stop(machine, why);
        return VMM_STOP;
    }
    }
}

static void reply_message(struct opal_message *message, enum vmm_action action, uint32_t result)
{
    switch (action) {
    case VMM_EMULATED:
        message->tag = OPAL_TAG(OPAL_FAULT_REPLY_EMULATE, 0, 1);
        message->mr[0] = result;
        break;
    case VMM_STOP:
        message->tag = OPAL_TAG(OPAL_FAULT_REPLY_STOP, 0, 0);
        break;
    default:
        message->tag = OPAL_TAG(OPAL_FAULT_REPLY_RESUME, 0, 0);
        break;
    }
}

int main(const struct opal_bootinfo *unused)
{
    (void)unused;
    vm.info = (const struct vmm_boot_info *)VMM_BOOT_INFO_ADDRESS;
    if (vm.info->magic != VMM_BOOT_MAGIC) {
        printf("vmm: no boot info at 0x%08x; nothing to run\n", VMM_BOOT_INFO_ADDRESS);
        return 1;
    }
    console_init(&vm);
    int error = vmm_load_guest(&vm);
    if (error != OPAL_OK) {
        vmm_log(&vm, "cannot load the guest: %s", opal_error_name(error));
        return 1;
    }
    /* The virtual timer goes straight in, not through us (docs/vmm.md says why). */
    if (vm.info->vtimer_direct)
        opal_vcpu_set_vtimer_irq(VMM_CAP_VCPU, OPAL_VTIMER_IRQ, VTIMER_PRIORITY);
    if ((error = opal_tcb_resume(VMM_CAP_VCPU_TCB)) != OPAL_OK) {
        vmm_log(&vm, "cannot start the vCPU: %s", opal_error_name(error));
        return 1;
    }
    struct opal_message message;
    opal_recv(VMM_CAP_ENDPOINT, VMM_CAP_REPLY, &message);
    for (;;) {
        if (OPAL_TAG_LABEL(message.tag) == 0) {      /* a notification: interrupts */
            vm.exits[EXIT_IRQ]++;
            if (message.badge & VMM_BADGE_CONSOLE)
                console_input(&vm);
            opal_recv(VMM_CAP_ENDPOINT, VMM_CAP_REPLY, &message);
            continue;
        }
        uint32_t result = 0;
        enum vmm_action action = handle_exit(&vm, &message, &result);
        vgic_dist_retry(&vm.vgic);
        reply_message(&message, action, result);
        opal_reply_recv(VMM_CAP_ENDPOINT, VMM_CAP_REPLY, &message);
    }
}
