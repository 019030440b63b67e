#include "ui/plots_panel.h"

#include <imgui.h>

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "ui/plot_data.h"

namespace hl {
namespace {

ImU32 BandColour(int grade) {
  switch (grade) {
    case 3:
      return IM_COL32(40, 170, 70, 60);
    case 2:
      return IM_COL32(220, 180, 40, 60);
    case 1:
      return IM_COL32(220, 70, 50, 60);
    case 0:
      return IM_COL32(120, 120, 120, 60);
    default:
      return IM_COL32(80, 120, 200, 50);
  }
}

void DashedHLine(ImDrawList* list, float x0, float x1, float y, ImU32 colour) {
  constexpr float kDash = 8.0f, kGap = 6.0f;
  for (float x = x0; x < x1; x += kDash + kGap) {
    list->AddRectFilled(ImVec2(x, y - 1), ImVec2(std::min(x + kDash, x1), y + 1), colour);
  }
}

// What the panel keeps between frames (one viewer window, so one of each).
struct PanelCache {
  PlotCache plots;
  std::vector<ImVec2> run;  // polyline scratch
};

// Plot `index` of `cache`, frames [first, last]; returns the frame clicked, -1 none.
int DrawPlot(const ViewerState& state, PanelCache* cache, size_t index, const PlotSeries& plot,
             int first, int last, float height) {
  const ImVec2 origin = ImGui::GetCursorScreenPos();
  const float width = std::max(50.0f, ImGui::GetContentRegionAvail().x);
  ImGui::InvisibleButton(plot.measure.c_str(), ImVec2(width, height));
  const bool active = ImGui::IsItemActive();
  // Scrolled out of the panel: nothing to draw (it would be clipped anyway).
  if (!ImGui::IsItemVisible()) return -1;
  ImDrawList* list = ImGui::GetWindowDrawList();
  const ImVec2 end(origin.x + width, origin.y + height);
  list->AddRectFilled(origin, end, IM_COL32(25, 25, 30, 255));
  const double span = std::max(1, last - first);
  auto x_of = [&](double frame) {
    return origin.x + static_cast<float>((frame - first) / span) * width;
  };
  // A margin keeps the extreme samples and thresholds off the border.
  const double pad = 0.08 * (plot.hi - plot.lo);
  const double lo = plot.lo - pad, hi = plot.hi + pad;
  auto y_of = [&](double v) { return end.y - static_cast<float>((v - lo) / (hi - lo)) * height; };

  for (const ViewerRep& r : state.reps()) {
    if (r.end_frame < first || r.start_frame > last) continue;
    list->AddRectFilled(ImVec2(std::max(origin.x, x_of(r.start_frame)), origin.y),
                        ImVec2(std::min(end.x, x_of(r.end_frame)), end.y), BandColour(r.grade));
  }
  if (lo < 0 && hi > 0)
    list->AddLine(ImVec2(origin.x, y_of(0)), ImVec2(end.x, y_of(0)), IM_COL32(90, 90, 90, 255));

  // A column every kColumnPx pixels, one polyline per valid run, and a bar
  // where a column's samples span more than a pixel: under llvmpipe a frame
  // pays per triangle, and this keeps a plot to a few thousand.
  constexpr int kColumnPx = 3;
  const int columns = std::max(1, static_cast<int>(width) / kColumnPx);
  const std::vector<PlotColumn>& cols = cache->plots.Columns(index, first, last, columns);
  const ImU32 line = IM_COL32(120, 200, 255, 255);
  std::vector<ImVec2>& run = cache->run;
  run.clear();
  auto flush = [&] {
    if (run.size() > 1) list->AddPolyline(run.data(), static_cast<int>(run.size()), line, 0, 1.0f);
    run.clear();
  };
  for (int c = 0; c < columns; ++c) {
    if (!cols[c].valid) {
      flush();
      continue;
    }
    const float x = origin.x + (c + 0.5f) * width / columns;
    const float y_min = y_of(cols[c].min), y_max = y_of(cols[c].max);
    if (y_min - y_max > 1.0f)
      list->AddRectFilled(ImVec2(x - 0.5f, y_max), ImVec2(x + 0.5f, y_min), line);
    run.emplace_back(x, 0.5f * (y_min + y_max));
  }
  flush();
  for (const PlotThreshold& t : plot.thresholds) {
    const float y = y_of(t.value);
    DashedHLine(list, origin.x, end.x, y, IM_COL32(255, 120, 60, 255));
    char text[96];
    std::snprintf(text, sizeof(text), "%s %.3g", t.name.c_str(), t.value);
    list->AddText(ImVec2(end.x - ImGui::CalcTextSize(text).x - 4, y - 14),
                  IM_COL32(255, 150, 90, 255), text);
  }
  const float cursor = x_of(state.frame());
  if (cursor >= origin.x && cursor <= end.x) {
    list->AddLine(ImVec2(cursor, origin.y), ImVec2(cursor, end.y), IM_COL32(255, 255, 255, 255),
                  1.5f);
  }
  char title[128];
  const int f = state.frame();
  const MeasureSeries& s = *plot.series;
  if (f < static_cast<int>(s.values.size()) && f < static_cast<int>(s.valid.size()) && s.valid[f]) {
    std::snprintf(title, sizeof(title), "%s  %.2f %s", plot.title.c_str(), s.values[f] * plot.scale,
                  plot.unit.c_str());
  } else {
    std::snprintf(title, sizeof(title), "%s  - %s", plot.title.c_str(), plot.unit.c_str());
  }
  list->AddText(ImVec2(origin.x + 4, origin.y + 2), IM_COL32(230, 230, 230, 255), title);
  if (!active) return -1;
  const float mx = ImGui::GetIO().MousePos.x;
  return std::clamp(first + static_cast<int>(std::lround((mx - origin.x) / width * span)), first,
                    last);
}

}  // namespace

void DrawPlotsPanel(ViewerState* state, const DrillState& drill) {
  if (!ImGui::Begin("Plots")) {
    ImGui::End();
    return;
  }
  if (!state->measures()) {
    ImGui::TextUnformatted(state->has_recording() ? "no measures: load the recording's marker set"
                                                  : "no recording loaded");
    ImGui::End();
    return;
  }
  ImGui::Checkbox("zoom to the selected rep", &state->settings.plots_follow_rep);
  int first = 0, last = state->num_frames() - 1;
  if (state->settings.plots_follow_rep && state->selected_rep() >= 0) {
    const ViewerRep& r = state->reps()[state->selected_rep()];
    first = r.start_frame, last = r.end_frame;
  }
  static PanelCache cache;
  const std::vector<PlotSeries>& plots = cache.plots.Plots(*state, drill);
  const float height = std::max(
      50.0f, (ImGui::GetContentRegionAvail().y - ImGui::GetStyle().ItemSpacing.y * plots.size()) /
                 std::max<size_t>(1, plots.size()));
  for (size_t i = 0; i < plots.size(); ++i) {
    const int clicked = DrawPlot(*state, &cache, i, plots[i], first, last, height);
    if (clicked >= 0) state->Seek(clicked);
  }
  ImGui::End();
}

}  // namespace hl
