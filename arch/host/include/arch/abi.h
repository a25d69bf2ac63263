/* The fake architecture keeps ARM's register ABI, as it keeps its context. */
#include "../../../arm/include/arch/abi.h"
