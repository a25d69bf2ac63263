/* The VMM's threads (docs/vmm.md): thread k receives vCPU k's exits on its
 * own endpoint and runs on that vCPU's core, so an exit and its answer do
 * not cross cores; thread 0 also receives the notifications (the
 * console's, the channels' peers', the passthrough interrupts). Each hands
 * what it received to its handler under the VM's lock and answers. */
#include "console_client.h"
#include "core/format.h"
#include "timer.h"
#include "vmm/vmm.h"

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
        vgic_dist_eoi(&machine->vgic, machine->current, exit->mr[0]);
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
    case VMM_VCPU_OFF:
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

/* VMM thread k (k >= 1), which init made: its stack and IPC buffer
 * registered, started at serve_entry(k). */
static int start_thread(uint32_t k, void (*entry)(uint32_t))
{
    uint8_t *buffer = (uint8_t *)(uintptr_t)vmm_thread_ipc_buffer(k);
    int error = opal_ipc_buffer_register(buffer + VMM_THREAD_STACK_OFFSET,
                                         (uint8_t *)(uintptr_t)vmm_thread_stack_top(k),
                                         (struct opal_ipc_buffer *)buffer);
    if (error == OPAL_OK)
        error = opal_tcb_write_registers(vmm_cap_thread(k), (uint32_t)(uintptr_t)entry,
                                         vmm_thread_stack_top(k), k, 0, 0, 0);
    return error != OPAL_OK ? error : opal_tcb_resume(vmm_cap_thread(k));
}

/* The guest loaded, the VMM threads serving vCPUs 1 and up, vCPU 0
 * running (the others wait for PSCI CPU_ON); else why not, in why. */
static int start_guest(struct vm *machine, void (*serve_entry)(uint32_t), char *why,
                       size_t size)
{
    int error = vmm_load_guest(machine);
    if (error != OPAL_OK) {
        format_string(why, size, "cannot load the guest: %s", opal_error_name(error));
        return error;
    }
    if ((error = vmm_prepare_vcpus(machine)) != OPAL_OK) {
        format_string(why, size, "cannot prepare the vCPUs: %s", opal_error_name(error));
        return error;
    }
    for (uint32_t k = 1; k < machine->vcpu_count; k++)
        if ((error = start_thread(k, serve_entry)) != OPAL_OK) {
            format_string(why, size, "cannot start the VMM thread of vCPU %u: %s", k,
                          opal_error_name(error));
            return error;
        }
    machine->vcpus[0].power = VCPU_ON;
    if ((error = opal_tcb_resume(VMM_CAP_VCPU_TCB)) != OPAL_OK)
        format_string(why, size, "cannot start the vCPU: %s", opal_error_name(error));
    return error;
}

/* Everything before the guest's first instruction: the console, the
 * vCPU count, the channels, the passthrough interrupts, the images, the
 * VMM threads, vCPU 0. A failure is reported to init. */
static bool start_vm(struct vm *machine, void (*serve_entry)(uint32_t))
{
    char why[96];
    console_init(machine);
    machine->vcpu_count = machine->info->vcpu_count;
    if (machine->vcpu_count == 0 || machine->vcpu_count > VMM_MAX_VCPUS)
        format_string(why, sizeof why, "%u vCPUs: a VM has 1 to %u", machine->info->vcpu_count,
                      VMM_MAX_VCPUS);
    else if (channel_check(machine->info, why, sizeof why) &&
             passthrough_check(machine->info, why, sizeof why) &&
             start_guest(machine, serve_entry, why, sizeof why) == OPAL_OK)
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
    if (badge & VMM_BADGE_BLK)
        virtio_blk_completed(&machine->blk);
    if (badge & VMM_BADGE_RNG)
        virtio_rng_filled(&machine->rng);
    channel_signalled(machine, badge);
    passthrough_signalled(machine, badge);
}

/* Signals a console write took while it waited for room (the same
 * notification brings them all): handled now, so none is lost. */
static void handle_signals_taken(struct vm *machine)
{
    for (uint32_t badge; (badge = console_client_take_signals()) != 0;)
        handle_signals(machine, badge);
}

/* One exit of vCPU k, handled under the lock; the answer in *message. */
static enum vmm_action handle(uint32_t k, struct opal_message *message)
{
    uint32_t result[2] = { 0, 0 };
    vm.current = k;
    if (vm.info->test_crash)
        crash_on_purpose(&vm);
    enum vmm_action action = handle_exit(&vm, message, result);
    handle_signals_taken(&vm);
    vgic_dist_retry(&vm.vgic);
    reply_message(message, action, result);
    return action;
}

/* The VM's lock for VMM thread k. Once the VM has stopped, its holder
 * waits in its report to init for ever: a thread that would wait for the
 * lock waits for init's teardown instead, in a Recv nothing answers (its
 * vCPU is suspended), rather than yield on for nothing. */
static __attribute__((noinline)) void wait_for_lock(uint32_t k)
{
    while (!vmm_try_lock(&vm.lock)) {
        while (vm.stopped) {
            struct opal_message ignored;
            opal_recv(vmm_cap_endpoint(k), vmm_cap_reply(k), &ignored);
        }
        opal_yield();
    }
}

/* Free, as it nearly always is: no call. */
static inline void take_lock(uint32_t k)
{
    if (__builtin_expect(!vmm_try_lock(&vm.lock), 0))
        wait_for_lock(k);
}

/* PSCI CPU_OFF: the vCPU's thread stops with the STOP answer; only then is
 * it OFF, so a CPU_ON from another vCPU never finds it still in its exit. */
static void stop_vcpu(uint32_t k, struct opal_message *message)
{
    opal_reply(vmm_cap_reply(k), message);
    take_lock(k);
    vm.vcpus[k].power = VCPU_OFF;
    vmm_unlock(&vm.lock);
}

/* VMM thread k's loop: vCPU k's exits (and, for thread 0, the
 * notifications bound to it). */
static __attribute__((noreturn)) void serve(uint32_t k)
{
    uint32_t endpoint = vmm_cap_endpoint(k), reply = vmm_cap_reply(k);
    struct opal_message message;
    opal_recv(endpoint, reply, &message);
    for (;;) {
        take_lock(k);
        if (OPAL_TAG_LABEL(message.tag) == 0) {
            vm.current = k;   /* thread 0's: vCPU 0 is the one a handler may name */
            handle_signals(&vm, message.badge);
            handle_signals_taken(&vm);
            vmm_unlock(&vm.lock);
            opal_recv(endpoint, reply, &message);
            continue;
        }
        enum vmm_action action = handle(k, &message);
        vmm_unlock(&vm.lock);
        if (action == VMM_VCPU_OFF) {
            stop_vcpu(k, &message);
            opal_recv(endpoint, reply, &message);
        } else {
            opal_reply_recv(endpoint, reply, &message);
        }
    }
}

/* Where threads 1 and up begin (r0 = k): they never return. */
static void serve_entry(uint32_t k)
{
    serve(k);
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
    /* Threads 1 and up start inside start_vm; nothing reaches them before
     * their vCPU runs, but the models are set up under the lock all the same. */
    vmm_lock(&vm.lock);
    bool started = start_vm(&vm, serve_entry);
    vmm_unlock(&vm.lock);
    if (!started)
        return 1;
    serve(0);
}
