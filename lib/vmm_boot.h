/* What a VMM is given at start (by init): its VM's description in a page at
 * VMM_BOOT_INFO_ADDRESS and its caps at fixed slots of its own CNode. */
#ifndef LIB_VMM_BOOT_H
#define LIB_VMM_BOOT_H

#include <stdint.h>
#include "process.h"

/* The VMM's address space. Guest RAM appears at its guest-physical address,
 * so it must stay clear of the VMM's own ranges: [VMM_OWN_BASE,
 * VMM_OWN_END) (boot info, console ring, IPC buffer, stack and program, as
 * lib/process.h lays them out) and the images area. */
#define VMM_BOOT_INFO_ADDRESS 0x00100000u   /* one read-only page */
#define VMM_CONSOLE_RING_ADDRESS 0x00110000u /* its console ring (lib/console_ring.h) */
#define VMM_BLK_LINK_ADDRESS  0x00120000u   /* its disk's link (lib/blk_link.h), BLK_LINK_SIZE */
#define VMM_RNG_LINK_ADDRESS  0x00130000u   /* its entropy link (lib/rng_link.h), one page */
#define VMM_IMAGES_ADDRESS    0x20000000u   /* guest kernel, initrd, DTB: read-only */
#define VMM_IMAGES_MAX        0x10000000u
#define VMM_OWN_BASE          VMM_BOOT_INFO_ADDRESS
#define VMM_OWN_END           PROCESS_IMAGE_END
/* Guest RAM ends at or below this: the VMM computes RAM's end in 32 bits. */
#define GUEST_RAM_END_MAX     0xfffff000u
/* init copies each image into the images area from a 2 MiB boundary (the
 * large frames it maps), kernel, initrd and then the guest's DTB. */
#define VMM_IMAGE_ALIGN       0x00200000u

/* Where the VMM lays a Linux guest out in its RAM (vmm/loader.c), which the
 * checker holds the images to: the zImage at GUEST_KERNEL_OFFSET (where
 * QEMU puts one too), the initrd at half the RAM but at most
 * GUEST_INITRD_OFFSET_MAX, the DTB on the page after the initrd in
 * GUEST_DTB_SPACE bytes. The DTB init generates is at most GUEST_DTB_MAX
 * bytes: the rest of the space is for the VMM's edits (memory, bootargs,
 * the initrd's place). */
#define GUEST_KERNEL_OFFSET     0x00010000u
#define GUEST_INITRD_OFFSET_MAX 0x08000000u
#define GUEST_DTB_SPACE         0x00010000u
#define GUEST_DTB_MAX           (GUEST_DTB_SPACE / 2)

struct guest_linux_layout {
    uint32_t kernel, initrd, dtb;   /* offsets from the RAM's base */
};

/* The offsets of a Linux guest's images in ram_size bytes of RAM; false if
 * the zImage (kernel_size) overlaps the initrd, or the initrd
 * (initrd_size) and the DTB space end past the RAM. */
static inline _Bool guest_linux_layout(uint32_t ram_size, uint32_t kernel_size,
                                       uint32_t initrd_size, struct guest_linux_layout *layout)
{
    uint64_t initrd = ram_size / 2 < GUEST_INITRD_OFFSET_MAX ? ram_size / 2
                                                            : GUEST_INITRD_OFFSET_MAX;
    uint64_t dtb = (initrd + initrd_size + 0xfffu) & ~(uint64_t)0xfffu;
    layout->kernel = GUEST_KERNEL_OFFSET;
    layout->initrd = (uint32_t)initrd;
    layout->dtb = (uint32_t)dtb;
    return (uint64_t)GUEST_KERNEL_OFFSET + kernel_size <= initrd &&
           dtb + GUEST_DTB_SPACE <= ram_size;
}

/* The guest's virtual platform (dts/guest-virt.dts says the same): init
 * maps the GIC's virtual CPU interface at GUEST_GICC_BASE, the VMM emulates
 * the rest. */
