/* vCPU objects (kernel/object/vcpu.c) invoked through the system-call decode on the fake
 * arch: retype, binding and its end on deletion, registers, injection, WFI, the vtimer. */
#define UNIT_SUITE "vcpu"
#include "unit.h"
#include "kernel_fixture.h"
#include "core/gicv2.h"
#include "opal/syscall.h"
#include "platform.h"
#include "vcpu.h"
#include "vtimer.h"

#define VCPU 20             /* the vCPU under test */
#define OTHER_VCPU 21       /* a second one, from the same retype */
#define EP 22               /* an endpoint */
#define NTFN 23             /* a notification */
#define FREE 30             /* free slots from here */
#define SMALL_UNTYPED 40    /* untypeds of a chosen size */
#define GUEST_PRIORITY 10
#define VTIMER_PPI 27       /* the machine's virtual timer interrupt (QEMU virt, as on hardware) */
#define POISON FIXTURE_POISON
#define GUARD_MISMATCH 0x100000u /* a bit inside the root CNode's 20-bit zero guard */

/* ARMv7 CPSR fields (ARM ARM B1.3.3). */
#define CPSR_MODE_MASK 0x1fu
#define CPSR_MODE_USR 0x10u
#define CPSR_MODE_SVC 0x13u
#define CPSR_F 0x40u
#define CPSR_I 0x80u
#define CPSR_A 0x100u

static struct vcpu *vcpu_in(uint32_t index)
{
    return cap_object(&fx.root[index].cap);
}

static int retype_vcpus(uint32_t untyped, uint32_t index, uint32_t count)
{
    return fixture_retype(untyped, OPAL_OBJECT_VCPU, OPAL_VCPU_BITS, index, count);
}

/* The fixture, the machine's virtual timer, two vCPUs, an endpoint and a notification. */
static void setup(void)
{
    fixture_setup();
    platform.virtual_timer_irq = VTIMER_PPI;
    if (retype_vcpus(FIXTURE_UNTYPED, VCPU, 2) != OPAL_OK ||
        fixture_retype(FIXTURE_UNTYPED, OPAL_OBJECT_ENDPOINT, 0, EP, 1) != OPAL_OK ||
        fixture_retype(FIXTURE_UNTYPED, OPAL_OBJECT_NOTIFICATION, 0, NTFN, 1) != OPAL_OK)
        fixture_die("vCPU world");
}

static int call(uint32_t cptr, uint32_t label, const uint32_t *arguments, uint32_t length)
{
    return fixture_call(cptr, label, arguments, length, NULL);
}

#define CALL(cptr, label, ...) \
    call(cptr, label, FIXTURE_ARGS(__VA_ARGS__), FIXTURE_COUNT(__VA_ARGS__))

/* The last call's results: how many words (the reply tag's length) and the first. */
static uint32_t result_count(void)
{
    return OPAL_TAG_LENGTH(fx.caller->context.r[1]);
}

static uint32_t first_result(void)
{
    return fx.caller->context.r[2];
}

/* InjectIRQ of `irq` at a middle priority, group 0, into a list register the kernel picks. */
static int inject_anywhere(uint32_t vcpu, uint32_t irq)
{
    return CALL(vcpu, OPAL_VCPU_INJECT_IRQ, irq, 0x80, OPAL_VIRQ_ANY_SLOT, 0);
}

/* A runnable thread at GUEST_PRIORITY; its TCB cap's root slot in *tcb. */
static struct thread *new_thread(uint32_t *tcb)
{
    *tcb = fx.next_new; /* fixture_thread() puts the TCB cap in the next slot */
    return fixture_thread(GUEST_PRIORITY);
}

static struct thread *bound_guest(uint32_t vcpu, uint32_t *tcb)
{
    struct thread *thread = new_thread(tcb);
    if (CALL(vcpu, OPAL_VCPU_BIND_TCB, *tcb) != OPAL_OK || thread->vcpu != vcpu_in(vcpu))
        fixture_die("binding a guest thread to slot %u", vcpu);
    return thread;
}

/* A guest of the vCPU in slot `vcpu` that executed WFI with nothing pending. */
static struct thread *idle_guest(uint32_t vcpu, uint32_t *tcb)
{
    struct thread *thread = bound_guest(vcpu, tcb);
    vcpu_wait_for_interrupt(thread);
    if (thread->state != THREAD_BLOCKED_GUEST_IDLE || thread->in_ready_queue)
        fixture_die("the guest did not idle");
    return thread;
}

/* The thread is runnable, queued, and the one the scheduler would pick. */
static void check_next_to_run(const struct thread *thread)
{
    CHECK_EQ(thread->state, THREAD_RUNNABLE);
    CHECK(thread->in_ready_queue);
    CHECK(sched_highest() == thread);
}

static bool in_user_mode(const struct thread *thread)
{
    return (thread->context.cpsr & CPSR_MODE_MASK) == CPSR_MODE_USR;
}

/* The call fails with `error` and leaves as they were: the root CNode, the
 * vCPU in root slot `index`, the thread `guest` (may be NULL), IRQ masks, unloads. */
static struct vcpu vcpu_before;
static struct thread guest_before;
static bool irq_masked_before[FAKE_IRQS];
#define CHECK_VCPU_FAILS_CLEANLY(error, index, guest, invocation)                        \
    do {                                                                                 \
        struct vcpu *vcpu_ = vcpu_in(index);                                             \
        struct thread *guest_ = (guest);                                                 \
        unsigned unloads_ = fake.vcpu_unloads;                                           \
        memcpy(&vcpu_before, vcpu_, sizeof vcpu_before);                                 \
        if (guest_)                                                                      \
            memcpy(&guest_before, guest_, sizeof guest_before);                          \
        memcpy(irq_masked_before, fake.irq_masked, sizeof irq_masked_before);            \
        CHECK_FAILS_CLEANLY(error, invocation);                                          \
        CHECK(memcmp(&vcpu_before, vcpu_, sizeof vcpu_before) == 0);                     \
        CHECK(guest_ == NULL || memcmp(&guest_before, guest_, sizeof guest_before) == 0); \
        CHECK(memcmp(irq_masked_before, fake.irq_masked, sizeof irq_masked_before) == 0); \
        CHECK_EQ(fake.vcpu_unloads, unloads_);                                           \
    } while (0)

