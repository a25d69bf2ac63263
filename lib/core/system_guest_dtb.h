/* The guest device-tree generator: a VM's DTB made from its node of the
 * system description (core/system.h), optionally merged with a user fragment. */
#ifndef CORE_SYSTEM_GUEST_DTB_H
#define CORE_SYSTEM_GUEST_DTB_H

#include <stdint.h>

#include "core/system.h"

/* Levels of nodes a fragment may have, its root included. */
#define GUEST_DTB_MAX_DEPTH 16

/* Where the virtual platform's devices sit (lib/vmm_boot.h's GUEST_*). Their
 * sizes are architectural: GICv2 distributor 4 KiB, CPU interface 8 KiB,
 * PL011 4 KiB. */
struct guest_dtb_platform {
    uint32_t gicd_base;   /* GIC distributor, emulated by the VMM */
    uint32_t gicc_base;   /* GIC CPU interface: the GICV frame */
    uint32_t uart_base;   /* PL011, emulated by the VMM */
    uint32_t uart_irq;    /* its GIC interrupt ID, an SPI (>= 32) */
};

/*
 * Writes the device tree of system->vms[vm_index] into buffer: a DTB
 * (version 17, reservation map with only its terminator, totalsize exact,
 * so *size = totalsize) that lib/core/fdt.c reads and fdt_edit_check()
 * accepts. It describes the platform of dts/guest-virt.dts:
 *
 *   /                 model, compatible, #address-cells = #size-cells = 1,
 *                     interrupt-parent = the GIC
 *   /aliases          serial0 = the PL011's path
 *   /chosen           stdout-path = "serial0:115200n8", bootargs = vm->bootargs,
 *                     linux,initrd-start / linux,initrd-end (one cell each;
 *                     omitted when initrd_size is 0) - the names the VMM edits
 *   /cpus/cpu@N       one Cortex-A15 per vCPU
 *   /memory@<base>    reg = <ram_base ram_size>
 *   /psci, /intc@<gicd>, /timer, /apb-pclk, /pl011@<uart>
 *
 * then, for each channel the VM is an end of, channel@<guest address>:
 * compatible "opal,channel", reg = <address size>, <address+size
 * SYSTEM_DOORBELL_SIZE>, reg-names "shared", "doorbell", interrupts = the
 * end's guest_irq as an SPI, edge rising, label = the channel's name and
 * "opal,peer" = the other end's name; and for each device range
 * (component.devices[], identity mapped) passthrough@<base>: compatible
 * "opal,passthrough", reg = <base size>. The VM's interrupts
 * (component.irqs[]) all go on the first passthrough node as level-high SPIs
 * (PPIs for IDs 16-31; a fragment may override the "interrupts" property);
 * a VM with interrupts but no device range gets no node for them.
 *
 * fragment (fragment_size bytes; none when fragment_size is 0) is a DTB the
 * user compiled from a DTS fragment. It is merged by exact node name, unit
 * address included ("memory" does not match "memory@40000000"): a fragment
 * node's properties replace the generated node's of the same name, keeping
 * their place, and the others are appended; its subnodes are merged the same
 * way, recursively, and those without a generated counterpart are added
 * after the generated siblings. The root merges like any node. The GIC's and the clock's phandles are numbered above any
 * phandle in the fragment, so the fragment's own references stay valid; a
 * fragment must not override the generated "phandle" properties.
 *
 * fragment must not overlap buffer; buffer needs no alignment.
 *
 * Returns OPAL_OK with *size set, or
 *   OPAL_ERR_INVALID_ARGUMENT  a NULL pointer, vm_index out of range, or a VM
 *                              the description could not have passed
 *                              (no vCPU, a channel interrupt below 32,
 *                              an interrupt below 16, a range past 4 GiB);
 *   OPAL_ERR_MALFORMED         the fragment is not a DTB of one root node with
 *                              balanced nesting, properties before subnodes,
 *                              names unique among siblings and within a node,
 *                              at most GUEST_DTB_MAX_DEPTH levels of nodes and
 *                              phandles below 0xfffffffd;
 *   OPAL_ERR_TRUNCATED         the tree does not fit in capacity.
 * Nothing is ever written at or past buffer + capacity; on an error the
 * bytes before it may have been used as scratch space.
 */
int guest_dtb_build(const struct system *system, uint32_t vm_index,
                    const struct guest_dtb_platform *platform, uint32_t initrd_start,
                    uint32_t initrd_size, const void *fragment, uint32_t fragment_size,
                    void *buffer, uint32_t capacity, uint32_t *size);

#endif
