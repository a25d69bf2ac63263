/* The boot archive (a newc CPIO of the root task and its files), linked into
 * the kernel image; BOOT_ARCHIVE is the path of the archive for this image. */
    .section .boot_archive, "a"
    .balign 4096
    .global boot_archive_start, boot_archive_end
boot_archive_start:
    .incbin BOOT_ARCHIVE
boot_archive_end:
    .balign 4096
