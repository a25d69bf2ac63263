/* probe: a bare-metal guest that checks what the hypervisor makes of
 * accesses real hardware answers: byte, halfword, unaligned and
 * no-syndrome accesses to the GIC distributor, reads, writes and fetches
 * outside its RAM (an external abort, with LR, SPSR, DFSR/IFSR and
 * DFAR/IFAR as the architecture sets them), the virtual PMU's cycle
 * counter, an undefined system register, the implementation-defined and
 * debug OS-lock registers, set/way maintenance, an MRC to the flags. One line per probe, PASS or FAIL, a summary,
 * then PSCI SYSTEM_OFF (tests/system/test_probe.py). */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "guest/baremetal.h"

#define PRIORITIES      (GICD_BASE + GICD_IPRIORITYR)   /* the distributor's byte registers */
#define TARGETS         (GICD_BASE + GICD_ITARGETSR)
#define STRAY_READ      0x0a000000u   /* neither RAM nor a device of the guest */
#define STRAY_FETCH     0x10000000u

/* What start.S's vectors record of the last exception. */
enum trap_kind { TRAP_NONE, TRAP_DATA_ABORT, TRAP_PREFETCH_ABORT, TRAP_UNDEFINED };
struct trap {
    uint32_t kind, lr, spsr, dfsr, dfar, ifsr, ifar, count;
};
volatile struct trap trap;

/* The faulting instructions (start.S): each takes r0 = address and returns
 * what it loaded; the *_at labels are the instructions themselves. */
uint32_t probe_ldm(uint32_t address);
uint32_t probe_stm(uint32_t address);
uint32_t probe_ldrd(uint32_t address);
uint32_t probe_ldrex(uint32_t address);
uint32_t probe_ldr_post(uint32_t address);
uint32_t probe_ldr(uint32_t address);
uint32_t probe_str(uint32_t address);
uint32_t probe_pmu_undefined(uint32_t unused);
uint32_t probe_thumb_ldr(uint32_t address);
void probe_fetch(uint32_t address);
extern const char probe_ldm_at[], probe_stm_at[], probe_ldrd_at[], probe_ldrex_at[],
    probe_ldr_post_at[], probe_ldr_at[], probe_str_at[], probe_pmu_undefined_at[],
    probe_thumb_ldr_at[];
void probe_main(void);

#define MODE_SVC 0x13u
#define SPSR_MODE(spsr) ((spsr) & 0x1fu)
#define SPSR_T (1u << 5)
#define FLAGS_SET 0xf0000000u       /* NZCV, as the probes set them */
/* Short-descriptor FSR: FS[10,3:0] 0b01000 = synchronous external abort,
 * WnR bit 11 (DFSR), LPAE bit 9 clear (TTBCR.EAE 0). */
#define FSR_STATUS(fsr) (((fsr) & 0xfu) | (((fsr) >> 6) & 0x10u))
#define FSR_EXTERNAL 0x08u
#define FSR_ALIGNMENT 0x01u
#define FSR_LPAE (1u << 9)
#define DFSR_WNR (1u << 11)

static uint32_t passed, failed;

/* One result line: "probe: <name> PASS" or "probe: <name> FAIL <why> <value>". */
static void result(const char *name, const char *failure, uint32_t value)
{
    put_string("probe: ");
    put_string(name);
    if (failure == NULL) {
        passed++;
        put_string(" PASS\n");
        return;
    }
    failed++;
    put_string(" FAIL ");
    put_string(failure);
    put_string(" ");
    put_hex(value);
    put_string("\n");
}

static void clear_trap(void)
{
    trap.kind = TRAP_NONE;
    trap.count = 0;
}

/* --- the GIC distributor --------------------------------------------------- */

static volatile uint32_t *word_at(uint32_t address)
{
    return (volatile uint32_t *)address;
}

