#pragma once
// Plots panel: the measures over time in display units, with the drill's
// thresholds as dashed lines, rep bands coloured by grade and the playback
// cursor; clicking or dragging in a plot seeks (the timeline follows).
// Drawn with ImDrawList (ImGui 1.86 has no ImPlot).
#include "ui/drill_state.h"
#include "ui/viewer_state.h"

namespace hl {

void DrawPlotsPanel(ViewerState* state, const DrillState& drill);

}  // namespace hl
