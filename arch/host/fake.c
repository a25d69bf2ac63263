/* The fake arch layer for host unit tests: settable counter, recorded timer, IRQ,
 * mapping and vCPU-unload calls, a small VMID pool, a captured console (arch/fake.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "opal/error.h"
#include "core/gicv2.h"
#include "arch/fake.h"
#include "arch/inline.h"
#include "arch.h"
#include "core.h"
#include "kernel.h"
#include "objects.h"
#include "platform.h"
#include "vcpu.h"

struct fake_arch fake;

/* Host tests' memory comes from malloc anywhere in the 32-bit space: all
 * of it counts as RAM. */
struct platform platform = { .source = "host", .cores = 1, .ram_base = 0, .ram_size = 0xffffffffu };
struct arch_core *fake_core_self = &cores[0].arch;

void fake_set_core(unsigned core)
{
    fake_core_self = &cores[core].arch;
}

void arch_send_ipi(const struct core *core)
{
    fake.ipis[core->index]++;
}

void arch_cpu_relax(void)
{
}

void fake_reset(void)
{
    memset(&fake, 0, sizeof fake);
    fake_set_core(0);
    fake.deadline = UINT64_MAX;
    fake.console_room = UINT32_MAX;
    for (unsigned irq = 0; irq < FAKE_IRQS; irq++)
        fake.irq_masked[irq] = true;
}

const char *fake_console(void)
{
    return fake.console;
}

void fake_console_clear(void)
{
    fake.console_length = 0;
    fake.console[0] = '\0';
}

void arch_console_putc(char c)
{
    if (fake.console_length + 1 < FAKE_CONSOLE_SIZE) {
        fake.console[fake.console_length++] = c;
        fake.console[fake.console_length] = '\0';
    }
}

/* The fake UART's FIFO holds console_room more characters (a test sets it). */
bool arch_console_try_putc(char c)
{
    if (fake.console_room == 0)
        return false;
    fake.console_room--;
    arch_console_putc(c);
    return true;
}

/* The kernel gave up (panic) or powered off: no test expects that. */
static __attribute__((noreturn)) void stop(const char *why)
{
    fprintf(stderr, "fake arch: %s; console so far:\n%s\n", why, fake.console);
    abort();
}

void arch_halt(void)
{
    stop("arch_halt");
}

void arch_system_off(void)
{
    stop("arch_system_off");
}

void arch_enter_user(struct arch_context *context)
{
    (void)context;
    stop("arch_enter_user");
}

/* As on ARM: the class is the syndrome's top six bits. */
uint32_t arch_syndrome_class(uint32_t syndrome)
{
    return syndrome >> 26;
}

bool arch_syndrome_is_syscall(uint32_t syndrome)
{
    return arch_syndrome_class(syndrome) == 0x11; /* SVC */
}

void arch_handle_interrupts(void)
{
    stop("arch_handle_interrupts");
}

uint64_t arch_timer_now(void)
{
    return fake.now;
}

uint32_t arch_timer_frequency(void)
{
    return FAKE_TIMER_FREQUENCY;
}

void arch_timer_set_deadline(uint64_t deadline)
{
    fake.deadline = deadline;
    fake.deadlines_set++;
}

/* Idle: the armed deadline is the next interrupt, so time jumps to it. */
void arch_wait_for_interrupt(void)
{
    if (fake.deadline == UINT64_MAX)
        stop("waiting for an interrupt with no deadline armed (would hang)");
    fake.waits++;
    if (fake.now < fake.deadline)
        fake.now = fake.deadline;
}

bool arch_interrupt_pending(void)
{
    return fake.interrupt_pending;
}

bool arch_irq_available(uint32_t irq)
{
    return irq >= 16 && irq < FAKE_IRQS;
}

void arch_irq_mask(uint32_t irq)
{
    if (irq < FAKE_IRQS)
        fake.irq_masked[irq] = true;
}

void arch_irq_unmask(uint32_t irq)
{
    if (irq < FAKE_IRQS)
        fake.irq_masked[irq] = false;
}

/* Host pointers are 32 bits (-m32): a "physical" address is the pointer. */
void *arch_phys_to_virt(paddr_t address)
{
    return (void *)(uintptr_t)pa_value(address);
}

int arch_vspace_boot_map(struct arch_vspace *vspace, uaddr_t address, paddr_t frame,
                         unsigned rights)
{
    (void)vspace, (void)address, (void)frame, (void)rights;
    return OPAL_ERR_ILLEGAL_OPERATION;
}

/* Host pointers are the addresses: every VSpace maps them 1:1, except the
 * pages a test declares unmapped. */
bool arch_vspace_translate(const struct arch_vspace *vspace, uaddr_t address, unsigned rights,
                           paddr_t *physical)
{
    (void)vspace, (void)rights;
    if (ua_value(address) - fake.unmapped_start < fake.unmapped_size)
        return false;
    *physical = pa_make(ua_value(address));
    return true;
}

