#include "ui/camera_panel.h"

#define GL_GLEXT_PROTOTYPES 1
#include <GL/gl.h>
#include <imgui.h>

#include <algorithm>
#include <opencv2/imgproc.hpp>

#include "ui/render3d.h"

namespace hl {
namespace {

ImU32 ToImU32(const Eigen::Vector4f& c) {
  return IM_COL32(static_cast<int>(c[0] * 255), static_cast<int>(c[1] * 255),
                  static_cast<int>(c[2] * 255), 255);
}

}  // namespace

void CameraPanel::ReleaseGl() {
  if (texture_) glDeleteTextures(1, &texture_);
  texture_ = 0;
  texture_width_ = texture_height_ = 0;
  view_ = CameraView{};  // so the next Draw uploads again
}

void CameraPanel::Upload(const cv::Mat& bgr) {
  cv::Mat rgba;
  cv::cvtColor(bgr, rgba, cv::COLOR_BGR2RGBA);
  if (!texture_) glGenTextures(1, &texture_);
  glBindTexture(GL_TEXTURE_2D, texture_);
  glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, GL_LINEAR);
  glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, GL_LINEAR);
  glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_S, GL_CLAMP_TO_EDGE);
  glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_T, GL_CLAMP_TO_EDGE);
  glPixelStorei(GL_UNPACK_ALIGNMENT, 1);
  glPixelStorei(GL_UNPACK_ROW_LENGTH, 0);
  glTexImage2D(GL_TEXTURE_2D, 0, GL_RGBA, rgba.cols, rgba.rows, 0, GL_RGBA, GL_UNSIGNED_BYTE,
               rgba.isContinuous() ? rgba.data : rgba.clone().data);
  texture_width_ = rgba.cols, texture_height_ = rgba.rows;
}

void CameraPanel::Draw(const ViewerState& state) {
  if (!ImGui::Begin("Camera")) {
    ImGui::End();
    return;
  }
  const std::vector<std::string> cameras = view_.CamerasWithMedia(state);
  if (cameras.empty()) {
    ImGui::TextWrapped(state.take_dir().empty()
                           ? "no take folder open: camera images come with a take"
                           : "this take has no media for the rig's cameras");
    ImGui::End();
    return;
  }
  if (std::find(cameras.begin(), cameras.end(), camera_) == cameras.end())
    camera_ = cameras.front();
  if (ImGui::BeginCombo("camera", camera_.c_str())) {
    for (const std::string& c : cameras) {
      if (ImGui::Selectable(c.c_str(), c == camera_)) camera_ = c;
    }
    ImGui::EndCombo();
  }
  // Decoding and detecting a full frame takes tens of ms: only when paused.
  if (!state.playing() && view_.Update(state, camera_, state.frame()) &&
      !view_.overlay().image.empty()) {
    Upload(view_.overlay().image);
  }
  const CameraOverlay& o = view_.overlay();
  if (!o.error.empty()) ImGui::TextColored(ImVec4(1, 0.4f, 0.4f, 1), "%s", o.error.c_str());
  if (o.frame != state.frame()) ImGui::TextUnformatted("(pause to update the image)");
  if (!texture_ || o.image.empty()) {
    ImGui::End();
    return;
  }
  std::vector<double> errors = o.reprojection_error_px;
  if (!errors.empty()) {
    std::nth_element(errors.begin(), errors.begin() + errors.size() / 2, errors.end());
    ImGui::Text("%zu detected, %zu reprojected, median reprojection error %.2f px",
                o.detections.size(), o.reprojections.size(), errors[errors.size() / 2]);
  } else {
    ImGui::Text("%zu detected, %zu reprojected", o.detections.size(), o.reprojections.size());
  }
  const ImVec2 avail = ImGui::GetContentRegionAvail();
  const float scale = std::max(
      0.01f, std::min(avail.x / texture_width_, std::max(50.0f, avail.y) / texture_height_));
  const ImVec2 origin = ImGui::GetCursorScreenPos();
  ImGui::Image(reinterpret_cast<ImTextureID>(static_cast<intptr_t>(texture_)),
               ImVec2(texture_width_ * scale, texture_height_ * scale));
  ImDrawList* list = ImGui::GetWindowDrawList();
  auto at = [&](const Eigen::Vector2d& px) {
    // Pixel centres are at integer coordinates in OpenCV, at +0.5 in the texture.
    return ImVec2(origin.x + static_cast<float>(px.x() + 0.5) * scale,
                  origin.y + static_cast<float>(px.y() + 0.5) * scale);
  };
  for (const MarkerObservation& m : o.detections) {
    for (int k = 0; k < 4; ++k) {
      list->AddLine(at(m.corners_px[k]), at(m.corners_px[(k + 1) % 4]), IM_COL32(60, 255, 60, 255),
                    1.5f);
    }
    list->AddCircleFilled(at(m.corners_px[0]), 2.5f, IM_COL32(60, 255, 60, 255));
  }
  for (const auto& [label, px] : o.reprojections) {
    const ImU32 colour = ToImU32(SegmentColour(state.SegmentOfLabel(label)));
    const ImVec2 c = at(px);
    list->AddLine(ImVec2(c.x - 6, c.y), ImVec2(c.x + 6, c.y), colour, 2.0f);
    list->AddLine(ImVec2(c.x, c.y - 6), ImVec2(c.x, c.y + 6), colour, 2.0f);
    list->AddText(ImVec2(c.x + 5, c.y + 3), colour, state.points().labels()[label].c_str());
  }
  ImGui::End();
}

}  // namespace hl