/* ---- Retype ---- */

TEST(retype_carves_a_1_KiB_vcpu_aligned_to_its_size)
{
    fixture_setup();
    uint8_t *arena = fixture_untyped(SMALL_UNTYPED, 12, false);
    CHECK_EQ(fixture_retype(SMALL_UNTYPED, OPAL_OBJECT_ENDPOINT, 0, FREE, 1), OPAL_OK);
    CHECK_EQ(retype_vcpus(SMALL_UNTYPED, FREE + 1, 3), OPAL_OK);
    for (uint32_t i = 0; i < 3; i++) {
        const struct slot *slot = &fx.root[FREE + 1 + i];
        CHECKF(slot->cap.type == OPAL_OBJECT_VCPU, "vCPU %u: type %u", i, slot->cap.type);
        /* the 16-byte endpoint pushes the first to the next KiB */
        CHECK_EQ(slot->cap.object, fixture_address(arena) + (i + 1) * 1024u);
        CHECK(slot->parent == &fx.root[SMALL_UNTYPED]);
        const struct vcpu *vcpu = cap_object(&slot->cap);
        CHECK(vcpu->thread == NULL);
        CHECK_EQ(vcpu->vtimer_irq, 0);
    }
    /* the arch layer initialised it: the fake's fresh GICH_HCR is 1 */
    CHECK_EQ(CALL(FREE + 1, OPAL_VCPU_READ_REGISTER, OPAL_VCPU_GICH_HCR), OPAL_OK);
    CHECK_EQ(first_result(), 1);
    CHECK_FAILS_CLEANLY(OPAL_ERR_NOT_ENOUGH_MEMORY, retype_vcpus(SMALL_UNTYPED, FREE + 4, 1));
    CHECK_INVARIANTS();
}

/* docs/api.md: size_bits matters for Untyped, CNode and Frame; other types ignore it. */
TEST(retype_ignores_size_bits_as_for_other_fixed_size_objects)
{
    fixture_setup();
    uint8_t *arena = fixture_untyped(SMALL_UNTYPED, 13, false);
    static const uint32_t size_bits[] = { 0, OPAL_VCPU_BITS - 1, OPAL_VCPU_BITS + 1, 99,
                                          0xffffffffu };
    for (uint32_t i = 0; i < sizeof size_bits / sizeof size_bits[0]; i++) {
        int error = fixture_retype(SMALL_UNTYPED, OPAL_OBJECT_VCPU, size_bits[i], FREE + i, 1);
        CHECKF(error == OPAL_OK, "size_bits %u: %s", size_bits[i], opal_error_name(error));
        CHECK_EQ(fx.root[FREE + i].cap.object, fixture_address(arena) + i * 1024u);
        CHECK_EQ(fx.root[FREE + i].cap.size_bits, 0);
    }
    CHECK_INVARIANTS();
}

TEST(retype_refusals_change_nothing)
{
    fixture_setup();
    fixture_untyped(SMALL_UNTYPED, 9, false);    /* half a vCPU */
    fixture_untyped(SMALL_UNTYPED + 1, 12, true); /* device memory */
    CHECK_FAILS_CLEANLY(OPAL_ERR_NOT_ENOUGH_MEMORY, retype_vcpus(SMALL_UNTYPED, FREE, 1));
    CHECK_FAILS_CLEANLY(OPAL_ERR_ILLEGAL_OPERATION, retype_vcpus(SMALL_UNTYPED + 1, FREE, 1));
    CHECK_FAILS_CLEANLY(OPAL_ERR_RANGE, retype_vcpus(FIXTURE_UNTYPED, FREE, 0));
    CHECK_FAILS_CLEANLY(OPAL_ERR_RANGE, retype_vcpus(FIXTURE_UNTYPED, FREE, 257));
}

/* ---- Labels and message lengths ---- */

TEST(labels_outside_vcpu_methods_are_illegal)
{
    setup();
    uint32_t tcb;
    struct thread *guest = idle_guest(VCPU, &tcb);
    static const uint32_t labels[] = { 0, OPAL_VCPU_BIND_TCB - 1, OPAL_VCPU_SET_VTIMER_IRQ + 1,
                                       OPAL_UNTYPED_RETYPE, OPAL_TCB_RESUME, OPAL_CNODE_DELETE,
                                       OPAL_IRQ_HANDLER_ACK };
    for (unsigned i = 0; i < sizeof labels / sizeof labels[0]; i++)
        CHECK_VCPU_FAILS_CLEANLY(OPAL_ERR_ILLEGAL_OPERATION, VCPU, guest,
                                 CALL(VCPU, labels[i], 0, VTIMER_PPI, 0, 0));
}

/* Each method with one word fewer than it takes (down to none) is refused,
 * although the words given would act on the idle guest if they were read. */
TEST(each_method_needs_its_argument_words)
{
    setup();
    uint32_t guest_tcb, other_tcb;
    struct thread *guest = idle_guest(VCPU, &guest_tcb);
    new_thread(&other_tcb);
    const struct {
        uint32_t label, words;
        uint32_t arguments[OPAL_MSG_REGISTERS];
    } methods[] = {
        { OPAL_VCPU_BIND_TCB, 1, { other_tcb } },
        { OPAL_VCPU_READ_REGISTER, 1, { OPAL_VCPU_SCTLR } },
        { OPAL_VCPU_WRITE_REGISTER, 2, { OPAL_VCPU_SCTLR, 0x12345678u } },
        { OPAL_VCPU_INJECT_IRQ, 4, { 40, 0x80, 0, 0 } },
        { OPAL_VCPU_SET_VTIMER_IRQ, 2, { VTIMER_PPI, 0x80 } },
    };
    for (unsigned i = 0; i < sizeof methods / sizeof methods[0]; i++) {
        for (uint32_t length = 0; length < methods[i].words; length++)
            CHECK_VCPU_FAILS_CLEANLY(OPAL_ERR_TRUNCATED, VCPU, guest,
                                     call(VCPU, methods[i].label, methods[i].arguments, length));
    }
}

