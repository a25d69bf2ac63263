/* Platform discovery: RAM, UART, GIC and timer interrupts from the device
 * tree the loader handed over, each fact falling back to the platform file
 * (and saying so) when the tree lacks it or there is no tree at all. */
#include "core/fdt.h"
#include "opal/error.h"
#include "arch/cp15.h"
#include "arm.h"
#include "log.h"
#include "platform.h"
#include "plat/qemu-virt/platform.h"

#define PSCI_0_2_CPU_ON 0x84000003u   /* the standard ID (PSCI 0.2 and later) */

#define FDT_MAX_SIZE (2u << 20)
#define FDT_MAGIC_LE 0xedfe0dd0u   /* 0xd00dfeed as read by a little-endian load */
#define GIC_PPI_BASE 16
#define GIC_SPI_BASE 32

struct platform platform;

/* Notes about fallbacks are collected while the console may not be ready. */
static const char *fallback_notes[8];
static unsigned fallback_note_count;

static void note_fallback(const char *what)
{
    if (fallback_note_count < sizeof fallback_notes / sizeof fallback_notes[0])
        fallback_notes[fallback_note_count++] = what;
}

void platform_fallback(void)
{
    platform.source = PLATFORM_FALLBACK_NAME;
    platform.cores = 1;
    platform.ram_base = PLATFORM_FALLBACK_RAM_BASE;
    platform.ram_size = PLATFORM_FALLBACK_RAM_SIZE;
    platform.uart_base = PLATFORM_FALLBACK_UART;
    platform.uart_irq = PLATFORM_FALLBACK_UART_IRQ;
    platform.gicd_base = PLATFORM_FALLBACK_GICD;
    platform.gicc_base = PLATFORM_FALLBACK_GICC;
    platform.gich_base = PLATFORM_FALLBACK_GICH;
    platform.gicv_base = PLATFORM_FALLBACK_GICV;
    platform.hyp_timer_irq = PLATFORM_FALLBACK_HYP_TIMER_IRQ;
    platform.virtual_timer_irq = PLATFORM_FALLBACK_VIRTUAL_TIMER_IRQ;
    platform.maintenance_irq = PLATFORM_FALLBACK_MAINTENANCE_IRQ;
}

static int find_fdt(uint32_t address, struct fdt *fdt)
{
    if (address == 0 || address % 8 != 0 || *(const volatile uint32_t *)address != FDT_MAGIC_LE)
        return -OPAL_ERR_NOT_FOUND;
    return fdt_open(fdt, (const void *)address, FDT_MAX_SIZE);
}

static void discover_memory(const struct fdt *fdt)
{
    uint64_t base, size;
    int node = fdt_path_offset(fdt, "/memory");
    if (node < 0 || fdt_reg(fdt, node, 0, &base, &size) != OPAL_OK || size == 0) {
        note_fallback("memory");
        return;
    }
    if (base >= (1ull << 32)) {
        note_fallback("memory (above 4 GiB)");
        return;
    }
    if (base + size > (1ull << 32))
        size = (1ull << 32) - base - (1u << 21); /* keep the end representable */
    platform.ram_base = base;
    platform.ram_size = size;
}

/* The PL011's "interrupts": a GIC triple whose first cell says SPI (0) or PPI (1). */
static void discover_uart(const struct fdt *fdt)
{
    uint64_t base, size;
    uint32_t type, number;
    int node = fdt_node_by_compatible(fdt, -1, "arm,pl011");
    if (node < 0 || fdt_reg(fdt, node, 0, &base, &size) != OPAL_OK || base >= (1ull << 32)) {
        note_fallback("UART");
        return;
    }
    platform.uart_base = (uint32_t)base;
    if (fdt_property_cell(fdt, node, "interrupts", 0, &type) != OPAL_OK || type > 1 ||
        fdt_property_cell(fdt, node, "interrupts", 1, &number) != OPAL_OK) {
        note_fallback("UART interrupt");
        return;
    }
    platform.uart_irq = (type == 0 ? GIC_SPI_BASE : GIC_PPI_BASE) + number;
}

/* The real-time clock the root task reads the date from (none: 0). */
static void discover_rtc(const struct fdt *fdt)
{
    uint64_t base, size;
    int node = fdt_node_by_compatible(fdt, -1, "arm,pl031");
    if (node >= 0 && fdt_reg(fdt, node, 0, &base, &size) == OPAL_OK && base < (1ull << 32))
        platform.rtc_base = (uint32_t)base;
}

static void discover_gic(const struct fdt *fdt)
{
    uint32_t *bases[] = { &platform.gicd_base, &platform.gicc_base, &platform.gich_base,
                          &platform.gicv_base };
    uint64_t base[4], size;
    uint32_t type, number;
    int node = fdt_node_by_compatible(fdt, -1, "arm,cortex-a15-gic");
    if (node < 0)
        node = fdt_node_by_compatible(fdt, -1, "arm,gic-400");
    for (unsigned i = 0; i < 4; i++) {
        if (node < 0 || fdt_reg(fdt, node, i, &base[i], &size) != OPAL_OK ||
            base[i] >= (1ull << 32)) {
            note_fallback("GIC (needs distributor, CPU, hypervisor and virtual CPU interfaces)");
            return;
        }
    }
    for (unsigned i = 0; i < 4; i++)
        *bases[i] = (uint32_t)base[i];
    if (fdt_property_cell(fdt, node, "interrupts", 0, &type) == OPAL_OK && type == 1 &&
        fdt_property_cell(fdt, node, "interrupts", 1, &number) == OPAL_OK)
        platform.maintenance_irq = GIC_PPI_BASE + number;
}

