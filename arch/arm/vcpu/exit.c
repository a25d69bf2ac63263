/* Guest exits: a trap from a thread bound to a vCPU, decoded from the HSR
 * into a fault message for the VMM (or handled here: WFI/WFE), and the
 * completion of an exit the VMM emulated (OPAL_FAULT_REPLY_EMULATE). */
#include "opal/fault.h"
#include "core/hsr.h"
#include "arch/cp15.h"
#include "arch/guest.h"
#include "fault.h"
#include "objects.h"
#include "sched.h"

#define HPFAR_IPA(hpfar)  (((hpfar) & ~0xfu) << 8)
#define CALL_RESULTS      4u   /* an HVC's or SMC's results: r0-r3 */

/* A handler decodes one exit class; true if the exit is now the thread's
 * fault message for the VMM, false if the kernel dealt with it. */
typedef bool (*exit_handler)(struct thread *thread, uint32_t hsr);

/* A general register (0-14) as the guest's current mode names it: the
 * operand of a trapped instruction. Valid indexes cannot fail. */
static uint32_t guest_register(struct vcpu *vcpu, uint32_t index)
{
    uint32_t value = 0;
    arch_vcpu_read_register(vcpu, index, &value);
    return value;
}

static uint32_t instruction_length(uint32_t hsr)
{
    return hsr & HSR_IL ? 4 : 2;
}

bool exit_record(struct thread *thread, uint32_t label, uint32_t length, uint32_t advance,
                 uint32_t rt, uint32_t rt2)
{
    struct arch_vcpu *vcpu = &thread->vcpu->arch;
    vcpu->exit_label = label;
    vcpu->exit_advance = advance;
    vcpu->exit_register = rt;
    vcpu->exit_register2 = rt2;
    fault_record(thread, label, length);
    return true;
}

/* WFI blocks until a virtual interrupt is pending. WFE yields, as the
 * Yield system call does: a guest spinning on a lock with WFE (Linux's
 * spinlocks) lets the other threads of its priority run, among them
 * another vCPU of its VM on the same core that may hold the lock; alone,
 * it goes straight back. */
static bool exit_wait(struct thread *thread, uint32_t hsr)
{
    thread->context.pc += instruction_length(hsr);
    if (!(hsr & HSR_WFE)) {
        vcpu_wait_for_interrupt(thread);
        return false;
    }
    thread->slice_end = 0;
    sched_rotate_current();
    return false;
}

/* HVC returns to the next instruction already; a trapped SMC does not. */
static bool exit_call(struct thread *thread, uint32_t hsr)
{
    bool hvc = HSR_CLASS(hsr) == HSR_CLASS_HVC;
    const uint32_t *r = thread->context.r;
    uint32_t *words = thread->fault_words;
    words[0] = r[0];
    words[1] = r[1];
    words[2] = r[2];
    words[3] = r[3];
    words[4] = hvc ? HSR_HVC_IMMEDIATE(hsr) : 0;
    return exit_record(thread, hvc ? OPAL_GUEST_EXIT_HVC : OPAL_GUEST_EXIT_SMC,
                       OPAL_GUEST_EXIT_CALL_LENGTH, hvc ? 0 : instruction_length(hsr),
                       NO_REGISTER, NO_REGISTER);
}

/* DCISW, DCCSW, DCCISW (HCR.TSW): a guest cannot know which lines of the
 * shared cache are its own, so the kernel cleans and invalidates the line
 * it names (docs/isolation.md): the guest's data reaches memory, and no
 * other partition's dirty line is ever discarded. */
#define DCISW  SYSREG(15, 0, 7, 6, 2)
#define DCCSW  SYSREG(15, 0, 7, 10, 2)
#define DCCISW SYSREG(15, 0, 7, 14, 2)

static bool is_set_way_operation(const struct sysreg_access *access)
{
    return !access->read && (access->id == DCISW || access->id == DCCSW || access->id == DCCISW);
}

static bool exit_set_way(struct thread *thread, uint32_t hsr, uint32_t rt)
{
    cache_clean_invalidate_set_way(guest_register(thread->vcpu, rt));
    thread->context.pc += instruction_length(hsr);
    return false;
}

/* The exit table sends only the four register-access classes here. */
static bool exit_system_register(struct thread *thread, uint32_t hsr)
{
    struct vcpu *vcpu = thread->vcpu;
    struct sysreg_access access;
    (void)hsr_sysreg(hsr, &access);
    bool wide = SYSREG_WIDE(access.id);
    uint32_t rt = access.rt, rt2 = wide ? access.rt2 : NO_REGISTER;
    if (is_set_way_operation(&access))
        return exit_set_way(thread, hsr, rt);
    uint32_t *words = thread->fault_words;
    words[0] = thread->context.pc;
    words[1] = hsr;
    words[2] = guest_register(vcpu, rt);
    words[3] = wide ? guest_register(vcpu, rt2) : 0;
    return exit_record(thread, OPAL_GUEST_EXIT_SYSREG, OPAL_GUEST_EXIT_SYSREG_LENGTH,
                       instruction_length(hsr), access.read ? rt : NO_REGISTER,
                       access.read ? rt2 : NO_REGISTER);
}

/* A stage-2 abort: outside the guest's RAM, so MMIO for the VMM to emulate
 * (or a stray access for it to report). */