static void probe_gicd_bytes(void)
{
    clear_trap();
    *word_at(PRIORITIES + 32) = 0xa0b0c0d0u;    /* irqs 32-35 */
    volatile uint8_t *priority = (volatile uint8_t *)(PRIORITIES + 32);
    uint32_t bytes = (uint32_t)priority[0] | (uint32_t)priority[1] << 8 |
                     (uint32_t)priority[2] << 16 | (uint32_t)priority[3] << 24;
    priority[2] = 0x40;
    uint32_t word = *word_at(PRIORITIES + 32);
    volatile uint8_t *targets = (volatile uint8_t *)TARGETS;
    uint32_t sgi_target = targets[5], spi_target = targets[34];
    result("gicd-byte-ipriorityr", trap.count ? "trapped" : bytes != 0xa0b0c0d0u ? "read" :
           word != 0xa040c0d0u ? "write" : NULL, trap.count ? trap.kind : word);
    result("gicd-byte-itargetsr", trap.count ? "trapped" : sgi_target != 1 ? "sgi" :
           spi_target != 0 ? "spi" : NULL, sgi_target << 8 | spi_target);
}

/* Halfwords are not defined for any distributor register: RAZ/WI. */
static void probe_gicd_halfword(void)
{
    clear_trap();
    volatile uint16_t *half = (volatile uint16_t *)PRIORITIES;
    *word_at(PRIORITIES) = 0x10203040u;
    uint32_t value = half[0];
    half[1] = 0xffff;
    uint32_t word = *word_at(PRIORITIES);
    result("gicd-halfword-raz-wi", trap.count ? "trapped" : value != 0 ? "read" :
           word != 0x10203040u ? "write" : NULL, trap.count ? trap.kind : value);
}

/* An unaligned word: with the MMU off the access is Strongly-ordered, and
 * an unaligned access there is an alignment fault (DFSR FS 0b00001) the
 * CPU raises itself; if it reaches the distributor, RAZ/WI. */
static void probe_gicd_unaligned(void)
{
    clear_trap();
    uint32_t value = probe_ldr(PRIORITIES + 1);
    bool alignment = trap.count == 1 && trap.kind == TRAP_DATA_ABORT &&
                     FSR_STATUS(trap.dfsr) == FSR_ALIGNMENT && trap.dfar == PRIORITIES + 1;
    result("gicd-unaligned", alignment || (trap.count == 0 && value == 0) ? NULL : "got",
           trap.count ? trap.dfsr : value);
}

/* --- external aborts ---------------------------------------------------------- */

/* The last trap was one synchronous external data abort at `address` by the
 * instruction at `at` in ARM (or Thumb) state from SVC mode with the probes'
 * flags: NULL, or what is wrong. */
static const char *data_abort_wrong(uint32_t address, const char *at, bool write, bool thumb)
{
    if (trap.count != 1 || trap.kind != TRAP_DATA_ABORT)
        return "no-data-abort";
    if (trap.lr != (uint32_t)at + 8)
        return "lr";
    if (SPSR_MODE(trap.spsr) != MODE_SVC || ((trap.spsr & SPSR_T) != 0) != thumb ||
        (!thumb && (trap.spsr & FLAGS_SET) != FLAGS_SET))
        return "spsr";
    if (FSR_STATUS(trap.dfsr) != FSR_EXTERNAL || (trap.dfsr & FSR_LPAE) ||
        ((trap.dfsr & DFSR_WNR) != 0) != write)
        return "dfsr";
    if (trap.dfar != address)
        return "dfar";
    return NULL;
}

static uint32_t trap_detail(void)
{
    return trap.count == 0 ? 0 : trap.kind == TRAP_DATA_ABORT ? trap.dfsr : trap.lr;
}

typedef uint32_t (*access_probe)(uint32_t address);

static void expect_data_abort(const char *name, access_probe probe, const char *at,
                              uint32_t address, bool write)
{
    clear_trap();
    probe(address);
    result(name, data_abort_wrong(address, at, write, false), trap_detail());
}

static void probe_no_syndrome(void)
{
    expect_data_abort("gicd-ldm-abort", probe_ldm, probe_ldm_at, PRIORITIES, false);
    expect_data_abort("gicd-stm-abort", probe_stm, probe_stm_at, PRIORITIES, true);
    expect_data_abort("gicd-ldrd-abort", probe_ldrd, probe_ldrd_at, PRIORITIES, false);
    expect_data_abort("gicd-ldrex-abort", probe_ldrex, probe_ldrex_at, PRIORITIES, false);
    expect_data_abort("gicd-writeback-abort", probe_ldr_post, probe_ldr_post_at,
                      PRIORITIES, false);
}

