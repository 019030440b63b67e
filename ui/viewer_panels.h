#pragma once
// Every panel of the viewer window laid out around the 3D view, drawn for one
// ImGui frame; shared by the interactive window and `view --screenshot --panels`.
#include "ui/calibration_panel.h"
#include "ui/camera_panel.h"
#include "ui/drill_state.h"
#include "ui/render3d.h"
#include "ui/viewer_state.h"

namespace hl {

struct ViewerPanels {
  DrillState drill;
  CalibrationPanel calibration;
  CameraPanel camera;
};

// Between ImGui::NewFrame and ImGui::Render. First use places the windows:
// scene and messages top left, drill top right, plots and timeline along the
// bottom, camera and calibration collapsed on the right.
void DrawViewerPanels(ViewerState* state, ViewerPanels* panels, OrbitCamera* camera);

}  // namespace hl
