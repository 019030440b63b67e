#pragma once
// Drill panel: pick a drill plugin, edit its thresholds, re-score, and see the
// score, per-rep grades, faults with cues and metrics (MakeDrillPanelText).
#include "ui/drill_state.h"
#include "ui/viewer_state.h"

namespace hl {

void DrawDrillPanel(ViewerState* state, DrillState* drill);

}  // namespace hl