/* "interrupts" of arm,armv7-timer: secure, non-secure, virtual, hyp; 3 cells each. */
static void discover_timer(const struct fdt *fdt)
{
    uint32_t virtual_type, virtual_number, hyp_type, hyp_number;
    int node = fdt_node_by_compatible(fdt, -1, "arm,armv7-timer");
    if (node < 0 || fdt_property_cell(fdt, node, "interrupts", 6, &virtual_type) != OPAL_OK ||
        fdt_property_cell(fdt, node, "interrupts", 7, &virtual_number) != OPAL_OK ||
        fdt_property_cell(fdt, node, "interrupts", 9, &hyp_type) != OPAL_OK ||
        fdt_property_cell(fdt, node, "interrupts", 10, &hyp_number) != OPAL_OK ||
        virtual_type != 1 || hyp_type != 1 || virtual_number > 15 || hyp_number > 15) {
        note_fallback("timer interrupts");
        return;
    }
    platform.virtual_timer_irq = GIC_PPI_BASE + virtual_number;
    platform.hyp_timer_irq = GIC_PPI_BASE + hyp_number;
}

/* The cores: /cpus/cpu@* in the tree's order, the boot core (the one
 * reading this) first; each started by PSCI CPU_ON, which from HYP mode
 * can only be an SMC. Without that, Opal runs on the boot core alone. */
static void discover_cores(const struct fdt *fdt)
{
    uint32_t self = mpidr_read() & MPIDR_AFFINITY_MASK, on;
    int psci = fdt_path_offset(fdt, "/psci");
    if (psci < 0 || !fdt_stringlist_contains(fdt, psci, "method", "smc")) {
        note_fallback("PSCI with the SMC method (other cores stay off)");
        return;
    }
    if (fdt_stringlist_contains(fdt, psci, "compatible", "arm,psci-0.2")) {
        on = PSCI_0_2_CPU_ON;
    } else if (fdt_property_u32(fdt, psci, "cpu_on", &on) != OPAL_OK) {
        note_fallback("PSCI cpu_on (other cores stay off)");
        return;
    }
    int cpus = fdt_path_offset(fdt, "/cpus"), depth = 0, node = cpus;
    unsigned count = 1;
    uint64_t mpidr, size;
    while (cpus >= 0 && (node = fdt_next_node(fdt, node, &depth)) >= 0 && depth > 0) {
        if (depth != 1 || !fdt_stringlist_contains(fdt, node, "device_type", "cpu") ||
            fdt_reg(fdt, node, 0, &mpidr, &size) != OPAL_OK || mpidr == self)
            continue;
        if (count == CONFIG_CORES) {
            note_fallback("core count (more cores than CONFIG_CORES; the rest stay off)");
            break;
        }
        platform.core_mpidr[count++] = (uint32_t)mpidr;
    }
    platform.core_mpidr[0] = self;
    platform.cores = count;
    platform.psci_cpu_on = on;
}

static void discover_cmdline(const struct fdt *fdt)
{
    uint32_t length;
    int node = fdt_path_offset(fdt, "/chosen");
    const char *bootargs = node < 0 ? NULL : fdt_property(fdt, node, "bootargs", &length);
    if (bootargs == NULL)
        return;
    unsigned i;
    for (i = 0; i < length && bootargs[i] && i < PLATFORM_CMDLINE_MAX - 1; i++)
        platform.cmdline[i] = bootargs[i];
    platform.cmdline[i] = '\0';
    platform.cmdline_truncated = i < length && bootargs[i] != '\0';
}

void platform_discover(uint32_t fdt_address)
{
    struct fdt fdt;
    platform_fallback();
    int found = find_fdt(fdt_address, &fdt);
    if (found != OPAL_OK) /* QEMU puts the tree at the base of RAM for ELF images */
        found = find_fdt(PLATFORM_FALLBACK_RAM_BASE, &fdt);
    if (found == OPAL_OK) {
        platform.source = "device tree";
        platform.fdt_address = (uint32_t)(uintptr_t)fdt.blob;
        platform.fdt_size = fdt.size;
        discover_memory(&fdt);
        discover_uart(&fdt);
        discover_rtc(&fdt);
        discover_gic(&fdt);
        discover_timer(&fdt);
        discover_cmdline(&fdt);
        discover_cores(&fdt);
    }
    pl011_init(platform.uart_base);
}

void platform_report(void)
{
    if (platform.fdt_address)
        log("platform: device tree at 0x%08x (%u bytes)", platform.fdt_address,
            platform.fdt_size);
    else
        log("platform: no device tree found; using the %s platform file", platform.source);
    for (unsigned i = 0; i < fallback_note_count; i++)
        log("platform: device tree has no usable %s; using the " PLATFORM_FALLBACK_NAME
            " value", fallback_notes[i]);
    if (platform.cmdline_truncated)
        log("platform: bootargs longer than %u bytes; only the first %u are used",
            PLATFORM_CMDLINE_MAX - 1, PLATFORM_CMDLINE_MAX - 1);
}