/* ---- Binding ---- */

TEST(bind_runs_the_guest_from_the_boot_state)
{
    setup();
    uint32_t tcb;
    struct thread *thread = new_thread(&tcb);
    CHECK(in_user_mode(thread)); /* a native thread until now */
    thread->context.pc = 0x40008000u;
    CHECK_EQ(CALL(VCPU, OPAL_VCPU_BIND_TCB, tcb), OPAL_OK);
    CHECK_EQ(result_count(), 0);
    CHECK(vcpu_in(VCPU)->thread == thread);
    CHECK(thread->vcpu == vcpu_in(VCPU));
    /* docs/api.md: SVC mode with interrupts (IRQ, FIQ, asynchronous aborts) masked */
    CHECK_EQ(thread->context.cpsr, CPSR_MODE_SVC | CPSR_A | CPSR_I | CPSR_F);
    CHECK_EQ(OPAL_VCPU_BOOT_CPSR, CPSR_MODE_SVC | CPSR_A | CPSR_I | CPSR_F);
    CHECK_EQ(thread->context.pc, 0x40008000u);
    CHECK_EQ(thread->state, THREAD_RUNNABLE);
    CHECK(thread->in_ready_queue);
    CHECK_EQ(fake.vcpu_unloads, 0); /* nothing was bound before */
    CHECK(vcpu_in(OTHER_VCPU)->thread == NULL);
    CHECK_INVARIANTS();
}

TEST(a_thread_cannot_bind_itself)
{
    setup();
    uint32_t tcb;
    struct thread *guest = bound_guest(VCPU, &tcb);
    fixture_boot_cap(FREE, (struct cap){ .type = OPAL_OBJECT_TCB, .rights = OPAL_RIGHTS_ALL,
                                         .object = fixture_address(fx.caller) });
    uint32_t caller_cpsr = fx.caller->context.cpsr;
    /* a bound vCPU keeps its guest, an unbound one stays free */
    CHECK_VCPU_FAILS_CLEANLY(OPAL_ERR_ILLEGAL_OPERATION, VCPU, guest,
                             CALL(VCPU, OPAL_VCPU_BIND_TCB, FREE));
    CHECK_VCPU_FAILS_CLEANLY(OPAL_ERR_ILLEGAL_OPERATION, OTHER_VCPU, NULL,
                             CALL(OTHER_VCPU, OPAL_VCPU_BIND_TCB, FREE));
    CHECK(fx.caller->vcpu == NULL);
    CHECK_EQ(fx.caller->context.cpsr, caller_cpsr);
}

/* docs/api.md, Errors: the named cap empty or of the wrong type is
 * INVALID_CAPABILITY; a CPtr that does not resolve is FAILED_LOOKUP. */
TEST(bind_needs_a_tcb_cap)
{
    setup();
    uint32_t tcb;
    struct thread *guest = bound_guest(VCPU, &tcb);
    const struct {
        uint32_t cptr;
        int error;
    } cases[] = {
        { FREE, OPAL_ERR_INVALID_CAPABILITY },            /* empty */
        { EP, OPAL_ERR_INVALID_CAPABILITY },
        { NTFN, OPAL_ERR_INVALID_CAPABILITY },
        { VCPU, OPAL_ERR_INVALID_CAPABILITY },            /* itself */
        { OTHER_VCPU, OPAL_ERR_INVALID_CAPABILITY },
        { FIXTURE_UNTYPED, OPAL_ERR_INVALID_CAPABILITY },
        { FIXTURE_ROOT_CPTR, OPAL_ERR_INVALID_CAPABILITY },
        { GUARD_MISMATCH | tcb, OPAL_ERR_FAILED_LOOKUP },
    };
    for (unsigned i = 0; i < sizeof cases / sizeof cases[0]; i++)
        CHECK_VCPU_FAILS_CLEANLY(cases[i].error, VCPU, guest,
                                 CALL(VCPU, OPAL_VCPU_BIND_TCB, cases[i].cptr));
}

TEST(rebinding_the_vcpu_releases_its_first_thread)
{
    setup();
    uint32_t first_tcb, second_tcb;
    struct thread *first = bound_guest(VCPU, &first_tcb);
    struct thread *second = new_thread(&second_tcb);
    struct vcpu *vcpu = vcpu_in(VCPU);
    CHECK_EQ(CALL(VCPU, OPAL_VCPU_BIND_TCB, second_tcb), OPAL_OK);
    CHECK(first->vcpu == NULL);
    CHECK(second->vcpu == vcpu);
    CHECK(vcpu->thread == second);
    CHECK_EQ(second->context.cpsr, OPAL_VCPU_BOOT_CPSR);
    CHECK_EQ(fake.vcpu_unloads, 1); /* its state left the CPU with the first thread */
    CHECK(fake.vcpu_unloaded[0] == (uintptr_t)vcpu);
    CHECK_EQ(first->state, THREAD_RUNNABLE);
    CHECK(first->in_ready_queue);
    CHECK_INVARIANTS();
}

/* A thread runs one guest: binding it to a second vCPU takes it from the first,
 * whose own binding ends; the second vCPU's previous thread is released too. */
TEST(binding_a_thread_of_another_vcpu_moves_it)
{
    setup();
    uint32_t mover_tcb, left_tcb;
    struct thread *mover = bound_guest(VCPU, &mover_tcb);
    struct thread *left = bound_guest(OTHER_VCPU, &left_tcb);
    CHECK_EQ(CALL(OTHER_VCPU, OPAL_VCPU_BIND_TCB, mover_tcb), OPAL_OK);
    CHECK(mover->vcpu == vcpu_in(OTHER_VCPU));
    CHECK(vcpu_in(OTHER_VCPU)->thread == mover);
    CHECK(vcpu_in(VCPU)->thread == NULL);
    CHECK(left->vcpu == NULL);
    CHECK_EQ(fake.vcpu_unloads, 2);
    CHECK(fake.vcpu_unloaded[0] != fake.vcpu_unloaded[1]);
    for (unsigned i = 0; i < 2; i++)
        CHECK(fake.vcpu_unloaded[i] == (uintptr_t)vcpu_in(VCPU) ||
              fake.vcpu_unloaded[i] == (uintptr_t)vcpu_in(OTHER_VCPU));
    CHECK_INVARIANTS();
}

