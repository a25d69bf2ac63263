/* The per-VM monitor: one VM's devices and state, and the pieces of the VMM
 * (loader, MMIO routing, PSCI, console, channels, reports) that act on it.
 * VMM thread k serves vCPU k's exits (main.c); every handler below runs
 * with the VM's lock held and vm->current naming that vCPU. */
#ifndef VMM_VMM_H
#define VMM_VMM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "opal.h"
#include "rate_limit.h"
#include "vmm_boot.h"
#include "vmm/vgic_dist.h"
#include "vmm/virtio_blk.h"
#include "vmm/virtio_console.h"
#include "vmm/virtio_rng.h"
#include "vmm/vpmu.h"
#include "vmm/vrtc.h"
#include "vmm/vuart.h"

/* Exits counted by kind, for the report when the VM stops (and the
 * benchmark). EXIT_IRQ counts notifications (the console's, the channels'). */
enum vmm_exit_kind {
    EXIT_MMIO_GICD, EXIT_MMIO_UART, EXIT_MMIO_OTHER, EXIT_HVC, EXIT_SMC, EXIT_SYSREG,
    EXIT_EOI, EXIT_OTHER, EXIT_IRQ, EXIT_MMIO_CHANNEL, EXIT_MMIO_VIRTIO, EXIT_MMIO_RTC,
    EXIT_KIND_COUNT,
};

/* A limiter for one kind of VMM line a guest can provoke at will (rate.c,
 * lib/rate_limit.h): the first VMM_RATE_BURST pass, then one a second. */
#define VMM_RATE_BURST 8

/* The VMM's lock (lock.c): VMM threads run in parallel on their vCPUs'
 * cores, and the device models are the VM's, so each exit and notification
 * is handled holding it. */
struct vmm_lock {
    volatile uint32_t word;    /* 1: taken */
};
void vmm_lock(struct vmm_lock *lock);

/* Takes it if it is free (acquire); false if another thread holds it.
 * Inline, as vmm_unlock: every exit takes and releases it. */
static inline bool vmm_try_lock(struct vmm_lock *lock)
{
    volatile uint32_t *word = &lock->word;
    uint32_t old, failed;
    __asm__ volatile("ldrex %0, [%2]\n"
                     "cmp %0, #0\n"
                     "strexeq %1, %3, [%2]\n"
                     "movne %1, #1\n"
                     : "=&r"(old), "=&r"(failed)
                     : "r"(word), "r"(1u)
                     : "cc", "memory");
    if (old != 0 || failed != 0)
        return false;
    __atomic_thread_fence(__ATOMIC_SEQ_CST);   /* dmb ish */
    return true;
}

static inline void vmm_unlock(struct vmm_lock *lock)
{
    __atomic_thread_fence(__ATOMIC_SEQ_CST);   /* dmb ish */
    lock->word = 0;
}

/* A vCPU's power state (PSCI): secondaries start OFF; CPU_OFF makes one
 * STOPPING until its thread has stopped, then OFF; CPU_ON makes it ON. */
enum vmm_power { VCPU_OFF, VCPU_ON, VCPU_STOPPING };

/* What each vCPU has of its own. */
struct vmm_vcpu {
    uint32_t power;            /* enum vmm_power */
    struct vpmu pmu;
    bool os_locked;            /* the guest's debug OS lock (DBGOSLAR, DBGOSLSR) */
};

