#pragma once
// Camera panel (when the take has media): the chosen camera's frame as a GL
// texture, the detected marker corners (green) and the recording's markers
// reprojected through the rig (crosses in their segment's colour).
#include <string>

#include "ui/camera_view.h"
#include "ui/viewer_state.h"

namespace hl {

class CameraPanel {
 public:
  CameraPanel() = default;
  // The texture is not freed here: the GL context may already be gone. Call
  // ReleaseGl() while it is current.
  ~CameraPanel() = default;
  CameraPanel(const CameraPanel&) = delete;
  CameraPanel& operator=(const CameraPanel&) = delete;

  // Needs the GL context current (the texture lives in it).
  void Draw(const ViewerState& state);
  void ReleaseGl();

 private:
  void Upload(const cv::Mat& bgr);

  CameraView view_;
  std::string camera_;
  unsigned texture_ = 0;
  int texture_width_ = 0, texture_height_ = 0;
};

}  // namespace hl