TEST(binding_the_bound_thread_again_restarts_it_in_the_boot_state)
{
    setup();
    uint32_t tcb;
    struct thread *guest = bound_guest(VCPU, &tcb);
    guest->context.cpsr = 0x1fu; /* the guest went on to SYS mode */
    CHECK_EQ(CALL(VCPU, OPAL_VCPU_BIND_TCB, tcb), OPAL_OK);
    CHECK(guest->vcpu == vcpu_in(VCPU));
    CHECK(vcpu_in(VCPU)->thread == guest);
    CHECK_EQ(guest->context.cpsr, OPAL_VCPU_BOOT_CPSR);
}

TEST(cptr_0_unbinds)
{
    setup();
    uint32_t tcb;
    struct thread *guest = bound_guest(VCPU, &tcb);
    CHECK_EQ(CALL(VCPU, OPAL_VCPU_BIND_TCB, 0), OPAL_OK);
    CHECK(vcpu_in(VCPU)->thread == NULL);
    CHECK(guest->vcpu == NULL);
    CHECK_EQ(fake.vcpu_unloads, 1);
    CHECK(fake.vcpu_unloaded[0] == (uintptr_t)vcpu_in(VCPU));
    /* unbinding a free vCPU is no error and has nothing to unload */
    CHECK_EQ(CALL(VCPU, OPAL_VCPU_BIND_TCB, 0), OPAL_OK);
    CHECK_EQ(fake.vcpu_unloads, 1);
    CHECK_INVARIANTS();
}

TEST(unbinding_an_idle_guest_makes_it_runnable)
{
    setup();
    uint32_t tcb;
    struct thread *guest = idle_guest(VCPU, &tcb);
    CHECK(sched_highest() != guest);
    CHECK_EQ(CALL(VCPU, OPAL_VCPU_BIND_TCB, 0), OPAL_OK);
    check_next_to_run(guest);
    CHECK_INVARIANTS();
}

TEST(unbinding_leaves_a_thread_blocked_in_ipc_blocked)
{
    setup();
    uint32_t tcb;
    struct thread *guest = bound_guest(VCPU, &tcb);
    ipc_receive(guest, cap_object(&fx.root[EP].cap), NULL, true);
    CHECK_EQ(guest->state, THREAD_BLOCKED_RECEIVE);
    CHECK_EQ(CALL(VCPU, OPAL_VCPU_BIND_TCB, 0), OPAL_OK);
    CHECK(guest->vcpu == NULL);
    CHECK_EQ(guest->state, THREAD_BLOCKED_RECEIVE);
    CHECK(!guest->in_ready_queue);
    CHECK(guest->blocked_on == cap_object(&fx.root[EP].cap));
    CHECK_INVARIANTS();
}

/* docs/api.md: a native thread's CPSR is always user mode. A thread whose
 * vCPU binding ends is a native thread again, however the binding ends. */
TEST(a_thread_released_from_its_vcpu_runs_in_user_mode)
{
    setup();
    uint32_t unbound_tcb, replaced_tcb, moved_tcb, deleted_tcb, replacement_tcb;
    struct thread *unbound = idle_guest(VCPU, &unbound_tcb);
    CHECK_EQ(CALL(VCPU, OPAL_VCPU_BIND_TCB, 0), OPAL_OK);
    CHECK(in_user_mode(unbound));

    struct thread *replaced = bound_guest(VCPU, &replaced_tcb);
    struct thread *replacement = new_thread(&replacement_tcb);
    CHECK_EQ(CALL(VCPU, OPAL_VCPU_BIND_TCB, replacement_tcb), OPAL_OK);
    CHECK(in_user_mode(replaced));

    struct thread *moved = bound_guest(OTHER_VCPU, &moved_tcb);
    CHECK_EQ(CALL(VCPU, OPAL_VCPU_BIND_TCB, moved_tcb), OPAL_OK);
    CHECK(in_user_mode(replacement));
    CHECK_EQ(moved->context.cpsr, OPAL_VCPU_BOOT_CPSR); /* still a guest, of VCPU now */

    struct thread *deleted = bound_guest(OTHER_VCPU, &deleted_tcb);
    CHECK_EQ(CNODE(OPAL_CNODE_DELETE, OTHER_VCPU), OPAL_OK);
    CHECK(deleted->vcpu == NULL);
    CHECK(in_user_mode(deleted));
}

/* ---- Deletion ---- */

TEST(deleting_the_last_vcpu_cap_unbinds_its_thread)
{
    setup();
    uint32_t tcb;
    struct thread *guest = idle_guest(VCPU, &tcb);
    struct vcpu *vcpu = vcpu_in(VCPU);
    CHECK_EQ(CNODE(OPAL_CNODE_COPY, FREE, VCPU, OPAL_RIGHTS_ALL), OPAL_OK);
    CHECK_EQ(CNODE(OPAL_CNODE_DELETE, VCPU), OPAL_OK); /* a copy remains */
    CHECK(guest->vcpu == vcpu);
    CHECK(vcpu->thread == guest);
    CHECK_EQ(guest->state, THREAD_BLOCKED_GUEST_IDLE);
    CHECK_EQ(fake.vcpu_unloads, 0);
    CHECK_EQ(CNODE(OPAL_CNODE_DELETE, FREE), OPAL_OK);
    CHECK(guest->vcpu == NULL);
    CHECK(vcpu->thread == NULL);
    CHECK_EQ(fake.vcpu_unloads, 1);
    CHECK(fake.vcpu_unloaded[0] == (uintptr_t)vcpu);
    CHECK_EQ(guest->state, THREAD_RUNNABLE); /* no guest left to wait for an interrupt */
    CHECK(guest->in_ready_queue);
    CHECK_INVARIANTS();
}

