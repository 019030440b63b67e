/* Right major version but a descriptor shorter than API 1.0's: refused. */
#include "plugins/hingelab_plugin.h"

static const hl_plugin_descriptor kDescriptor = {
    HL_PLUGIN_API_VERSION, 24, "test_small_struct", "Truncated", "0.0.1",
    NULL, NULL, 0, NULL, HL_MEASURE_HIP_BACK, 0.05, NULL, NULL, NULL, NULL};

HL_PLUGIN_EXPORT const hl_plugin_descriptor* hl_plugin_entry(void) { return &kDescriptor; }
