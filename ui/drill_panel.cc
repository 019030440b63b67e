#include "ui/drill_panel.h"

#include <imgui.h>

#include <string>

namespace hl {

void DrawDrillPanel(ViewerState* state, DrillState* drill) {
  if (!ImGui::Begin("Drill")) {
    ImGui::End();
    return;
  }
  const DrillPlugin* current = drill->plugin();
  if (drill->plugins().empty()) {
    ImGui::TextWrapped(
        "no drill plugins found (libhl_drill_*.so beside the program or in "
        "HINGELAB_PLUGIN_PATH)");
  } else if (ImGui::BeginCombo("drill", current ? current->id().c_str() : "(pick one)")) {
    for (size_t i = 0; i < drill->plugins().size(); ++i) {
      const DrillPlugin& p = *drill->plugins()[i];
      const std::string item = p.id() + "  " + p.title();
      if (ImGui::Selectable(item.c_str(), static_cast<int>(i) == drill->selected())) {
        drill->SelectIndex(static_cast<int>(i));
        drill->Rescore(state);
      }
    }
    ImGui::EndCombo();
  }
  for (const RefusedPlugin& r : drill->refused()) {
    ImGui::TextColored(ImVec4(1, 0.6f, 0.3f, 1), "refused %s: %s", r.path.filename().c_str(),
                       r.reason.c_str());
  }

  if (const DrillPlugin* p = drill->plugin()) {
    if (ImGui::CollapsingHeader("thresholds", ImGuiTreeNodeFlags_DefaultOpen)) {
      for (const ThresholdInfo& t : p->thresholds()) {
        double value = drill->thresholds().at(t.name);
        ImGui::SetNextItemWidth(120);
        const std::string label = t.name + " (" + t.unit + ")";
        if (ImGui::InputDouble(label.c_str(), &value, 0.0, 0.0, "%.4g"))
          drill->SetThreshold(t.name, value);
        if (ImGui::IsItemHovered()) {
          ImGui::SetTooltip("%s\ndefault %.4g %s (%s)", t.description.c_str(), t.default_value,
                            t.unit.c_str(), t.source.c_str());
        }
      }
      if (ImGui::Button("re-score")) drill->Rescore(state);
      ImGui::SameLine();
      if (ImGui::Button("defaults")) {
        drill->ResetThresholds();
        drill->Rescore(state);
      }
    }
  }

  const DrillPanelText text = MakeDrillPanelText(*state);
  if (!text.summary.empty()) {
    ImGui::Separator();
    ImGui::TextWrapped("%s", text.summary.c_str());
  }
  for (size_t i = 0; i < text.reps.size(); ++i) {
    const DrillPanelRep& r = text.reps[i];
    // Score reps and viewer reps are the same list after a re-score.
    const bool selected = state->selected_rep() == static_cast<int>(i);
    if (ImGui::Selectable(r.title.c_str(), selected)) state->SelectRep(static_cast<int>(i));
    for (const std::string& f : r.faults) {
      ImGui::Bullet();
      ImGui::TextColored(ImVec4(1, 0.55f, 0.45f, 1), "%s", f.c_str());
    }
    ImGui::PushID(static_cast<int>(i));
    if (!r.metrics.empty() && ImGui::TreeNode("metrics")) {
      for (const std::string& m : r.metrics) ImGui::TextUnformatted(m.c_str());
      ImGui::TreePop();
    }
    ImGui::PopID();
  }
  ImGui::End();
}

}  // namespace hl
