/* What the host tests of a Linux guest's devices share (test_virtio*.c,
 * test_vrtc.c): the kernel and console fakes, guest RAM in a host buffer
 * between canaries, register accesses through the real vmm_handle_abort,
 * and a guest driver that sets up a virtio-mmio device and its split
 * virtqueues as Linux's virtio_mmio does. Included once per test program. */
#ifndef TESTS_UNIT_LINUX_DEVICES_H
#define TESTS_UNIT_LINUX_DEVICES_H

#include "console_client.h"
#include "vmm_fixture.h"

/* --- kernel and console fakes ----------------------------------------------- */

static struct opal_ipc_buffer ipc_buffer;

struct opal_ipc_buffer *opal_ipc_buffer(void)
{
    return &ipc_buffer;
}

int opal_vcpu_inject_irq(uint32_t vcpu, uint32_t irq, uint32_t priority, uint32_t slot,
                         uint32_t flags, uint32_t *used_slot)
{
    (void)vcpu, (void)irq, (void)priority, (void)slot, (void)flags, (void)used_slot;
    return OPAL_OK;
}

/* The VMM signals the disk driver after it put requests in the link; a
 * test may play the driver running at once, inside the signal, as it does
 * on one core (while_signalled). */
static int signal_count;
static uint32_t last_signalled;
static void (*while_signalled)(void);

int opal_signal(uint32_t notification)
{
    last_signalled = notification;
    signal_count++;
    if (while_signalled)
        while_signalled();
    return OPAL_OK;
}

int opal_irq_handler_ack(uint32_t irq_handler)
{
    (void)irq_handler;
    return OPAL_OK;
}

void console_input(struct vm *machine)
{
    (void)machine;
}

/* What the guest wrote to its consoles, in order. */
static char console_out[8192];
static uint32_t console_out_length;

void console_output(void *context, const char *text, size_t length)
{
    (void)context;
    for (size_t i = 0; i < length && console_out_length < sizeof console_out; i++)
        console_out[console_out_length++] = text[i];
}

/* Typed input waiting in the console ring. */
static char typed[256];
static uint32_t typed_length, typed_taken;

bool console_client_input_pending(void)
{
    return typed_taken < typed_length;
}

uint32_t console_client_read(char *bytes, uint32_t max)
{
    uint32_t count = 0;
    while (count < max && typed_taken < typed_length)
        bytes[count++] = typed[typed_taken++];
    return count;
}

UNIT_UNUSED static void type_input(const char *text)
{
    typed_length = (uint32_t)strlen(text);
    typed_taken = 0;
    memcpy(typed, text, typed_length);
}

/* --- guest RAM ---------------------------------------------------------------- */

/* RAM with a canary page each side: a device that reaches past its RAM
 * changes the canaries. */
#define RAM_SIZE   0x40000u
#define CANARY     0x1000u
#define CANARY_BYTE 0xc5u

static uint8_t region[RAM_SIZE + 2 * CANARY] __attribute__((aligned(0x1000)));
static uint8_t *const ram = region + CANARY;
static uint8_t region_copy[sizeof region];   /* the whole region at snapshot() */

UNIT_UNUSED static uint32_t guest_address(const void *pointer)
{
    return (uint32_t)(uintptr_t)pointer;
}

UNIT_UNUSED static void *guest_pointer(uint32_t address)
{
    return (void *)(uintptr_t)address;
}

UNIT_UNUSED static uint32_t ram_base(void)
{
    return guest_address(ram);
}

UNIT_UNUSED static void ram_reset(void)
{
    memset(region, CANARY_BYTE, sizeof region);
    memset(ram, 0, RAM_SIZE);
}

UNIT_UNUSED static void snapshot(void)
{
    memcpy(region_copy, region, sizeof region);
}

/* What the device is expected to write since snapshot(): patched into the
 * copy, so that unchanged() then allows exactly it. */
UNIT_UNUSED static void expect_written(uint32_t address, const void *bytes, uint32_t length)
{
    memcpy(region_copy + (address - guest_address(region)), bytes, length);
}

/* Whether RAM and the canaries are as at snapshot() (and expect_written()). */
UNIT_UNUSED static bool unchanged(void)
{
    return memcmp(region, region_copy, sizeof region) == 0;
}

