#pragma once
// Scene panel: what is loaded, load messages, view presets and toggles, the
// rep list with per-rep grade, faults and cues, and re-scoring.
#include "ui/render3d.h"
#include "ui/viewer_state.h"

namespace hl {

// `scorer` may be empty (no drill plugin): the re-score button is then hidden.
void DrawScenePanel(ViewerState* state, OrbitCamera* camera, const ViewerState::Scorer& scorer);

}  // namespace hl