TEST(revoking_the_vcpu_untyped_unbinds_its_thread)
{
    setup();
    uint32_t tcb;
    struct thread *guest = bound_guest(VCPU, &tcb); /* the thread's untyped is apart */
    CHECK_EQ(CNODE(OPAL_CNODE_REVOKE, FIXTURE_UNTYPED), OPAL_OK);
    CHECK(cap_is_null(&fx.root[VCPU].cap));
    CHECK(guest->vcpu == NULL);
    CHECK_EQ(guest->state, THREAD_RUNNABLE);
    CHECK_INVARIANTS();
}

/* The thread's destruction (its last TCB cap deleted, or its untyped revoked)
 * stops it first, so its vCPU's release must not queue it again: a destroyed
 * thread in the ready queue would run. The vCPU then serves a new thread,
 * which may live in the same memory. */
static void check_destroying_an_idle_guest_releases_its_vcpu(bool by_revoking_its_untyped)
{
    setup();
    uint32_t tcb, next_tcb;
    struct thread *guest = idle_guest(VCPU, &tcb);
    struct vcpu *vcpu = vcpu_in(VCPU);
    if (by_revoking_its_untyped)
        CHECK_EQ(CNODE(OPAL_CNODE_REVOKE, FIXTURE_THREAD_UNTYPED), OPAL_OK);
    else
        CHECK_EQ(CNODE(OPAL_CNODE_DELETE, tcb), OPAL_OK);
    CHECK(cap_is_null(&fx.root[tcb].cap));
    CHECK(vcpu->thread == NULL);
    CHECK_EQ(fake.vcpu_unloads, 1);
    CHECK(fake.vcpu_unloaded[0] == (uintptr_t)vcpu);
    CHECK(!guest->in_ready_queue);
    CHECK(sched_highest() == NULL);
    CHECK_INVARIANTS();

    struct thread *next = new_thread(&next_tcb);
    CHECK(!by_revoking_its_untyped || next == guest); /* the untyped starts again at 0 */
    CHECK(next->vcpu == NULL);
    CHECK_EQ(inject_anywhere(VCPU, 40), OPAL_OK);
    CHECK(vcpu->thread == NULL);
    CHECK_EQ(CALL(VCPU, OPAL_VCPU_BIND_TCB, next_tcb), OPAL_OK);
    CHECK(vcpu->thread == next);
    CHECK(next->vcpu == vcpu);
    CHECK_INVARIANTS();
}

TEST(deleting_the_bound_tcb_leaves_the_vcpu_unbound)
{
    check_destroying_an_idle_guest_releases_its_vcpu(false);
}

TEST(revoking_the_thread_untyped_leaves_the_vcpu_unbound)
{
    check_destroying_an_idle_guest_releases_its_vcpu(true);
}

/* ---- Registers ---- */

static uint32_t register_pattern(uint32_t index)
{
    return 0xa5000000u ^ (index * 0x00010203u);
}

TEST(registers_round_trip_each_on_its_own)
{
    setup();
    for (uint32_t index = 0; index < OPAL_VCPU_REGISTER_COUNT; index++) {
        int error = CALL(VCPU, OPAL_VCPU_WRITE_REGISTER, index, register_pattern(index));
        CHECKF(error == OPAL_OK, "write %u: %s", index, opal_error_name(error));
        CHECKF(result_count() == 0, "write %u: %u results", index, result_count());
    }
    for (uint32_t index = 0; index < OPAL_VCPU_REGISTER_COUNT; index++) {
        int error = CALL(VCPU, OPAL_VCPU_READ_REGISTER, index);
        CHECKF(error == OPAL_OK, "read %u: %s", index, opal_error_name(error));
        CHECKF(result_count() == 1, "read %u: %u results", index, result_count());
        CHECKF(first_result() == register_pattern(index), "register %u: 0x%x, wrote 0x%x",
               index, first_result(), register_pattern(index));
    }
    /* the other vCPU is apart */
    CHECK_EQ(CALL(OTHER_VCPU, OPAL_VCPU_READ_REGISTER, OPAL_VCPU_SCTLR), OPAL_OK);
    CHECK_EQ(first_result(), 0);
}

TEST(unknown_register_numbers_are_invalid)
{
    setup();
    uint32_t tcb;
    struct thread *guest = bound_guest(VCPU, &tcb);
    static const uint32_t numbers[] = { OPAL_VCPU_REGISTER_COUNT, 0x80000000u, 0xffffffffu };
    for (unsigned i = 0; i < sizeof numbers / sizeof numbers[0]; i++) {
        CHECK_VCPU_FAILS_CLEANLY(OPAL_ERR_INVALID_ARGUMENT, VCPU, guest,
                                 CALL(VCPU, OPAL_VCPU_READ_REGISTER, numbers[i]));
        CHECK_VCPU_FAILS_CLEANLY(OPAL_ERR_INVALID_ARGUMENT, VCPU, guest,
                                 CALL(VCPU, OPAL_VCPU_WRITE_REGISTER, numbers[i], 7));
    }
}

/* ---- InjectIRQ ---- */

TEST(inject_argument_errors_change_nothing)
{
    setup();
    uint32_t tcb;
    struct thread *guest = idle_guest(VCPU, &tcb);
    const struct {
        uint32_t irq, priority, slot, flags;
        int error;
    } cases[] = {
        { 1020, 0x80, 0, 0, OPAL_ERR_INVALID_ARGUMENT },
        { 0xffffffffu, 0x80, 0, 0, OPAL_ERR_INVALID_ARGUMENT },
        { 40, 256, 0, 0, OPAL_ERR_INVALID_ARGUMENT },
        { 40, 0xffffffffu, 0, 0, OPAL_ERR_INVALID_ARGUMENT },
        { 40, 0x80, 0, 1u << 2, OPAL_ERR_INVALID_ARGUMENT },
        { 40, 0x80, 0, 0x80000000u, OPAL_ERR_INVALID_ARGUMENT },
        { 40, 0x80, 0, 0xffffffffu, OPAL_ERR_INVALID_ARGUMENT },
        { 40, 0x80, OPAL_VCPU_LIST_REGISTERS, 0, OPAL_ERR_RANGE },
        { 40, 0x80, OPAL_VIRQ_ANY_SLOT - 1, 0, OPAL_ERR_RANGE },
        { 40, 0x80, OPAL_VIRQ_ANY_SLOT + 1, 0, OPAL_ERR_RANGE },
        { 40, 0x80, 0xffffffffu, 0, OPAL_ERR_RANGE },
    };
    for (unsigned i = 0; i < sizeof cases / sizeof cases[0]; i++)
        CHECK_VCPU_FAILS_CLEANLY(cases[i].error, VCPU, guest,
                                 CALL(VCPU, OPAL_VCPU_INJECT_IRQ, cases[i].irq, cases[i].priority,
                                      cases[i].slot, cases[i].flags));
    CHECK_EQ(guest->state, THREAD_BLOCKED_GUEST_IDLE);
}