#define GUEST_GICD_BASE  0x08000000u
#define GUEST_GICC_BASE  0x08010000u
#define GUEST_UART_BASE  0x09000000u
#define GUEST_UART_IRQ   33u
/* The emulated distributor's interrupt IDs: SGIs and PPIs below
 * GUEST_FIRST_SPI, SPIs up to GUEST_IRQ_COUNT - 1. A VM's passthrough and
 * channel interrupts must be such SPIs. */
#define GUEST_FIRST_SPI  32
#define GUEST_IRQ_COUNT  128
#define GUEST_DEVICE_SIZE 0x1000u

/* The VMM's other devices (docs/devices.md), where QEMU's virt machine has
 * the same: virtio-mmio transports in every VM, slot k at GUEST_VIRTIO_BASE
 * + k * GUEST_VIRTIO_STRIDE with interrupt GUEST_VIRTIO_FIRST_IRQ + k; and
 * for a Linux guest a PL031 real-time clock (a bare-metal guest may be
 * given the real PL031 instead). */
#define GUEST_RTC_BASE        0x09010000u
#define GUEST_RTC_IRQ         34u
#define GUEST_VIRTIO_BASE     0x0a000000u
#define GUEST_VIRTIO_STRIDE   0x200u
#define GUEST_VIRTIO_FIRST_IRQ 48u
enum guest_virtio_slot {
    GUEST_VIRTIO_BLK = 0,     /* only when the VM has a disk */
    GUEST_VIRTIO_CONSOLE = 1,
    GUEST_VIRTIO_RNG = 2,
    GUEST_VIRTIO_SLOTS = 3,
};

/* Why `irq` is reserved in every VM, for a message ("is the emulated
 * UART's"), or NULL: the VMM's own devices raise these, so no passthrough
 * interrupt or channel may be one. */
static inline const char *guest_irq_reserved(uint32_t irq)
{
    if (irq == GUEST_UART_IRQ)
        return "is the emulated UART's";
    if (irq - GUEST_VIRTIO_FIRST_IRQ < (uint32_t)GUEST_VIRTIO_SLOTS)
        return "is a virtio transport's";
    return (const char *)0;
}

/* A VM's vCPUs (docs/vmm.md): vCPU k is run by a thread of its own, whose
 * exits go to the VMM's thread k on the same core. */
#define VMM_MAX_VCPUS 8

/* The VMM's CNode: 2^VMM_CNODE_BITS slots. vCPU 0's caps are at the slots
 * a single-vCPU VMM has always found them at; vCPU k's (k >= 1) at the
 * *_BASE slots + k (vmm_cap_*() below name either). */
#define VMM_CNODE_BITS 7
enum vmm_slot {
    VMM_CAP_ENDPOINT = 1,     /* vCPU 0's thread's fault endpoint; VMM thread 0 receives on it */
    VMM_CAP_REPLY = 2,
    VMM_CAP_VCPU = 3,
    VMM_CAP_VCPU_TCB = 4,     /* the thread running the guest's vCPU 0 */
    VMM_CAP_NOTIFICATION = 5, /* bound to VMM thread 0: interrupts arrive as badges */
    VMM_CAP_CONSOLE = 6,      /* the console server's notification (empty: no connection) */
    VMM_CAP_SELF_TCB = 7,     /* VMM thread 0, the one init starts */
    VMM_CAP_PARENT = 8,       /* init's endpoint, badged for this VM: every VMM thread's
                                 fault handler, and where the VMM reports (enum vmm_report) */
    VMM_CAP_BLK_DRIVER = 9,   /* the disk driver's notification (write right; empty: no disk) */
    VMM_CAP_RNG_DRIVER = 10,  /* the entropy driver's notification (write right; empty: none) */
    VMM_CAP_CHANNEL_FIRST = 16,   /* channel k's peer notification (write right) */
    VMM_CAP_IRQ_FIRST = 24,       /* passthrough interrupt i's IRQ handler (bound to
                                     VMM_CAP_NOTIFICATION, badge VMM_BADGE_IRQ(i)) */
    VMM_CAP_ENDPOINT_BASE = 32,   /* + k: vCPU k's thread's fault endpoint */
    VMM_CAP_REPLY_BASE = 40,      /* + k: VMM thread k's reply object */
    VMM_CAP_VCPU_BASE = 48,       /* + k: vCPU k */
    VMM_CAP_VCPU_TCB_BASE = 56,   /* + k: the thread running vCPU k (bound, not started) */
    VMM_CAP_THREAD_BASE = 64,     /* + k: VMM thread k, configured (CSpace, VSpace, IPC
                                     buffer, priority, core), for the VMM to start */
    VMM_CAP_FIRST_FREE = 72,
};

