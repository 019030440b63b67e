#include "ui/calibration_panel.h"

#include <imgui.h>

#include <cstdio>

namespace hl {

void CalibrationPanel::Draw(const ViewerState& state) {
  if (!built_ || rig_path_ != state.rig_path() || num_cameras_ != state.rig().cameras.size()) {
    Eigen::Vector3d centre;
    double radius = 0;
    state.SceneBounds(/*include_cameras=*/false, &centre, &radius);
    info_ = MakeCalibrationInfo(state.rig(), state.rig_path(), centre);
    rig_path_ = state.rig_path();
    num_cameras_ = state.rig().cameras.size();
    built_ = true;
  }
  if (!ImGui::Begin("Calibration")) {
    ImGui::End();
    return;
  }
  if (info_.cameras.empty()) {
    ImGui::TextUnformatted("no rig loaded");
    ImGui::End();
    return;
  }
  char rms[32] = "-";
  if (info_.rig_error_px >= 0) std::snprintf(rms, sizeof(rms), "%.3f px", info_.rig_error_px);
  ImGui::Text("rig: %s  %s  RMS %s",
              state.rig_path().empty() ? "(given)" : state.rig_path().c_str(),
              info_.adjusted ? "bundle adjusted" : "not adjusted", rms);
  if (ImGui::BeginTable("cameras", 5, ImGuiTableFlags_Borders | ImGuiTableFlags_RowBg)) {
    ImGui::TableSetupColumn("camera");
    ImGui::TableSetupColumn("size");
    ImGui::TableSetupColumn("image RMS px");
    ImGui::TableSetupColumn("world error mm");
    ImGui::TableSetupColumn("views used");
    ImGui::TableHeadersRow();
    for (const CameraCalibrationRow& r : info_.cameras) {
      ImGui::TableNextRow();
      ImGui::TableNextColumn();
      ImGui::TextUnformatted(r.name.c_str());
      ImGui::TableNextColumn();
      ImGui::Text("%dx%d", r.width, r.height);
      ImGui::TableNextColumn();
      if (r.rms_px >= 0) {
        ImGui::Text("%.3f", r.rms_px);
      } else {
        ImGui::TextUnformatted("-");
      }
      ImGui::TableNextColumn();
      if (r.world_error_mm >= 0) {
        ImGui::Text(r.world_error_estimated ? "~%.2f" : "%.2f", r.world_error_mm);
      } else {
        ImGui::TextUnformatted("-");
      }
      ImGui::TableNextColumn();
      if (r.views_used >= 0) {
        ImGui::Text("%d", r.views_used);
      } else {
        ImGui::TextUnformatted("-");
      }
    }
    ImGui::EndTable();
  }
  if (!info_.report.empty()) {
    ImGui::TextWrapped("views and world error from %s", info_.report.c_str());
  } else {
    ImGui::TextWrapped(
        "~ world error estimated as RMS x distance to the markers / focal length; "
        "save 'hingelab calibrate --json' beside the rig as <rig>.json for the "
        "calibrator's own numbers and views used");
  }
  if (!info_.report_error.empty())
    ImGui::TextColored(ImVec4(1, 0.4f, 0.4f, 1), "%s", info_.report_error.c_str());
  ImGui::End();
}

}  // namespace hl
