/* The VMM's main loop: receive the vCPU thread's exits and the
 * notifications (the console's, the channels' peers', the passthrough
 * interrupts) on one endpoint, hand each to its handler, answer the exit. */
#include "core/format.h"
#include "timer.h"
#include "vmm/vmm.h"

#define VTIMER_PRIORITY 0xa0

static struct vm vm;

/* The test hook (init's vmm.crash=<name>): the VMM faults, so that the
 * kernel sends the fault to init (VMM_CAP_PARENT is the VMM thread's fault
 * endpoint). The address is hidden from the compiler, which would
 * otherwise turn a store to a known null pointer into a trap. */
static __attribute__((noreturn)) void crash_on_purpose(struct vm *machine)
{
    vmm_log(machine, "test hook: crashing on purpose");
    uintptr_t address = 0;
    __asm__ volatile("" : "+r"(address));
    *(volatile uint32_t *)address = 0;
    for (;;)
        opal_yield();
}

/* An exit's answer: what to do, and a read's results (result[1] only for a
 * system register's Rt2). */
static enum vmm_action handle_exit(struct vm *machine, const struct opal_message *exit,
                                   uint32_t result[2])
{
    switch (OPAL_TAG_LABEL(exit->tag)) {
    case OPAL_GUEST_EXIT_ABORT:
        return vmm_handle_abort(machine, exit, result);
    case OPAL_GUEST_EXIT_HVC:
        machine->exits[EXIT_HVC]++;
        return vmm_handle_call(machine, exit, result);
    case OPAL_GUEST_EXIT_SMC:
        machine->exits[EXIT_SMC]++;
        return vmm_handle_call(machine, exit, result);
    case OPAL_GUEST_EXIT_SYSREG:
        machine->exits[EXIT_SYSREG]++;
        return vmm_handle_sysreg(machine, exit, result);
    case OPAL_GUEST_EXIT_EOI:
        machine->exits[EXIT_EOI]++;
        passthrough_eoi(machine, exit->mr[0]);
        vgic_dist_eoi(&machine->vgic, exit->mr[0]);
        return VMM_RESUME;
    default: {
        machine->exits[EXIT_OTHER]++;
        char why[96];
        format_string(why, sizeof why, "unexpected exit %u (pc 0x%08x, syndrome 0x%08x)",
                      OPAL_TAG_LABEL(exit->tag), exit->mr[0], exit->mr[1]);
        vmm_stop(machine, VMM_REPORT_FAILED, why);
        return VMM_STOP;
    }
    }
}

/* The reply to an exit. A system register read answers Rt and Rt2 (the
 * kernel writes Rt2 only for MRRC); the other emulations one word, so an
 * HVC's r1-r3 are left as they were. */
static void reply_message(struct opal_message *message, enum vmm_action action,
                          const uint32_t result[2])
{
    uint32_t words = OPAL_TAG_LABEL(message->tag) == OPAL_GUEST_EXIT_SYSREG ? 2 : 1;
    switch (action) {
    case VMM_EMULATED:
        message->tag = OPAL_TAG(OPAL_FAULT_REPLY_EMULATE, 0, words);
        message->mr[0] = result[0];
        message->mr[1] = result[1];
        break;
    case VMM_IDLE:   /* results as for VMM_EMULATED: r0 of a PSCI call */
        message->tag = OPAL_TAG(OPAL_FAULT_REPLY_EMULATE_IDLE, 0, words);
        message->mr[0] = result[0];
        break;
    case VMM_STOP:
        message->tag = OPAL_TAG(OPAL_FAULT_REPLY_STOP, 0, 0);
        break;
    case VMM_ABORT:
        message->tag = OPAL_TAG(OPAL_FAULT_REPLY_ABORT, 0, 0);
        break;
    case VMM_UNDEFINED:
        message->tag = OPAL_TAG(OPAL_FAULT_REPLY_UNDEFINED, 0, 0);
        break;
    default:
        message->tag = OPAL_TAG(OPAL_FAULT_REPLY_RESUME, 0, 0);
        break;
    }
}

/* The guest loaded and its vCPU running; else why not, in why. */
static int start_guest(struct vm *machine, char *why, size_t size)
{
    int error = vmm_load_guest(machine);
    if (error != OPAL_OK) {
        format_string(why, size, "cannot load the guest: %s", opal_error_name(error));
        return error;
    }
    /* The virtual timer goes straight in, not through us (docs/vmm.md says why). */
    if (machine->info->vtimer_direct)
        opal_vcpu_set_vtimer_irq(VMM_CAP_VCPU, OPAL_VTIMER_IRQ, VTIMER_PRIORITY);
    if ((error = opal_tcb_resume(VMM_CAP_VCPU_TCB)) != OPAL_OK)
        format_string(why, size, "cannot start the vCPU: %s", opal_error_name(error));
    return error;
}

/* Everything before the guest's first instruction: the console, the
 * channels, the passthrough interrupts, the images, the vCPU. A failure is
 * reported to init. */
static bool start_vm(struct vm *machine)
{
    char why[96];
    console_init(machine);
    if (channel_check(machine->info, why, sizeof why) &&
        passthrough_check(machine->info, why, sizeof why) &&
        start_guest(machine, why, sizeof why) == OPAL_OK)
        return true;
    vmm_log(machine, "%s", why);
    vmm_report(machine, VMM_REPORT_FAILED);
    return false;
}

/* A notification (label 0): the console's and the channels' signals, and
 * the passthrough interrupts. */
static void handle_signals(struct vm *machine, uint32_t badge)
{
    machine->exits[EXIT_IRQ]++;
    if (badge & VMM_BADGE_CONSOLE)
        console_input(machine);
    channel_signalled(machine, badge);
    passthrough_signalled(machine, badge);
}

int main(const struct opal_bootinfo *unused)
{
    (void)unused;
    vm.info = (const struct vmm_boot_info *)VMM_BOOT_INFO_ADDRESS;
    vm.ticks_per_second = opal_counter_frequency();
    if (vm.info->magic != VMM_BOOT_MAGIC) {
        printf("vmm: no boot info at 0x%08x; nothing to run\n", VMM_BOOT_INFO_ADDRESS);
        return 1;
    }
    if (!start_vm(&vm))
        return 1;
    struct opal_message message;
    opal_recv(VMM_CAP_ENDPOINT, VMM_CAP_REPLY, &message);
    for (;;) {
        if (OPAL_TAG_LABEL(message.tag) == 0) {
            handle_signals(&vm, message.badge);
            opal_recv(VMM_CAP_ENDPOINT, VMM_CAP_REPLY, &message);
            continue;
        }
        if (vm.info->test_crash)
            crash_on_purpose(&vm);
        uint32_t result[2] = { 0, 0 };
        enum vmm_action action = handle_exit(&vm, &message, result);
        vgic_dist_retry(&vm.vgic);
        reply_message(&message, action, result);
        opal_reply_recv(VMM_CAP_ENDPOINT, VMM_CAP_REPLY, &message);
    }
}
