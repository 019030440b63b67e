#include "ui/scene_panel.h"

#include <imgui.h>

#include "ui/screenshot.h"

namespace hl {

void DrawScenePanel(ViewerState* state, OrbitCamera* camera, const ViewerState::Scorer& scorer) {
  if (!ImGui::Begin("Scene")) {
    ImGui::End();
    return;
  }
  ImGui::Text("recording: %s", state->has_recording() ? state->recording_name().c_str() : "(none)");
  ImGui::Text("rig: %zu cameras   marker set: %s   drill: %s", state->rig().cameras.size(),
              state->has_marker_set() ? "yes" : "no", state->drill().empty() ? "-" : state->drill().c_str());
  if (const auto gap = state->ContactGapAt(state->frame())) {
    ImGui::Text("sacrum gap %.1f cm (%s)", *gap * 100, state->ContactLostAt(state->frame()) ? "LOST" : "contact");
  }

  const Eigen::Vector3d forward =
      state->measures() ? state->measures()->frame.forward : Eigen::Vector3d::UnitX();
  if (ImGui::Button("side")) camera->SetPreset(OrbitCamera::Preset::kSide, forward);
  ImGui::SameLine();
  if (ImGui::Button("front")) camera->SetPreset(OrbitCamera::Preset::kFront, forward);
  ImGui::SameLine();
  if (ImGui::Button("top")) camera->SetPreset(OrbitCamera::Preset::kTop, forward);
  ImGui::SameLine();
  if (ImGui::Button("frame all")) *camera = DefaultCamera(*state);

  ViewerSettings& s = state->settings;
  if (ImGui::CollapsingHeader("show")) {
    ImGui::Checkbox("grid", &s.show_grid);
    ImGui::SameLine();
    ImGui::Checkbox("axes", &s.show_axes);
    ImGui::SameLine();
    ImGui::Checkbox("frusta", &s.show_frusta);
    ImGui::SameLine();
    ImGui::Checkbox("camera names", &s.show_camera_names);
    ImGui::Checkbox("trails", &s.show_trails);
    ImGui::SameLine();
    ImGui::Checkbox("pelvis frame", &s.show_pelvis_frame);
    ImGui::SameLine();
    ImGui::Checkbox("forward arrow", &s.show_forward_arrow);
    ImGui::SliderFloat("marker size (px)", &s.marker_size_px, 2.0f, 30.0f);
    float threshold_cm = static_cast<float>(s.contact_threshold_m * 100);
    if (ImGui::SliderFloat("contact lost at (cm)", &threshold_cm, 0.5f, 10.0f)) {
      s.contact_threshold_m = threshold_cm / 100.0;
    }
  }

  if (ImGui::CollapsingHeader("reps", ImGuiTreeNodeFlags_DefaultOpen)) {
    if (scorer && ImGui::Button("re-score")) state->Rescore(scorer);
    for (size_t i = 0; i < state->reps().size(); ++i) {
      const ViewerRep& r = state->reps()[i];
      char title[96];
      if (r.grade >= 0) {
        std::snprintf(title, sizeof(title), "rep %d  %.2f-%.2f s  grade %d  score %.0f", r.index,
                      r.start_frame / state->fps(), r.end_frame / state->fps(), r.grade, r.score);
      } else {
        std::snprintf(title, sizeof(title), "rep %d  %.2f-%.2f s", r.index, r.start_frame / state->fps(),
                      r.end_frame / state->fps());
      }
      if (ImGui::Selectable(title, state->selected_rep() == static_cast<int>(i))) {
        state->SelectRep(static_cast<int>(i));
      }
      for (size_t k = 0; k < r.faults.size(); ++k) {
        ImGui::BulletText("%s: %s", r.faults[k].c_str(), k < r.cues.size() ? r.cues[k].c_str() : "");
      }
    }
  }

  if (ImGui::CollapsingHeader("messages", ImGuiTreeNodeFlags_DefaultOpen)) {
    for (const ViewerMessage& m : state->messages()) {
      const ImVec4 colour = m.level == ViewerMessage::kError ? ImVec4(1, 0.4f, 0.4f, 1) : ImVec4(0.8f, 0.8f, 0.8f, 1);
      ImGui::PushTextWrapPos(0);
      ImGui::TextColored(colour, "%s", m.text.c_str());
      ImGui::PopTextWrapPos();
    }
  }
  ImGui::End();
}

}  // namespace hl
