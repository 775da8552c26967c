// Everything is in include/shim.h (static inline); SwiftPM wants one source file per C target.
#include "shim.h"