/* Bump allocation of the guest's buffers, above the queues' areas. */
#define GUEST_DATA_OFFSET 0x10000u
static uint32_t data_next;

UNIT_UNUSED static uint32_t guest_alloc(uint32_t size)
{
    uint32_t address = ram_base() + data_next;
    data_next = (data_next + size + 15u) & ~15u;
    if (data_next > RAM_SIZE)
        abort();
    return address;
}

/* --- the VM ------------------------------------------------------------------- */

/* A Linux guest named `name` (its devices reset, vmm/mmio.c) whose RAM is
 * the host buffer; nothing recorded. */
UNIT_UNUSED static void linux_vm_reset(const char *name)
{
    ram_reset();
    struct vmm_boot_info with = {
        .magic = VMM_BOOT_MAGIC, .kind = VMM_GUEST_LINUX,
        .ram_base = ram_base(), .ram_size = RAM_SIZE,
    };
    snprintf(with.name, sizeof with.name, "%s", name);
    fixture_reset(&with);
    vmm_reset_devices(&vm);
    console_out_length = 0;
    typed_length = typed_taken = 0;
    signal_count = 0;
    while_signalled = NULL;
    last_signalled = 0;
    data_next = GUEST_DATA_OFFSET;
}

#define ACCESS_BYTE 0u
#define ACCESS_HALF (1u << 1)
#define ACCESS_WORD (2u << 1)

/* A decoded guest access of `size` bytes at `address` through the VMM's
 * abort handler; a load's value in *value. */
UNIT_UNUSED static enum vmm_action guest_access(uint32_t address, uint32_t size, bool write,
                                                uint32_t *value)
{
    uint32_t access = OPAL_GUEST_ACCESS_DECODED |
                      (size == 4 ? ACCESS_WORD : size == 2 ? ACCESS_HALF : ACCESS_BYTE) |
                      (write ? OPAL_GUEST_ACCESS_WRITE : 0);
    struct opal_message exit = {
        .tag = OPAL_TAG(OPAL_GUEST_EXIT_ABORT, 0, OPAL_GUEST_EXIT_ABORT_LENGTH),
        .mr = { 0x40000100u, address, access, 2 },
    };
    uint32_t result = 0xdeadbeefu;
    ipc_buffer.mr[4] = write ? *value : 0;
    enum vmm_action action = vmm_handle_abort(&vm, &exit, &result);
    if (!write)
        *value = result;
    return action;
}

/* A word access the device must take (a failure is the test's otherwise). */
UNIT_UNUSED static uint32_t word_read(uint32_t address)
{
    uint32_t value = 0;
    if (guest_access(address, 4, false, &value) != VMM_EMULATED)
        unit_fail(__FILE__, __LINE__, "word read at 0x%08x refused", address);
    return value;
}

UNIT_UNUSED static void word_write(uint32_t address, uint32_t value)
{
    if (guest_access(address, 4, true, &value) != VMM_EMULATED)
        unit_fail(__FILE__, __LINE__, "word write at 0x%08x refused", address);
}

/* --- virtio-mmio registers (virtio 1.x, 4.2.2) --------------------------------- */

/* Offsets and bits: core/virtio_mmio.h (via vmm/virtio.h). */
#define FEATURE_VERSION_1_HIGH ((uint32_t)(VIRTIO_F_VERSION_1 >> 32))

UNIT_UNUSED static uint32_t slot_address(uint32_t slot, uint32_t offset)
{
    return GUEST_VIRTIO_BASE + slot * GUEST_VIRTIO_STRIDE + offset;
}

UNIT_UNUSED static uint32_t reg_read(uint32_t slot, uint32_t offset)
{
    return word_read(slot_address(slot, offset));
}

UNIT_UNUSED static void reg_write(uint32_t slot, uint32_t offset, uint32_t value)
{
    word_write(slot_address(slot, offset), value);
}

UNIT_UNUSED static uint32_t slot_irq(uint32_t slot)
{
    return GUEST_VIRTIO_FIRST_IRQ + slot;
}