_Static_assert(VMM_CAP_REPLY_BASE - VMM_CAP_ENDPOINT_BASE == VMM_MAX_VCPUS &&
               VMM_CAP_VCPU_BASE - VMM_CAP_REPLY_BASE == VMM_MAX_VCPUS &&
               VMM_CAP_VCPU_TCB_BASE - VMM_CAP_VCPU_BASE == VMM_MAX_VCPUS &&
               VMM_CAP_THREAD_BASE - VMM_CAP_VCPU_TCB_BASE == VMM_MAX_VCPUS &&
               VMM_CAP_FIRST_FREE - VMM_CAP_THREAD_BASE == VMM_MAX_VCPUS &&
               VMM_CAP_FIRST_FREE <= 1u << VMM_CNODE_BITS, "one slot per vCPU in each range");

static inline uint32_t vmm_cap_endpoint(uint32_t k)
{
    return k == 0 ? VMM_CAP_ENDPOINT : VMM_CAP_ENDPOINT_BASE + k;
}
static inline uint32_t vmm_cap_reply(uint32_t k)
{
    return k == 0 ? VMM_CAP_REPLY : VMM_CAP_REPLY_BASE + k;
}
static inline uint32_t vmm_cap_vcpu(uint32_t k)
{
    return k == 0 ? VMM_CAP_VCPU : VMM_CAP_VCPU_BASE + k;
}
static inline uint32_t vmm_cap_vcpu_tcb(uint32_t k)
{
    return k == 0 ? VMM_CAP_VCPU_TCB : VMM_CAP_VCPU_TCB_BASE + k;
}
static inline uint32_t vmm_cap_thread(uint32_t k)
{
    return k == 0 ? VMM_CAP_SELF_TCB : VMM_CAP_THREAD_BASE + k;
}

/* VMM thread k's (k >= 1) IPC buffer page and stack, which init maps: the
 * buffer at the start of its span, a guard page, then the stack up to the
 * span's end. Inside [VMM_OWN_BASE, VMM_OWN_END), clear of the console ring
 * and of thread 0's stack (lib/process.h). */
#define VMM_THREADS_ADDRESS 0x00140000u
#define VMM_THREAD_SPAN     0x00008000u
#define VMM_THREAD_STACK_OFFSET 0x2000u
static inline uint32_t vmm_thread_ipc_buffer(uint32_t k)
{
    return VMM_THREADS_ADDRESS + k * VMM_THREAD_SPAN;
}
static inline uint32_t vmm_thread_stack_top(uint32_t k)
{
    return vmm_thread_ipc_buffer(k) + VMM_THREAD_SPAN;
}
_Static_assert(VMM_THREADS_ADDRESS + VMM_MAX_VCPUS * VMM_THREAD_SPAN <=
               PROCESS_STACK_TOP - PROCESS_STACK_PAGES * 0x1000u, "below thread 0's stack");

/* Notification badges: the console server signals input or output room;
 * channel k's peer signals VMM_BADGE_CHANNEL(k); passthrough interrupt i
 * fires as VMM_BADGE_IRQ(i). */
#define VMM_BADGE_CONSOLE (1u << 0)
#define VMM_BADGE_BLK (1u << 1)   /* the disk driver: completions are waiting */
#define VMM_BADGE_RNG (1u << 2)   /* the entropy driver: more random bytes */
#define VMM_BADGE_CHANNEL(k) (1u << (8 + (k)))
#define VMM_BADGE_IRQ(i) (1u << (16 + (i)))

/* What the VMM tells init with a Call on VMM_CAP_PARENT (the label; no
 * words). init does not answer: it stops, restarts or halts per the VM's
 * fault policy (docs/configuration.md). */