static void probe_outside_ram(void)
{
    expect_data_abort("stray-read-abort", probe_ldr, probe_ldr_at, STRAY_READ, false);
    expect_data_abort("stray-write-abort", probe_str, probe_str_at, STRAY_READ + 4, true);
    clear_trap();
    probe_thumb_ldr(STRAY_READ + 8);
    result("stray-thumb-read-abort",
           data_abort_wrong(STRAY_READ + 8, probe_thumb_ldr_at, false, true), trap_detail());
}

/* A fetch outside RAM: a prefetch abort, LR_abt the address + 4, IFSR an
 * external abort, IFAR the address. */
static void probe_stray_fetch(void)
{
    clear_trap();
    probe_fetch(STRAY_FETCH);
    const char *wrong = trap.count != 1 || trap.kind != TRAP_PREFETCH_ABORT ? "no-prefetch-abort"
        : trap.lr != STRAY_FETCH + 4 ? "lr"
        : SPSR_MODE(trap.spsr) != MODE_SVC || (trap.spsr & FLAGS_SET) != FLAGS_SET ? "spsr"
        : FSR_STATUS(trap.ifsr) != FSR_EXTERNAL || (trap.ifsr & FSR_LPAE) ? "ifsr"
        : trap.ifar != STRAY_FETCH ? "ifar" : NULL;
    result("stray-fetch-abort", wrong, trap.count ? trap.ifsr : 0);
}

/* --- system registers ----------------------------------------------------------- */

static uint32_t pmccntr(void)
{
    uint32_t value;
    __asm__ volatile("isb\n mrc p15, 0, %0, c9, c13, 0" : "=r"(value));
    return value;
}

static void spin(void)
{
    for (volatile uint32_t i = 0; i < 10000; i++)
        ;
}

static void probe_cycle_counter(void)
{
    clear_trap();
    __asm__ volatile("mcr p15, 0, %0, c9, c12, 0" :: "r"(1u));          /* PMCR.E */
    __asm__ volatile("mcr p15, 0, %0, c9, c12, 1" :: "r"(1u << 31));    /* PMCNTENSET.C */
    uint32_t first = pmccntr();
    spin();
    uint32_t second = pmccntr();
    result("pmccntr-advances", trap.count ? "trapped" : second == first ? "stuck" : NULL,
           second - first);
    __asm__ volatile("mcr p15, 0, %0, c9, c12, 2" :: "r"(1u << 31));    /* PMCNTENCLR.C */
    first = pmccntr();
    spin();
    second = pmccntr();
    result("pmccntr-stops", trap.count ? "trapped" : second != first ? "moved" : NULL,
           second - first);
}

static void probe_undefined_register(void)
{
    clear_trap();
    probe_pmu_undefined(0);
    const char *wrong = trap.count != 1 || trap.kind != TRAP_UNDEFINED ? "no-undefined"
        : trap.lr != (uint32_t)probe_pmu_undefined_at + 4 ? "lr"
        : SPSR_MODE(trap.spsr) != MODE_SVC || (trap.spsr & FLAGS_SET) != FLAGS_SET ? "spsr"
        : NULL;
    result("sysreg-undefined", wrong, trap.lr);
}

static void probe_implementation_defined(void)
{
    clear_trap();
    uint32_t l2ctlr;
    __asm__ volatile("mrc p15, 1, %0, c9, c0, 2" : "=r"(l2ctlr));
    result("l2ctlr-one-cpu", trap.count ? "trapped" : (l2ctlr >> 24) & 3u ? "cpus" : NULL,
           l2ctlr);
}

static void probe_os_lock(void)
{
    clear_trap();
    uint32_t locked, unlocked;
    __asm__ volatile("mcr p14, 0, %0, c1, c0, 4" :: "r"(0xc5acce55u));  /* DBGOSLAR */
    __asm__ volatile("isb\n mrc p14, 0, %0, c1, c1, 4" : "=r"(locked));  /* DBGOSLSR */
    __asm__ volatile("mcr p14, 0, %0, c1, c0, 4" :: "r"(0u));
    __asm__ volatile("isb\n mrc p14, 0, %0, c1, c1, 4" : "=r"(unlocked));
    result("debug-os-lock", trap.count ? "trapped" : !(locked & 2u) ? "not-locked"
           : (unlocked & 2u) ? "not-unlocked" : NULL, locked << 8 | unlocked);
}