TEST(inject_accepts_the_largest_valid_arguments)
{
    setup();
    CHECK_EQ(CALL(VCPU, OPAL_VCPU_INJECT_IRQ, 1019, 255, OPAL_VCPU_LIST_REGISTERS - 1,
                  OPAL_VIRQ_GROUP1 | OPAL_VIRQ_NOTIFY_EOI), OPAL_OK);
    CHECK_EQ(result_count(), 1);
    CHECK_EQ(first_result(), OPAL_VCPU_LIST_REGISTERS - 1);
}

/* The slot comes back; the list register it names holds the interrupt. */
TEST(inject_returns_the_list_register_it_used)
{
    setup();
    CHECK_EQ(CALL(VCPU, OPAL_VCPU_INJECT_IRQ, 33, 0x80, 2, 0), OPAL_OK);
    CHECK_EQ(result_count(), 1);
    CHECK_EQ(first_result(), 2);
    CHECK_EQ(CALL(VCPU, OPAL_VCPU_READ_REGISTER, OPAL_VCPU_GICH_LR2), OPAL_OK);
    CHECK_EQ(first_result() & GICH_LR_VIRTUAL_ID, 33);
    CHECK(first_result() & GICH_LR_PENDING);
    for (uint32_t round = 0; round < 3; round++) {
        uint32_t irq = 34 + round;
        CHECK_EQ(inject_anywhere(VCPU, irq), OPAL_OK);
        uint32_t slot = first_result();
        CHECKF(slot < OPAL_VCPU_LIST_REGISTERS && slot != 2, "irq %u went to slot %u", irq, slot);
        CHECK_EQ(CALL(VCPU, OPAL_VCPU_READ_REGISTER, OPAL_VCPU_GICH_LR0 + slot), OPAL_OK);
        CHECKF((first_result() & GICH_LR_VIRTUAL_ID) == irq, "slot %u holds 0x%x, not irq %u", slot,
               first_result(), irq);
    }
}

/* List registers holding active (not pending) interrupts: the guest may idle,
 * and an injection finds no room (BUSY), so nothing wakes it. */
TEST(inject_without_a_free_list_register_is_busy_and_wakes_nothing)
{
    setup();
    uint32_t tcb;
    struct thread *guest = bound_guest(VCPU, &tcb);
    for (uint32_t slot = 0; slot < OPAL_VCPU_LIST_REGISTERS; slot++)
        CHECK_EQ(CALL(VCPU, OPAL_VCPU_WRITE_REGISTER, OPAL_VCPU_GICH_LR0 + slot,
                      GICH_LR_ACTIVE | (50 + slot)), OPAL_OK);
    vcpu_wait_for_interrupt(guest);
    CHECK_EQ(guest->state, THREAD_BLOCKED_GUEST_IDLE);
    CHECK_VCPU_FAILS_CLEANLY(OPAL_ERR_BUSY, VCPU, guest,
                             inject_anywhere(VCPU, 40));
}

/* Only WFI's wait ends with an injection: a thread blocked in IPC, or stopped,
 * is not the guest's to wake. */
TEST(inject_leaves_a_guest_thread_blocked_otherwise_alone)
{
    setup();
    uint32_t receiver_tcb, waiter_tcb, stopped_tcb;
    struct thread *receiver = bound_guest(VCPU, &receiver_tcb);
    ipc_receive(receiver, cap_object(&fx.root[EP].cap), NULL, true);
    struct thread *waiter = bound_guest(OTHER_VCPU, &waiter_tcb);
    notification_wait(waiter, cap_object(&fx.root[NTFN].cap), true);
    CHECK_EQ(receiver->state, THREAD_BLOCKED_RECEIVE);
    CHECK_EQ(waiter->state, THREAD_BLOCKED_NOTIFICATION);
    CHECK_EQ(inject_anywhere(VCPU, 40), OPAL_OK);
    CHECK_EQ(inject_anywhere(OTHER_VCPU, 41), OPAL_OK);
    CHECK_EQ(receiver->state, THREAD_BLOCKED_RECEIVE);
    CHECK(!receiver->in_ready_queue);
    CHECK(((struct endpoint *)cap_object(&fx.root[EP].cap))->queue.head == receiver);
    CHECK_EQ(waiter->state, THREAD_BLOCKED_NOTIFICATION);
    CHECK(!waiter->in_ready_queue);

    CHECK_EQ(CNODE(OPAL_CNODE_DELETE, EP), OPAL_OK); /* the receiver goes on natively */
    CHECK_EQ(CALL(VCPU, OPAL_VCPU_BIND_TCB, 0), OPAL_OK);
    struct thread *stopped = bound_guest(VCPU, &stopped_tcb);
    thread_suspend(stopped);
    CHECK_EQ(inject_anywhere(VCPU, 42), OPAL_OK);
    CHECK_EQ(stopped->state, THREAD_INACTIVE);
    CHECK(!stopped->in_ready_queue);
    CHECK_INVARIANTS();
}

TEST(inject_into_an_unbound_vcpu_only_fills_a_list_register)
{
    setup();
    CHECK_EQ(CALL(VCPU, OPAL_VCPU_INJECT_IRQ, 40, 0x80, 1, 0), OPAL_OK);
    CHECK_EQ(first_result(), 1);
    CHECK(vcpu_in(VCPU)->thread == NULL);
    CHECK(sched_highest() == NULL);
    CHECK_EQ(CALL(VCPU, OPAL_VCPU_READ_REGISTER, OPAL_VCPU_GICH_LR1), OPAL_OK);
    CHECK_EQ(first_result() & GICH_LR_VIRTUAL_ID, 40);
}

