/* Build-time constants of the kernel. */
#ifndef KERNEL_CONFIG_H
#define KERNEL_CONFIG_H

#define CONFIG_MAX_THREADS      16    /* foundation: a static pool (TCB objects replace it) */
#define CONFIG_PRIORITIES       256
#define CONFIG_TIMESLICE_US     5000  /* round-robin slice within a priority */
#define CONFIG_ROOT_PRIORITY    128
#define CONFIG_PAGE_SIZE        4096u
/* The domain schedule (docs/api.md, "Domains"): domains 0..15, 0 the system
 * domain; up to 16 windows of at least 100 µs, 10 s in all at most. */
#define CONFIG_DOMAINS          16
#define CONFIG_DOMAIN_WINDOWS   16
#define CONFIG_DOMAIN_WINDOW_MIN_US   100u
#define CONFIG_DOMAIN_SCHEDULE_MAX_US 10000000u

#define OPAL_VERSION "0.1"

#endif
