#pragma once
// The interactive viewer window: the Dear ImGui GLFW + OpenGL 3 example's
// main loop (set-up, loop: poll, new frame, build UI, render, swap; clean-up
// in reverse) around a ViewerState and the 3D renderer.
#include "ui/viewer_panels.h"
#include "ui/viewer_state.h"

namespace hl {

struct ViewerAppOptions {
  // Initial window size (px).
  int width = 1600;
  int height = 900;
};

// Runs until the window closes. Throws hl::Error("display", why) when no
// window can be opened.
// `panels` holds the drill plugins found and the picked one.
void RunViewerApp(ViewerState* state, ViewerPanels* panels, const ViewerAppOptions& options);

}  // namespace hl