/* ---- WFI ---- */

/* An injection ends the guest's WFI; while the interrupt stays pending, a
 * further WFI does not block. */
TEST(inject_wakes_a_guest_idle_in_wfi_and_a_pending_interrupt_keeps_it_awake)
{
    setup();
    uint32_t tcb;
    struct thread *guest = idle_guest(VCPU, &tcb);
    CHECK_EQ(inject_anywhere(VCPU, 40), OPAL_OK);
    check_next_to_run(guest);
    CHECK(guest->vcpu == vcpu_in(VCPU));
    vcpu_wait_for_interrupt(guest);
    check_next_to_run(guest);
    CHECK_INVARIANTS();
}

TEST(wfi_without_an_interrupt_blocks_the_guest_idle)
{
    setup();
    uint32_t queued_tcb, running_tcb, native_tcb;
    struct thread *queued = bound_guest(VCPU, &queued_tcb);
    vcpu_wait_for_interrupt(queued);
    CHECK_EQ(queued->state, THREAD_BLOCKED_GUEST_IDLE);
    CHECK(!queued->in_ready_queue);
    CHECK(sched_highest() == NULL);
    CHECK_INVARIANTS();

    /* the running guest (out of the queue) idles; the scheduler passes it by */
    struct thread *running = bound_guest(OTHER_VCPU, &running_tcb);
    struct thread *native = new_thread(&native_tcb);
    sched_dequeue(running);
    current_thread = running;
    vcpu_wait_for_interrupt(running);
    CHECK_EQ(running->state, THREAD_BLOCKED_GUEST_IDLE);
    CHECK(sched_choose() == native);
    CHECK(!running->in_ready_queue);
}

/* ---- SetVtimerIRQ ---- */

/* The first interrupt whose mask differs from all masked but the virtual
 * timer's PPI (unmasked if `timer_unmasked`); FAKE_IRQS if none does. */
static uint32_t first_irq_with_unexpected_mask(bool timer_unmasked)
{
    for (uint32_t irq = 0; irq < FAKE_IRQS; irq++) {
        if (fake.irq_masked[irq] != !(timer_unmasked && irq == VTIMER_PPI))
            return irq;
    }
    return FAKE_IRQS;
}

TEST(vtimer_argument_errors_change_nothing)
{
    setup();
    uint32_t tcb;
    struct thread *guest = bound_guest(VCPU, &tcb);
    const struct {
        uint32_t irq, priority;
    } cases[] = { { 1020, 0x80 }, { 0xffffffffu, 0x80 }, { VTIMER_PPI, 256 },
                  { VTIMER_PPI, 0xffffffffu } };
    for (unsigned i = 0; i < sizeof cases / sizeof cases[0]; i++)
        CHECK_VCPU_FAILS_CLEANLY(OPAL_ERR_INVALID_ARGUMENT, VCPU, guest,
                                 CALL(VCPU, OPAL_VCPU_SET_VTIMER_IRQ, cases[i].irq,
                                      cases[i].priority));
    CHECK(fake.irq_masked[VTIMER_PPI]);
}

TEST(vtimer_irq_0_leaves_the_timer_masked)
{
    setup();
    CHECK_EQ(CALL(VCPU, OPAL_VCPU_SET_VTIMER_IRQ, 0, 0x80), OPAL_OK);
    CHECK_EQ(result_count(), 0);
    CHECK_EQ(vcpu_in(VCPU)->vtimer_irq, 0);
    CHECK_EQ(first_irq_with_unexpected_mask(false), FAKE_IRQS);
}

TEST(vtimer_irq_unmasks_the_virtual_timer_only)
{
    setup();
    /* the guest may see the timer as another number: the machine's PPI is unmasked */
    CHECK_EQ(CALL(VCPU, OPAL_VCPU_SET_VTIMER_IRQ, 40, 0xa0), OPAL_OK);
    CHECK_EQ(result_count(), 0);
    CHECK_EQ(vcpu_in(VCPU)->vtimer_irq, 40);
    CHECK_EQ(vcpu_in(VCPU)->vtimer_priority, 0xa0);
    CHECK_EQ(vcpu_in(OTHER_VCPU)->vtimer_irq, 0);
    CHECK_EQ(first_irq_with_unexpected_mask(true), FAKE_IRQS);
    /* the usual number, and the largest valid values */
    CHECK_EQ(CALL(VCPU, OPAL_VCPU_SET_VTIMER_IRQ, OPAL_VTIMER_IRQ, 0x80), OPAL_OK);
    CHECK_EQ(vcpu_in(VCPU)->vtimer_irq, OPAL_VTIMER_IRQ);
    CHECK_EQ(CALL(OTHER_VCPU, OPAL_VCPU_SET_VTIMER_IRQ, 1019, 255), OPAL_OK);
    CHECK_EQ(vcpu_in(OTHER_VCPU)->vtimer_irq, 1019);
    CHECK_EQ(vcpu_in(OTHER_VCPU)->vtimer_priority, 255);
    CHECK_EQ(first_irq_with_unexpected_mask(true), FAKE_IRQS);
}

/* ---- The virtual timer of a vCPU off the CPU (kernel/vtimer.c) ---- */

#define CNTV_ENABLE 1u
#define CNTV_IMASK 2u

/* Give the vCPU in `slot` a timer bound for direct injection that fires at
 * virtual time `compare` with offset `offset`, through WriteRegister as a VMM
 * would; the fake arch never loads a vCPU, so the kernel parks it at once. */
