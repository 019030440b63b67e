#pragma once
// Timeline panel: play/pause, speed, step, scrub, loop, and the reps as bands
// coloured by grade (click one to select it).
#include "ui/viewer_state.h"

namespace hl {

void DrawTimelinePanel(ViewerState* state);

}  // namespace hl