/* Linux's probe up to the features: reset, ACKNOWLEDGE, DRIVER, the
 * features the device offers read and `accept_low`/`accept_high` of them
 * (all it offers, when ~0) written back, FEATURES_OK; whether it stuck. */
UNIT_UNUSED static bool guest_negotiate(uint32_t slot, uint32_t accept_low,
                                        uint32_t accept_high)
{
    reg_write(slot, VIRTIO_MMIO_STATUS, 0);
    reg_write(slot, VIRTIO_MMIO_STATUS, VIRTIO_STATUS_ACKNOWLEDGE);
    reg_write(slot, VIRTIO_MMIO_STATUS, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
    reg_write(slot, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 1);
    uint32_t high = reg_read(slot, VIRTIO_MMIO_DEVICE_FEATURES);
    reg_write(slot, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 0);
    uint32_t low = reg_read(slot, VIRTIO_MMIO_DEVICE_FEATURES);
    reg_write(slot, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
    reg_write(slot, VIRTIO_MMIO_DRIVER_FEATURES, high & accept_high);
    reg_write(slot, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0);
    reg_write(slot, VIRTIO_MMIO_DRIVER_FEATURES, low & accept_low);
    reg_write(slot, VIRTIO_MMIO_STATUS, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER | VIRTIO_STATUS_FEATURES_OK);
    return reg_read(slot, VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_FEATURES_OK;
}

/* --- the guest's split virtqueues (virtio 1.x, 2.7) ---------------------------- */

struct guest_avail {
    uint16_t flags, index;
    uint16_t ring[];
};

struct guest_used {
    uint16_t flags, index;
    struct {
        uint32_t id, length;
    } ring[];
};

struct guest_queue {
    uint32_t slot, number, size;
    struct virtq_desc *desc;
    struct guest_avail *avail;
    struct guest_used *used;
    uint16_t free_desc;         /* the next descriptor guest_add uses */
};

/* Each queue's three areas in RAM's first GUEST_DATA_OFFSET bytes, room
 * for VIRTQ_SIZE_MAX entries. */
#define QUEUE_AREA 0x2000u
_Static_assert(16u * VIRTQ_SIZE_MAX <= 0x1000u && 0x1400u + 6u + 8u * VIRTQ_SIZE_MAX <= QUEUE_AREA &&
               GUEST_VIRTIO_SLOTS * VIRTIO_QUEUES_MAX * QUEUE_AREA <= GUEST_DATA_OFFSET,
               "the queues' areas hold the largest queues and end before the data");
static struct guest_queue queues[GUEST_VIRTIO_SLOTS][VIRTIO_QUEUES_MAX];

/* Queue `number` of the device at `slot` laid out for `size` entries (its
 * areas aligned as 2.7 asks) and given to the device: QueueReady's value
 * read back. */
UNIT_UNUSED static uint32_t guest_queue_setup(uint32_t slot, uint32_t number, uint32_t size)
{
    struct guest_queue *q = &queues[slot][number];
    uint8_t *area = ram + (slot * VIRTIO_QUEUES_MAX + number) * QUEUE_AREA;
    *q = (struct guest_queue){
        .slot = slot, .number = number, .size = size,
        .desc = (struct virtq_desc *)area,
        .avail = (struct guest_avail *)(area + 0x1000),  /* after 256 descriptors */
        .used = (struct guest_used *)(area + 0x1400),
    };
    reg_write(slot, VIRTIO_MMIO_QUEUE_SEL, number);
    if (reg_read(slot, VIRTIO_MMIO_QUEUE_READY) != 0)
        unit_fail(__FILE__, __LINE__, "queue %u of slot %u ready before set up", number, slot);
    reg_write(slot, VIRTIO_MMIO_QUEUE_NUM, size);
    reg_write(slot, VIRTIO_MMIO_QUEUE_DESC_LOW, guest_address(q->desc));
    reg_write(slot, VIRTIO_MMIO_QUEUE_DESC_HIGH, 0);
    reg_write(slot, VIRTIO_MMIO_QUEUE_DRIVER_LOW, guest_address(q->avail));
    reg_write(slot, VIRTIO_MMIO_QUEUE_DRIVER_HIGH, 0);
    reg_write(slot, VIRTIO_MMIO_QUEUE_DEVICE_LOW, guest_address(q->used));
    reg_write(slot, VIRTIO_MMIO_QUEUE_DEVICE_HIGH, 0);
    reg_write(slot, VIRTIO_MMIO_QUEUE_READY, 1);
    return reg_read(slot, VIRTIO_MMIO_QUEUE_READY);
}

/* The whole of Linux's probe: every feature offered accepted, `count`
 * queues of `size` entries, DRIVER_OK. */
UNIT_UNUSED static void guest_bring_up(uint32_t slot, uint32_t count, uint32_t size)
{
    if (!guest_negotiate(slot, ~0u, ~0u))
        unit_fail(__FILE__, __LINE__, "FEATURES_OK did not stick on slot %u", slot);
    for (uint32_t number = 0; number < count; number++)
        if (guest_queue_setup(slot, number, size) != 1)
            unit_fail(__FILE__, __LINE__, "queue %u of slot %u not ready", number, slot);
    reg_write(slot, VIRTIO_MMIO_STATUS, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER | VIRTIO_STATUS_FEATURES_OK |
                                 VIRTIO_STATUS_DRIVER_OK);
}

UNIT_UNUSED static void guest_desc_set(struct guest_queue *q, uint32_t index, uint64_t address,
                                       uint32_t length, uint16_t flags, uint16_t next)
{
    q->desc[index] = (struct virtq_desc){ address, length, flags, next };
}

/* Descriptor `head` into the next avail entry, the index after it. */
UNIT_UNUSED static void guest_publish(struct guest_queue *q, uint16_t head)
{
    q->avail->ring[q->avail->index % q->size] = head;
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    q->avail->index++;
}

struct guest_buffer {
    uint32_t address, length;
    bool writable;
};

/* A chain of `count` buffers from the next free descriptors, published;
 * its head. */
UNIT_UNUSED static uint16_t guest_add(struct guest_queue *q, const struct guest_buffer *buffers,
                                      uint32_t count)
{
    uint16_t head = q->free_desc;
    for (uint32_t i = 0; i < count; i++) {
        uint16_t index = (uint16_t)((head + i) % q->size);
        uint16_t next = (uint16_t)((index + 1) % q->size);
        guest_desc_set(q, index, buffers[i].address, buffers[i].length,
                       (uint16_t)((i + 1 < count ? VIRTQ_DESC_F_NEXT : 0) |
                                  (buffers[i].writable ? VIRTQ_DESC_F_WRITE : 0)),
                       i + 1 < count ? next : 0);
    }
    q->free_desc = (uint16_t)((head + count) % q->size);
    guest_publish(q, head);
    return head;
}

UNIT_UNUSED static void guest_notify(const struct guest_queue *q)
{
    reg_write(q->slot, VIRTIO_MMIO_QUEUE_NOTIFY, q->number);
}

/* The used ring's next entry as the device must write it (2.7.8): chain
 * `head`, `length` bytes written, then the index moved on; for unchanged(). */
UNIT_UNUSED static void expect_used(const struct guest_queue *q, uint16_t used_index,
                                    uint32_t head, uint32_t length)
{
    uint32_t entry[2] = { head, length };
    uint16_t next = (uint16_t)(used_index + 1);
    expect_written(guest_address(&q->used->ring[used_index % q->size]), entry, sizeof entry);
    expect_written(guest_address(&q->used->index), &next, sizeof next);
}

/* What a device that broke off must show (4.2.3 and 2.1.2): Status has
 * DEVICE_NEEDS_RESET, InterruptStatus the configuration change, its
 * interrupt is pending, and the VMM said so in exactly one line naming the
 * device. */
UNIT_UNUSED static void check_needs_reset(uint32_t slot, const char *device_name)
{
    CHECK(reg_read(slot, VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_NEEDS_RESET);
    CHECK(reg_read(slot, VIRTIO_MMIO_INTERRUPT_STATUS) & VIRTIO_INTERRUPT_CONFIG);
    CHECK(pending(slot_irq(slot)));
    CHECK_EQ(log_count, 1);
    CHECKF(strstr(last_log, device_name) != NULL, "line \"%s\"", last_log);
}

#endif
