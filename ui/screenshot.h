#pragma once
// Rendering one frame of the viewer offscreen, for `hingelab view --screenshot`
// and the screenshot tests: a hidden GLFW window supplies the GL 3.3 context,
// the scene goes into a framebuffer object (so no visible window or swap is
// involved), ImGui paints the text labels on top and the pixels are read back.
#include <Eigen/Core>
#include <optional>

#include <opencv2/core.hpp>

#include "ui/render3d.h"
#include "ui/viewer_panels.h"
#include "ui/viewer_state.h"

namespace hl {

struct ScreenshotOptions {
  // Image size (px).
  int width = 1280;
  int height = 720;
  // The view; unset: DefaultCamera(state).
  std::optional<OrbitCamera> camera;
  // Paint camera names, the gap and the selected marker's id.
  bool draw_labels = true;
  // When set, the viewer's panels are drawn over the view as the window shows
  // them (on a copy of the state; needs draw_labels).
  ViewerPanels* panels = nullptr;
};

struct Screenshot {
  cv::Mat image;  // CV_8UC3, BGR, top row first
  OrbitCamera camera;
  Eigen::Matrix4f clip_from_world = Eigen::Matrix4f::Identity();
};

// The subject seen from its left, framed on the markers (the rig when there are none).
OrbitCamera DefaultCamera(const ViewerState& state);

// Renders the state's current frame. Throws hl::Error("screenshot", why) when
// no GL 3.3 context can be made (no display: run under xvfb-run).
Screenshot RenderScreenshot(const ViewerState& state, const ScreenshotOptions& options);

}  // namespace hl