static bool exit_abort(struct thread *thread, uint32_t hsr)
{
    bool fetch = HSR_CLASS(hsr) == HSR_CLASS_PREFETCH_ABORT_LOWER;
    uint32_t far = fetch ? hifar_read() : hdfar_read();
    uint32_t address = HPFAR_IPA(hpfar_read()) | (far & 0xfffu);
    thread->vcpu->arch.exit_address = far;
    uint32_t access = fetch ? OPAL_GUEST_ACCESS_FETCH : 0, rt = NO_REGISTER, value = 0;
    if (!fetch && (hsr & HSR_ABORT_VALID)) {
        uint32_t size = HSR_ABORT_SAS(hsr);
        access = OPAL_GUEST_ACCESS_DECODED | size << 1 |
                 (hsr & HSR_ABORT_SSE ? OPAL_GUEST_ACCESS_SIGN_EXTEND : 0);
        rt = HSR_ABORT_SRT(hsr);
        if (hsr & HSR_DATA_ABORT_WRITE) {
            uint32_t bits = 8u << size;
            value = guest_register(thread->vcpu, rt);
            value &= bits == 32 ? ~0u : (1u << bits) - 1;
        }
    }
    if (!fetch && (hsr & HSR_DATA_ABORT_WRITE))
        access |= OPAL_GUEST_ACCESS_WRITE;
    thread->vcpu->arch.exit_access = access;
    uint32_t *words = thread->fault_words;
    words[0] = thread->context.pc;
    words[1] = address;
    words[2] = access;
    words[3] = rt;
    words[4] = value;
    words[5] = hsr;
    return exit_record(thread, OPAL_GUEST_EXIT_ABORT, OPAL_GUEST_EXIT_ABORT_LENGTH,
                       instruction_length(hsr),
                       access & OPAL_GUEST_ACCESS_WRITE ? NO_REGISTER : rt, NO_REGISTER);
}

static bool exit_other(struct thread *thread, uint32_t hsr)
{
    thread->fault_words[0] = thread->context.pc;
    thread->fault_words[1] = hsr;
    return exit_record(thread, OPAL_GUEST_EXIT_EXCEPTION, OPAL_GUEST_EXIT_EXCEPTION_LENGTH,
                       0, NO_REGISTER, NO_REGISTER);
}

static const exit_handler exit_table[HSR_CLASS_COUNT] = {
    [HSR_CLASS_WFI_WFE] = exit_wait,
    [HSR_CLASS_HVC] = exit_call,
    [HSR_CLASS_SMC] = exit_call,
    [HSR_CLASS_CP15_32] = exit_system_register,
    [HSR_CLASS_CP15_64] = exit_system_register,
    [HSR_CLASS_CP14_32] = exit_system_register,
    [HSR_CLASS_CP14_64] = exit_system_register,
    [HSR_CLASS_DATA_ABORT_LOWER] = exit_abort,
    [HSR_CLASS_PREFETCH_ABORT_LOWER] = exit_abort,
};

bool exit_decode(struct thread *thread, uint32_t hsr)
{
    exit_handler handler = exit_table[HSR_CLASS(hsr)];
    return (handler ? handler : exit_other)(thread, hsr);
}

/* A load's value as the access defines it: truncated, maybe sign-extended. */
static uint32_t loaded_value(uint32_t access, uint32_t value)
{
    uint32_t bits = 8u * OPAL_GUEST_ACCESS_SIZE(access);
    if (bits == 32)
        return value;
    value &= (1u << bits) - 1;
    if ((access & OPAL_GUEST_ACCESS_SIGN_EXTEND) && (value >> (bits - 1)))
        value |= ~0u << bits;
    return value;
}

#define CPSR_FLAGS 0xf0000000u

static void set_flags(struct thread *thread, uint32_t value)
{
    thread->context.cpsr = (thread->context.cpsr & ~CPSR_FLAGS) | (value & CPSR_FLAGS);
}

void arch_vcpu_complete_exit(struct thread *thread, const uint32_t *results, uint32_t count)
{
    struct vcpu *vcpu = thread->vcpu;
    struct arch_vcpu *state = &vcpu->arch;
    thread->context.pc += state->exit_advance;
    state->exit_advance = 0;
    switch (state->exit_label) {
    case OPAL_GUEST_EXIT_HVC:
    case OPAL_GUEST_EXIT_SMC:
        count = count < CALL_RESULTS ? count : CALL_RESULTS;
        for (uint32_t i = 0; i < count; i++)
            thread->context.r[i] = results[i];
        break;
    case OPAL_GUEST_EXIT_ABORT:
        if (state->exit_register != NO_REGISTER && count >= 1)
            arch_vcpu_write_register(vcpu, state->exit_register,
                                    loaded_value(state->exit_access, results[0]));
        break;
    case OPAL_GUEST_EXIT_SYSREG:
        if (state->exit_register == OPAL_VCPU_PC && count >= 1)
            set_flags(thread, results[0]);   /* MRC to APSR_nzcv */
        else if (state->exit_register != NO_REGISTER && count >= 1)
            arch_vcpu_write_register(vcpu, state->exit_register, results[0]);
        if (state->exit_register2 != NO_REGISTER && count >= 2)
            arch_vcpu_write_register(vcpu, state->exit_register2, results[1]);
        break;
    default:
        break;
    }
    state->exit_label = 0;
}