/* Set/way maintenance is the kernel's (HCR.TSW): done as a clean and
 * invalidate of the line named, or nothing for a level with no cache;
 * never an exception for the guest. */
static void probe_set_way(void)
{
    clear_trap();
    __asm__ volatile("mcr p15, 0, %0, c7, c14, 2" :: "r"(0u) : "memory");          /* DCCISW */
    __asm__ volatile("mcr p15, 0, %0, c7, c6, 2" :: "r"(0x40000040u) : "memory");  /* DCISW */
    __asm__ volatile("mcr p15, 0, %0, c7, c10, 2" :: "r"(0xfffffffeu) : "memory"); /* DCCSW L8 */
    result("set-way", trap.count ? "trapped" : NULL, trap.count);
}

/* A trapped MRC to APSR_nzcv sets the flags from bits 31-28 (the PMCR:
 * the VMM's), and leaves the pc alone. */
static void probe_mrc_to_flags(void)
{
    clear_trap();
    uint32_t pmcr, apsr;
    __asm__ volatile("mrc p15, 0, %0, c9, c12, 0" : "=r"(pmcr));
    __asm__ volatile("msr APSR_nzcvq, %1\n"
                     "mrc p15, 0, APSR_nzcv, c9, c12, 0\n"
                     "mrs %0, apsr"
                     : "=r"(apsr) : "r"(~pmcr & FLAGS_SET) : "cc");
    result("mrc-to-flags", trap.count ? "trapped" : (apsr ^ pmcr) & FLAGS_SET ? "flags" : NULL,
           apsr);
}

/* CP15 c15 is implementation-defined (HSTR.T15): RAZ/WI. */
static void probe_c15(void)
{
    clear_trap();
    uint32_t value = 0xffffffffu;
    __asm__ volatile("mcr p15, 0, %0, c15, c0, 0" :: "r"(0xffffffffu));
    __asm__ volatile("mrc p15, 0, %0, c15, c0, 0" : "=r"(value));
    result("c15-raz-wi", trap.count ? "trapped" : value ? "value" : NULL, value);
}

/* PSCI CPU_SUSPEND to standby is a WFI: it returns once an interrupt is
 * pending (the virtual timer's, 2 ms on, with IRQs masked so nothing is
 * taken), not at once. */
#define PSCI_CPU_SUSPEND 0x84000001u
#define SUSPEND_MS 2u

static void probe_cpu_suspend(void)
{
    uint32_t ticks = counter_frequency() / 1000 * SUSPEND_MS;
    __asm__ volatile("mcr p15, 0, %0, c14, c3, 0" :: "r"(ticks));      /* CNTV_TVAL */
    __asm__ volatile("mcr p15, 0, %0, c14, c3, 1\n isb" :: "r"(1u));  /* CNTV_CTL: on */
    uint64_t start = counter();
    register uint32_t r0 __asm__("r0") = PSCI_CPU_SUSPEND;
    register uint32_t r1 __asm__("r1") = 0;                            /* standby, core */
    __asm__ volatile(".arch_extension virt\n hvc #0" : "+r"(r0), "+r"(r1) :: "r2", "r3", "memory");
    uint64_t waited = counter() - start;
    __asm__ volatile("mcr p15, 0, %0, c14, c3, 1" :: "r"(0u));         /* timer off */
    result("psci-suspend-waits", r0 != 0 ? "status" : waited < ticks ? "returned-early" : NULL,
           (uint32_t)waited);
}

void probe_main(void)
{
    put_string("probe: ready\n");
    probe_gicd_bytes();
    probe_gicd_halfword();
    probe_gicd_unaligned();
    probe_cycle_counter();
    probe_undefined_register();
    probe_implementation_defined();
    probe_os_lock();
    probe_set_way();
    probe_mrc_to_flags();
    probe_c15();
    probe_cpu_suspend();
    /* The stray accesses last: under stray-access "stop" the first ends the VM. */
    probe_no_syndrome();
    probe_outside_ram();
    probe_stray_fetch();
    put_string("probe: ");
    put_number(passed);
    put_string(" passed, ");
    put_number(failed);
    put_string(" failed\n");
    hvc(PSCI_SYSTEM_OFF);
    put_string("probe: still running after SYSTEM_OFF\n");
}