void arch_sync_instructions(paddr_t start, size_t size)
{
    (void)start, (void)size;
}

uint32_t arch_vmids_available(void)
{
    return FAKE_VMIDS - (uint32_t)__builtin_popcount(fake.vmids_used);
}

/* VMIDs 1..FAKE_VMIDS; retype checks availability first. */
void arch_vspace_object_initialise(struct arch_vspace *vspace)
{
    for (uint32_t vmid = 1; vmid <= FAKE_VMIDS; vmid++) {
        if (!(fake.vmids_used & (1u << (vmid - 1)))) {
            fake.vmids_used |= 1u << (vmid - 1);
            vspace->vmid = vmid;
            return;
        }
    }
    stop("VSpace initialised with no VMID left");
}

void arch_vspace_object_finalise(struct arch_vspace *vspace)
{
    if (vspace->vmid == 0 || vspace->vmid > FAKE_VMIDS)
        stop("VSpace finalised without a VMID");
    fake.vmids_used &= ~(1u << (vspace->vmid - 1));
    vspace->vmid = 0;
    fake.vspaces_finalised++;
}

void arch_mapping_deleted(const struct cap *cap)
{
    fake.mapping_stack = (uintptr_t)__builtin_frame_address(0);
    if (fake.mappings_deleted < FAKE_MAPPING_RECORDS)
        fake.mapping_objects[fake.mappings_deleted] = cap->object;
    fake.mappings_deleted++;
}

/* Frames are never mapped here (arch_vspace_invoke maps nothing). */
bool arch_frame_mapping(const struct cap *cap, uaddr_t *address)
{
    (void)cap;
    *address = ua_make(0);
    return false;
}

int arch_vspace_invoke(struct invocation *invocation)
{
    (void)invocation;
    return OPAL_ERR_ILLEGAL_OPERATION;
}

/* vCPUs: no hardware, so the state stays in memory; list registers are the
 * saved copies. Enough for the portable kernel's life-cycle paths. */
void arch_vcpu_initialise(struct arch_vcpu *vcpu)
{
    vcpu->registers[OPAL_VCPU_GICH_HCR] = 1;
}

void arch_vcpu_unload(struct vcpu *vcpu)
{
    if (fake.vcpu_unloads < FAKE_VCPU_UNLOAD_RECORDS)
        fake.vcpu_unloaded[fake.vcpu_unloads] = (uintptr_t)vcpu;
    fake.vcpu_unloads++;
}

bool arch_vcpu_register_exists(uint32_t index)
{
    return index < OPAL_VCPU_REGISTER_COUNT;
}

int arch_vcpu_read_register(struct vcpu *vcpu, uint32_t index, uint32_t *value)
{
    if (index >= OPAL_VCPU_REGISTER_COUNT)
        return OPAL_ERR_INVALID_ARGUMENT;
    *value = vcpu->arch.registers[index];
    return OPAL_OK;
}

int arch_vcpu_write_register(struct vcpu *vcpu, uint32_t index, uint32_t value)
{
    if (index >= OPAL_VCPU_REGISTER_COUNT)
        return OPAL_ERR_INVALID_ARGUMENT;
    vcpu->arch.registers[index] = value;
    return OPAL_OK;
}

int arch_vcpu_inject(struct vcpu *vcpu, uint32_t irq, uint32_t priority, uint32_t slot,
                     uint32_t flags, uint32_t *used)
{
    (void)priority;
    (void)flags;
    uint32_t *lrs = &vcpu->arch.registers[OPAL_VCPU_GICH_LR0];
    if (slot == OPAL_VIRQ_ANY_SLOT)
        for (slot = 0; slot < OPAL_VCPU_LIST_REGISTERS && lrs[slot]; slot++)
            ;
    if (slot >= OPAL_VCPU_LIST_REGISTERS)
        return OPAL_ERR_BUSY;
    lrs[slot] = irq | GICH_LR_PENDING;
    *used = slot;
    return OPAL_OK;
}

bool arch_vcpu_interrupt_pending(struct vcpu *vcpu)
{
    for (unsigned i = 0; i < OPAL_VCPU_LIST_REGISTERS; i++)
        if (vcpu->arch.registers[OPAL_VCPU_GICH_LR0 + i] & GICH_LR_PENDING)
            return true;
    return false;
}

void arch_vcpu_raise_exception(struct thread *thread, uint32_t answer)
{
    (void)thread;
    fake.exception_raised = answer;
}

void arch_vcpu_complete_exit(struct thread *thread, const uint32_t *results, uint32_t count)
{
    for (uint32_t i = 0; i < count && i < 4; i++)
        thread->context.r[i] = results[i];
}
