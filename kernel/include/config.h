/* Build-time constants of the kernel. */
#ifndef KERNEL_CONFIG_H
#define KERNEL_CONFIG_H

#include "opal/limits.h"

#define CONFIG_PRIORITIES       256
#define CONFIG_CORES            8     /* the most a GICv2 serves */
#define CONFIG_TIMESLICE_US     5000  /* round-robin slice within a priority */
#define CONFIG_ROOT_PRIORITY    128
#define CONFIG_PAGE_SIZE        4096u
/* The domain schedule's limits are the ABI's (include/opal/limits.h). */
#define CONFIG_DOMAINS                OPAL_DOMAINS
#define CONFIG_DOMAIN_WINDOWS         OPAL_DOMAIN_WINDOWS
#define CONFIG_DOMAIN_WINDOW_MIN_US   OPAL_DOMAIN_WINDOW_MIN_US
#define CONFIG_DOMAIN_SCHEDULE_MAX_US OPAL_DOMAIN_SCHEDULE_MAX_US

#define OPAL_VERSION "0.1"

#endif
