#include "ui/timeline_panel.h"

#include <imgui.h>

#include <algorithm>
#include <cstdio>

namespace hl {
namespace {

ImU32 GradeColour(int grade) {
  switch (grade) {
    case 3: return IM_COL32(40, 170, 70, 200);
    case 2: return IM_COL32(220, 180, 40, 200);
    case 1: return IM_COL32(220, 70, 50, 200);
    case 0: return IM_COL32(120, 120, 120, 200);
    default: return IM_COL32(80, 120, 200, 200);  // not scored
  }
}

}  // namespace

void DrawTimelinePanel(ViewerState* state) {
  if (!ImGui::Begin("Timeline")) {
    ImGui::End();
    return;
  }
  if (!state->has_recording()) {
    ImGui::TextUnformatted("no recording loaded");
    ImGui::End();
    return;
  }
  if (ImGui::Button(state->playing() ? "Pause" : "Play")) state->TogglePlay();
  ImGui::SameLine();
  if (ImGui::Button("<")) state->Step(-1);
  ImGui::SameLine();
  if (ImGui::Button(">")) state->Step(1);
  ImGui::SameLine();
  if (ImGui::Button("<< rep")) state->PrevRep();
  ImGui::SameLine();
  if (ImGui::Button("rep >>")) state->NextRep();
  ImGui::SameLine();
  ImGui::SetNextItemWidth(120);
  float speed = static_cast<float>(state->settings.speed);
  if (ImGui::SliderFloat("speed", &speed, 0.1f, 4.0f, "%.2fx")) state->settings.speed = speed;
  ImGui::SameLine();
  ImGui::Checkbox("loop", &state->settings.loop);
  ImGui::SameLine();
  ImGui::Checkbox("loop rep", &state->settings.loop_rep);
  ImGui::SameLine();
  ImGui::Text("%.3f s  frame %d / %d", state->time_s(), state->frame(), state->num_frames() - 1);

  int frame = state->frame();
  ImGui::SetNextItemWidth(-1);
  if (ImGui::SliderInt("##scrub", &frame, 0, state->num_frames() - 1)) state->Seek(frame);

  // Rep bands under the scrubber.
  const ImVec2 origin = ImGui::GetCursorScreenPos();
  const float width = std::max(1.0f, ImGui::GetContentRegionAvail().x);
  constexpr float kBandHeight = 18.0f;
  ImDrawList* list = ImGui::GetWindowDrawList();
  const float per_frame = width / std::max(1, state->num_frames() - 1);
  ImGui::InvisibleButton("##reps", ImVec2(width, kBandHeight));
  const bool clicked = ImGui::IsItemClicked();
  const float mouse_x = ImGui::GetIO().MousePos.x;
  for (size_t i = 0; i < state->reps().size(); ++i) {
    const ViewerRep& r = state->reps()[i];
    const ImVec2 a(origin.x + r.start_frame * per_frame, origin.y);
    const ImVec2 b(origin.x + r.end_frame * per_frame, origin.y + kBandHeight);
    list->AddRectFilled(a, b, GradeColour(r.grade));
    if (static_cast<int>(i) == state->selected_rep()) list->AddRect(a, b, IM_COL32(255, 255, 255, 255));
    char text[16];
    std::snprintf(text, sizeof(text), "%d", r.index);
    list->AddText(ImVec2(a.x + 3, a.y + 2), IM_COL32(0, 0, 0, 255), text);
    if (clicked && mouse_x >= a.x && mouse_x <= b.x) state->SelectRep(static_cast<int>(i));
  }
  const float cursor_x = origin.x + state->frame() * per_frame;
  list->AddLine(ImVec2(cursor_x, origin.y), ImVec2(cursor_x, origin.y + kBandHeight),
                IM_COL32(255, 255, 255, 255), 2.0f);
  ImGui::End();
}

}  // namespace hl