struct vm {
    const struct vmm_boot_info *info;
    struct vmm_lock lock;
    uint32_t vcpu_count;       /* 1 .. VMM_MAX_VCPUS */
    uint32_t current;          /* the vCPU whose exit is being handled */
    volatile bool stopped;     /* vmm_stop() ran: init decides, the other threads wait */
    struct vmm_vcpu vcpus[VMM_MAX_VCPUS];
    struct vgic_dist vgic;
    struct vuart uart;
    /* The virtio devices, and a Linux guest's RTC (docs/devices.md). */
    struct vrtc rtc;
    struct virtio_device *virtio[GUEST_VIRTIO_SLOTS];   /* by slot; NULL: none there */
    struct virtio_blk blk;
    struct virtio_console virtio_console;
    struct virtio_rng rng;
    struct rate_limit virtio_lines;   /* a guest's virtio mistakes */
    bool physical_timer_told;  /* its CNTP_* accesses were logged once */
    uint32_t ticks_per_second; /* the generic counter's frequency */
    struct rate_limit stray_lines;   /* aborts injected for stray accesses */
    struct rate_limit sysreg_lines;  /* system register accesses made UNDEFINED */
    uint32_t exits[EXIT_KIND_COUNT];
    uint64_t started_at;       /* the counter when the guest was loaded (its boot's start) */
    uint32_t channel_unsignalled; /* bit k: channel k's doorbell could not signal (logged once) */
    uint32_t irq_unacked;      /* bit i: passthrough interrupt i could not be acked (logged once) */
};

/* How an exit is answered: resumed, the instruction emulated, the vCPU
 * left stopped, an external abort for the access, an undefined-instruction
 * exception (include/opal/fault.h). */
/* VMM_IDLE: emulated, then the vCPU waits as after a WFI. */
/* VMM_VCPU_OFF: the vCPU stops (PSCI CPU_OFF), the VM runs on. */
enum vmm_action {
    VMM_RESUME, VMM_EMULATED, VMM_IDLE, VMM_STOP, VMM_ABORT, VMM_UNDEFINED, VMM_VCPU_OFF,
};

/* The vCPU whose exit is being handled: its state and its cap. */
static inline struct vmm_vcpu *vmm_current(struct vm *vm)
{
    return &vm->vcpus[vm->current];
}
static inline uint32_t vmm_current_cap(const struct vm *vm)
{
    return vmm_cap_vcpu(vm->current);
}

/* loader.c: put the images in guest RAM and vCPU 0 in its boot state. */
int vmm_load_guest(struct vm *vm);
/* vCPU k's registers in the boot state (SVC, interrupts masked, MMU off)
 * at `pc` (bit 0: Thumb), with r0-r2. */
int vmm_reset_vcpu(uint32_t k, uint32_t pc, uint32_t r0, uint32_t r1, uint32_t r2);
/* vcpus.c: what each vCPU needs before the guest starts: its VMPIDR (MP
 * format, Aff0 = k, as the guest's device tree says) and its virtual timer
 * (injected by the kernel when vtimer_direct). */
int vmm_prepare_vcpus(struct vm *vm);
/* PSCI CPU_ON: vCPU k (OFF) starts at `entry` with r0 = context, and is
 * ON; or the kernel's error (logged), and it stays OFF. */
int vmm_vcpu_on(struct vm *vm, uint32_t k, uint32_t entry, uint32_t context);
/* Every vCPU thread but the current one suspended: the VM stops. */
void vmm_halt_other_vcpus(struct vm *vm);
/* mmio.c: the emulated devices in their reset state (vGIC, with the
 * channels' interrupts edge; UART). */
void vmm_reset_devices(struct vm *vm);
/* mmio.c: a stage-2 abort; sets *result for a load. An access no device
 * serves gets an abort or stops the VM, as its stray_access says. */
enum vmm_action vmm_handle_abort(struct vm *vm, const struct opal_message *exit,
                                 uint32_t *result);
/* sysreg.c: a trapped MRC/MCR/MRRC/MCRR; a read's value(s) in result[0]
 * (Rt) and result[1] (Rt2). Unknown registers are UNDEFINED. */
enum vmm_action vmm_handle_sysreg(struct vm *vm, const struct opal_message *exit,
                                  uint32_t result[2]);
/* vdebug.c: a trapped CP14 debug register (core/hsr.h's decoding): true if it
 * is one, answered (a read's value in *result). */
bool vdebug_access(struct vm *vm, const struct sysreg_access *access, uint32_t value,
                   uint32_t *result);