static void set_guest_timer(uint32_t slot, uint64_t compare, uint64_t offset, uint32_t control)
{
    if (CALL(slot, OPAL_VCPU_SET_VTIMER_IRQ, OPAL_VTIMER_IRQ, 0x80) != OPAL_OK ||
        CALL(slot, OPAL_VCPU_WRITE_REGISTER, OPAL_VCPU_CNTVOFF_LOW, (uint32_t)offset) ||
        CALL(slot, OPAL_VCPU_WRITE_REGISTER, OPAL_VCPU_CNTVOFF_HIGH, (uint32_t)(offset >> 32)) ||
        CALL(slot, OPAL_VCPU_WRITE_REGISTER, OPAL_VCPU_CNTV_CVAL_LOW, (uint32_t)compare) ||
        CALL(slot, OPAL_VCPU_WRITE_REGISTER, OPAL_VCPU_CNTV_CVAL_HIGH, (uint32_t)(compare >> 32)) ||
        CALL(slot, OPAL_VCPU_WRITE_REGISTER, OPAL_VCPU_CNTV_CTL, control))
        fixture_die("setting the guest timer of slot %u", slot);
}

static bool holds_pending_vtimer(struct vcpu *vcpu)
{
    for (unsigned i = 0; i < OPAL_VCPU_LIST_REGISTERS; i++) {
        uint32_t lr = vcpu->arch.registers[OPAL_VCPU_GICH_LR0 + i];
        if ((lr & GICH_LR_VIRTUAL_ID) == OPAL_VTIMER_IRQ && (lr & GICH_LR_PENDING))
            return true;
    }
    return false;
}

TEST(an_armed_timer_off_the_cpu_is_parked_at_its_physical_deadline)
{
    setup();
    uint32_t tcb;
    idle_guest(VCPU, &tcb);
    set_guest_timer(VCPU, 5000, 300, CNTV_ENABLE);
    /* virtual = physical - offset: it fires at physical 5300 */
    CHECK_EQ(vtimer_next_deadline(), 5300);
    CHECK(timeslice_armed <= 5300);
    CHECK(fake.deadline <= 5300);
}

TEST(a_parked_timer_fires_at_its_deadline_masked_injected_and_waking_the_guest)
{
    setup();
    uint32_t tcb;
    struct thread *guest = idle_guest(VCPU, &tcb);
    set_guest_timer(VCPU, 5000, 300, CNTV_ENABLE);
    vtimer_expire(5299);
    CHECK_EQ(guest->state, THREAD_BLOCKED_GUEST_IDLE);
    CHECK(!holds_pending_vtimer(vcpu_in(VCPU)));
    vtimer_expire(5300);
    check_next_to_run(guest);
    CHECK(holds_pending_vtimer(vcpu_in(VCPU)));
    CHECK_EQ(vcpu_in(VCPU)->arch.registers[OPAL_VCPU_CNTV_CTL], CNTV_ENABLE | CNTV_IMASK);
    CHECK_EQ(vtimer_next_deadline(), UINT64_MAX);
}

TEST(a_disabled_masked_unbound_or_unreachable_timer_is_not_parked)
{
    setup();
    uint32_t tcb;
    idle_guest(VCPU, &tcb);
    set_guest_timer(VCPU, 5000, 0, 0);
    CHECK_EQ(vtimer_next_deadline(), UINT64_MAX);
    set_guest_timer(VCPU, 5000, 0, CNTV_ENABLE | CNTV_IMASK);
    CHECK_EQ(vtimer_next_deadline(), UINT64_MAX);
    set_guest_timer(VCPU, UINT64_MAX - 5, 10, CNTV_ENABLE);   /* past the counter's range */
    CHECK_EQ(vtimer_next_deadline(), UINT64_MAX);
    set_guest_timer(VCPU, 5000, 0, CNTV_ENABLE);
    CHECK_EQ(vtimer_next_deadline(), 5000);
    /* without the direct-injection binding the VMM's handler path applies */
    CHECK_EQ(CALL(VCPU, OPAL_VCPU_SET_VTIMER_IRQ, 0, 0), OPAL_OK);
    CHECK_EQ(vtimer_next_deadline(), UINT64_MAX);
    /* nor is a vCPU without a thread */
    set_guest_timer(OTHER_VCPU, 7000, 0, CNTV_ENABLE);
    CHECK_EQ(vtimer_next_deadline(), UINT64_MAX);
}

TEST(parked_timers_fire_in_deadline_order_and_a_rewrite_moves_one)
{
    setup();
    uint32_t tcb[2];
    struct thread *first = idle_guest(VCPU, &tcb[0]);
    struct thread *second = idle_guest(OTHER_VCPU, &tcb[1]);
    set_guest_timer(VCPU, 9000, 0, CNTV_ENABLE);
    set_guest_timer(OTHER_VCPU, 4000, 0, CNTV_ENABLE);
    CHECK_EQ(vtimer_next_deadline(), 4000);
    /* the guest's next event, written again, replaces the old deadline */
    set_guest_timer(OTHER_VCPU, 12000, 0, CNTV_ENABLE);
    CHECK_EQ(vtimer_next_deadline(), 9000);
    vtimer_expire(10000);
    check_next_to_run(first);
    CHECK_EQ(second->state, THREAD_BLOCKED_GUEST_IDLE);
    CHECK_EQ(vtimer_next_deadline(), 12000);
    vtimer_expire(12000);
    CHECK_EQ(second->state, THREAD_RUNNABLE);
    CHECK_EQ(vtimer_next_deadline(), UINT64_MAX);
}

TEST(unbinding_or_deleting_a_vcpu_forgets_its_parked_timer)
{
    setup();
    uint32_t tcb[2];
    idle_guest(VCPU, &tcb[0]);
    idle_guest(OTHER_VCPU, &tcb[1]);
    set_guest_timer(VCPU, 3000, 0, CNTV_ENABLE);
    set_guest_timer(OTHER_VCPU, 6000, 0, CNTV_ENABLE);
    CHECK_EQ(CALL(VCPU, OPAL_VCPU_BIND_TCB, 0), OPAL_OK);
    CHECK_EQ(vtimer_next_deadline(), 6000);
    CHECK_EQ(CNODE(OPAL_CNODE_DELETE, OTHER_VCPU), OPAL_OK);
    CHECK_EQ(vtimer_next_deadline(), UINT64_MAX);
    vtimer_expire(UINT64_MAX);   /* nothing left to touch */
    CHECK(!holds_pending_vtimer(vcpu_in(VCPU)));
}