enum vmm_report {
    VMM_REPORT_OFF = 0x100,    /* the guest powered off (PSCI SYSTEM_OFF, or CPU_OFF of its
                                  last running vCPU) */
    VMM_REPORT_RESET = 0x101,  /* the guest asked for a reset (PSCI SYSTEM_RESET) */
    VMM_REPORT_FAILED = 0x102, /* the VMM cannot go on (an unexpected exit, a failed load) */
};

/* A channel (docs/configuration.md): `size` bytes of shared memory init maps
 * into the guest at guest_address, a doorbell page after it that the VMM
 * emulates (a guest write there signals the peer), and the peer's signal
 * injected as guest_irq (an SPI, edge). */
#define VMM_MAX_CHANNELS 8
struct vmm_channel {
    char name[16];
    uint32_t guest_address, size, guest_irq;
};
#define VMM_DOORBELL_SIZE 0x1000u

/* Passthrough interrupts (docs/vmm.md): host interrupt irqs[i] (an SPI) is
 * injected into the guest as the same virtual ID, level-triggered; the VMM
 * acks the host's after the guest EOIs it. */
#define VMM_MAX_IRQS 8
_Static_assert(VMM_CAP_IRQ_FIRST + VMM_MAX_IRQS <= VMM_CAP_ENDPOINT_BASE, "IRQ handlers fit");

enum vmm_guest_kind {
    VMM_GUEST_LINUX = 1,      /* zImage + DTB (+ initrd): the ARM Linux boot protocol */
    VMM_GUEST_ELF = 2,        /* a bare-metal ELF (guests/testkit): entry, r0 = RAM base */
};

#define VMM_NAME_MAX 32
#define VMM_BOOTARGS_MAX 512

struct vmm_image {
    uint32_t offset, size;    /* in the images area; size 0: none */
};

struct vmm_boot_info {
    uint32_t magic;
    uint32_t kind;            /* enum vmm_guest_kind */
    char name[VMM_NAME_MAX];
    uint32_t ram_base, ram_size;   /* guest-physical, also where the VMM sees it */
    struct vmm_image kernel, initrd, dtb;
    uint32_t console;         /* 1: connected to the console server (docs/console.md) */
    uint32_t vtimer_direct;   /* 1: the kernel injects the virtual timer itself */
    char bootargs[VMM_BOOTARGS_MAX];
    struct vmm_channel channels[VMM_MAX_CHANNELS];
    uint32_t channel_count;
    uint32_t test_crash;      /* test hook (init's vmm.crash=<name>): fault at the first exit */
    uint32_t irqs[VMM_MAX_IRQS];   /* passthrough interrupts: handler i at VMM_CAP_IRQ_FIRST + i */
    uint32_t irq_count;
    uint32_t stray_access;    /* enum vmm_stray_access: what a stray guest access gets */
    uint32_t vcpu_count;      /* 1 to VMM_MAX_VCPUS: vCPU k's caps at vmm_cap_*(k) */
    uint32_t vcpu_cores[VMM_MAX_VCPUS];   /* the core init put vCPU k and VMM thread k on */
    uint32_t disk_sectors;    /* its virtio-blk device's size; 0: no disk (lib/blk_link.h) */
    uint32_t entropy;         /* 1: an entropy driver fills its rng link (lib/rng_link.h) */
    /* The platform's real-time clock: `rtc_seconds` (Unix time) was the
     * time when the generic counter read `rtc_counter` (0, 0: no RTC). */
    uint32_t rtc_seconds;
    uint64_t rtc_counter;
};

/* A guest access the VMM cannot serve (outside RAM and devices, a width or
 * alignment the device does not take, an instruction with no syndrome):
 * the description's `stray-access` (docs/configuration.md). */
enum vmm_stray_access {
    VMM_STRAY_ABORT = 0,      /* the guest takes an external abort, as on hardware */
    VMM_STRAY_STOP = 1,       /* the VM stops with a report (init applies its policy) */
};

#define VMM_BOOT_MAGIC 0x564d4d32u  /* "VMM2": with vCPUs */

#endif
