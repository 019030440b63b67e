#include "ui/viewer_panels.h"

#include <imgui.h>

#include <algorithm>

#include "ui/drill_panel.h"
#include "ui/plots_panel.h"
#include "ui/scene_panel.h"
#include "ui/timeline_panel.h"

namespace hl {
namespace {

void Place(float x, float y, float w, float h, bool collapsed = false) {
  ImGui::SetNextWindowPos(ImVec2(x, y), ImGuiCond_FirstUseEver);
  ImGui::SetNextWindowSize(ImVec2(std::max(w, 120.0f), std::max(h, 60.0f)), ImGuiCond_FirstUseEver);
  ImGui::SetNextWindowCollapsed(collapsed, ImGuiCond_FirstUseEver);
}

}  // namespace

void DrawViewerPanels(ViewerState* state, ViewerPanels* panels, OrbitCamera* camera) {
  const ImVec2 size = ImGui::GetIO().DisplaySize;
  const float w = size.x, h = size.y;
  const float side = std::min(400.0f, 0.3f * w), timeline_h = 100.0f, plots_h = 0.3f * h;
  Place(8, 8, side, h - plots_h - timeline_h - 32);
  DrawScenePanel(state, camera, panels->drill.MakeScorer());
  Place(w - side - 8, 8, side, 0.45f * h);
  DrawDrillPanel(state, &panels->drill);
  Place(8, h - timeline_h - plots_h - 16, w - 16, plots_h);
  DrawPlotsPanel(state, panels->drill);
  Place(8, h - timeline_h - 8, w - 16, timeline_h);
  DrawTimelinePanel(state);
  Place(w - side - 8, 0.45f * h + 16, side, 0.4f * h, /*collapsed=*/true);
  panels->camera.Draw(*state);
  Place(w - side - 8, 0.45f * h + 40, side, 0.25f * h, /*collapsed=*/true);
  panels->calibration.Draw(*state);
}

}  // namespace hl