/* psci.c: an HVC or SMC; results in r0 (result). */
enum vmm_action vmm_handle_call(struct vm *vm, const struct opal_message *exit,
                                uint32_t *result);
/* console.c: the VM's output and input through the console server. */
void console_init(struct vm *vm);
/* Waiting input into the guest's UART as far as it has room (cheap when
 * there is none: called after every guest access to its UART too). */
void console_input(struct vm *vm);
void console_output(void *context, const char *text, size_t length);

/* channel.c: the VM's channels (lib/vmm_boot.h). init maps their shared
 * memory; the VMM serves each doorbell page and raises each interrupt.
 * Whether the channels can be served: false, with why, for more than
 * VMM_MAX_CHANNELS, an interrupt that is not an SPI of the vGIC, the
 * UART's or another channel's, or a doorbell page past 4 GiB or over
 * the guest's RAM, the GIC, the UART or another channel. */
bool channel_check(const struct vmm_boot_info *info, char *why, size_t size);
/* The channels' interrupts edge-triggered in the vGIC (after its reset). */
void channel_reset(struct vm *vm);
/* The channel whose doorbell page holds guest-physical `address`, or -1. */
int channel_doorbell_at(const struct vmm_boot_info *info, uint32_t address);
/* A guest access to channel k's doorbell: a write of anything signals the
 * peer, a read returns 0. */
void channel_doorbell(struct vm *vm, uint32_t k, bool write, uint32_t *result);
/* A notification word: each channel whose peer signalled gets its
 * guest_irq pending (edge) in the vGIC. */
void channel_signalled(struct vm *vm, uint32_t badge);

/* passthrough.c: the VM's passthrough interrupts (lib/vmm_boot.h), each
 * injected as the same virtual ID, level. Whether they can be served:
 * false, with why, for more than VMM_MAX_IRQS, one that is not an SPI of
 * the vGIC, the UART's, a channel's or listed twice. */
bool passthrough_check(const struct vmm_boot_info *info, char *why, size_t size);
/* The index i of passthrough interrupt `irq`, or -1. */
int passthrough_index(const struct vmm_boot_info *info, uint32_t irq);
/* A notification word: each passthrough interrupt that fired has its line
 * raised in the vGIC (pending while high; injected once enabled). */
void passthrough_signalled(struct vm *vm, uint32_t badge);
/* Their vGIC lines resampled and fixed level (after the vGIC's reset). */
void passthrough_reset(struct vm *vm);
/* The vGIC took `irq`'s line low to resample it: the host's is acked, so a
 * device that still asserts it raises the line again. */
void passthrough_resample(struct vm *vm, uint32_t irq);
/* The guest EOI'd `irq`: if it is a passthrough interrupt, its line goes
 * low and the host's is acked (it may fire again); returns whether it was
 * one. Call before vgic_dist_eoi(), which would offer a high line again. */
bool passthrough_eoi(struct vm *vm, uint32_t irq);

/* report.c: the VMM's log, and what it tells init (enum vmm_report). */
void vmm_log(struct vm *vm, const char *format, ...) __attribute__((format(printf, 2, 3)));
/* rate.c: vmm_log for a line the guest can provoke again and again, through
 * the limiter `rate`; a line that passes after others were held back says
 * how many. */
void vmm_log_limited(struct vm *vm, struct rate_limit *rate, const char *format, ...)
    __attribute__((format(printf, 3, 4)));
/* report.c: the generic counter now. */
uint64_t vmm_now(void);
/* The VM stops: the guest's last output, "VM stopped: <why>", the exits,
 * then the report to init. Returns only if init did not take over (the
 * report could not be delivered, or init answered): the caller stops the
 * vCPU and the VMM waits. */
void vmm_stop(struct vm *vm, enum vmm_report report, const char *why);
/* A Call on VMM_CAP_PARENT with the report as label; init does not answer.
 * Returns the call's result, having logged a failure. */
int vmm_report(struct vm *vm, enum vmm_report report);

#endif
