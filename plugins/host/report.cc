#include "plugins/host/report.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "core/file_util.h"

namespace hl {
namespace {

std::string Escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '&': out += "&amp;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string Fixed(double v, int decimals) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%.*f", decimals, v);
  return buf;
}

// One series as an SVG polyline over the whole take; reps shaded behind it.
// A threshold the plugin compares the series with is drawn dashed and kept in
// range, so a series far below it does not fill the plot like a fault would.
std::string Plot(const DrillScore& score, const MeasureSeries& series, const std::string& label,
                 double to_unit, const std::string& unit,
                 const ThresholdInfo* threshold = nullptr) {
  const double w = 900, h = 160, pad = 30;
  const int n = static_cast<int>(series.values.size());
  double lo = INFINITY, hi = -INFINITY;
  for (int f = 0; f < n; ++f) {
    if (!series.valid[f]) continue;
    lo = std::min(lo, series.values[f] * to_unit);
    hi = std::max(hi, series.values[f] * to_unit);
  }
  if (!std::isfinite(lo)) return "";
  if (threshold) {
    lo = std::min(lo, threshold->default_value * to_unit);
    hi = std::max(hi, threshold->default_value * to_unit);
  }
  // A series flat up to rounding noise would otherwise be stretched into a zigzag.
  if (!(hi - lo > 1e-9 * std::max({1.0, std::abs(lo), std::abs(hi)}))) hi = lo + 1, lo = lo - 1;
  auto x = [&](double f) { return pad + (w - 2 * pad) * f / std::max(1, n - 1); };
  auto y = [&](double v) { return h - pad - (h - 2 * pad) * (v - lo) / (hi - lo); };
  std::string svg = "<svg width=\"" + Fixed(w, 0) + "\" height=\"" + Fixed(h, 0) +
                    "\" xmlns=\"http://www.w3.org/2000/svg\">";
  for (const auto& r : score.reps) {
    svg += "<rect x=\"" + Fixed(x(r.rep.start_frame), 1) + "\" y=\"" + Fixed(pad, 1) +
           "\" width=\"" + Fixed(x(r.rep.end_frame) - x(r.rep.start_frame), 1) + "\" height=\"" +
           Fixed(h - 2 * pad, 1) + "\" fill=\"" + (r.rep.faults.empty() ? "#dfd" : "#fdd") + "\"/>";
  }
  if (threshold) {
    const std::string ty = Fixed(y(threshold->default_value * to_unit), 1);
    svg += "<line x1=\"" + Fixed(pad, 1) + "\" y1=\"" + ty + "\" x2=\"" + Fixed(w - pad, 1) +
           "\" y2=\"" + ty + "\" stroke=\"#c00\" stroke-dasharray=\"6 4\"/><text x=\"" +
           Fixed(w - pad, 0) + "\" y=\"" + Fixed(y(threshold->default_value * to_unit) - 4, 0) +
           "\" font-size=\"11\" text-anchor=\"end\" fill=\"#c00\">" + Escape(threshold->name) +
           " " + FormatDouble(threshold->default_value) + " " + Escape(threshold->unit) +
           " (default)</text>";
  }
  std::string points;
  for (int f = 0; f < n; ++f) {
    if (!series.valid[f]) {
      if (!points.empty()) svg += "<polyline fill=\"none\" stroke=\"#246\" points=\"" + points + "\"/>";
      points.clear();
      continue;
    }
    points += Fixed(x(f), 1) + "," + Fixed(y(series.values[f] * to_unit), 1) + " ";
  }
  if (!points.empty()) svg += "<polyline fill=\"none\" stroke=\"#246\" points=\"" + points + "\"/>";
  svg += "<text x=\"" + Fixed(pad, 0) + "\" y=\"18\" font-size=\"13\">" + Escape(label) + " (" +
         Escape(unit) + "), " + Fixed(lo, 3) + " to " + Fixed(hi, 3) + "</text></svg>";
  return svg;
}

}  // namespace

std::string ScoreReportHtml(const DrillScore& score, const DrillPlugin& plugin,
                            const std::string& recording_name) {
  std::string html =
      "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>HingeLab: " +
      Escape(plugin.title()) + "</title><style>body{font-family:sans-serif;margin:2em}"
      "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px 8px;"
      "vertical-align:top}th{background:#eee}</style></head><body>\n";
  html += "<h1>" + Escape(plugin.title()) + "</h1>\n<p>Recording <code>" + Escape(recording_name) +
          "</code>, drill <code>" + Escape(score.drill) + "</code> (plugin " +
          Escape(plugin.version()) + ")</p>\n";
  if (!score.assessable) {
    html += "<p><b>Not assessable.</b>";
    if (!score.missing_segments.empty()) {
      html += " Missing segments:";
      for (const auto& s : score.missing_segments) html += " <code>" + Escape(s) + "</code>";
    }
    html += "</p>\n";
  } else {
    html += "<p><b>Grade " + std::to_string(score.grade) + "</b> (3 clean, 2 compensation, 1 cannot "
            "keep the pattern), score " + std::to_string(score.score) + "/100 over " +
            std::to_string(score.reps.size()) + " repetitions.</p>\n";
    html += "<table><tr><th>rep</th><th>time (s)</th><th>grade</th><th>score</th><th>faults and "
            "cues</th><th>metrics</th></tr>\n";
    for (const auto& r : score.reps) {
      html += "<tr><td>" + std::to_string(r.index) + "</td><td>" + Fixed(r.start_s, 2) + " - " +
              Fixed(r.end_s, 2) + "</td><td>" + std::to_string(r.rep.grade) + "</td><td>" +
              Fixed(r.rep.score, 0) + "</td><td>";
      if (r.rep.faults.empty()) html += "clean";
      for (size_t i = 0; i < r.rep.faults.size(); ++i) {
        html += "<b>" + Escape(r.rep.faults[i]) + "</b>: " + Escape(r.rep.cues[i]) + "<br>";
      }
      html += "</td><td>";
      for (const auto& [name, value] : r.rep.metrics) {
        html += Escape(name) + " = " + Fixed(value, 4) + "<br>";
      }
      html += "</td></tr>\n";
    }
    html += "</table>\n";
  }
  if (const MeasureSeries* s = score.measures.Find(plugin.rep_signal())) {
    const bool angle = plugin.rep_signal().size() > 4 &&
                       plugin.rep_signal().compare(plugin.rep_signal().size() - 4, 4, "_rad") == 0;
    html += "<h2>Repetitions</h2>\n" +
            Plot(score, *s, plugin.rep_signal(), angle ? 57.29577951308232 : 1.0,
                 angle ? "deg" : "m") + "\n";
  }
  if (const MeasureSeries* s = score.measures.Find(HL_MEASURE_DOWEL_GAP)) {
    const ThresholdInfo* contact = nullptr;
    for (const auto& t : plugin.thresholds()) {
      if (t.name == "contact_gap_m") contact = &t;
    }
    html += "<h2>Dowel gap at the sacrum</h2>\n" + Plot(score, *s, "dowel gap", 1.0, "m", contact) +
            "\n";
  }
  html += "<h2>Thresholds</h2>\n<table><tr><th>name</th><th>default</th><th>source</th>"
          "<th>meaning</th></tr>\n";
  for (const auto& t : plugin.thresholds()) {
    html += "<tr><td>" + Escape(t.name) + "</td><td>" + FormatDouble(t.default_value) + " " +
            Escape(t.unit) + "</td><td>" + Escape(t.source) + "</td><td>" +
            Escape(t.description) + "</td></tr>\n";
  }
  html += "</table>\n";
  if (!score.notes.empty()) {
    html += "<h2>Notes</h2>\n<ul>";
    for (const auto& n : score.notes) html += "<li>" + Escape(n) + "</li>";
    html += "</ul>\n";
  }
  html += "</body></html>\n";
  return html;
}

void WriteScoreReport(const std::filesystem::path& path, const DrillScore& score,
                      const DrillPlugin& plugin, const std::string& recording_name) {
  WriteFileAtomic(path, ScoreReportHtml(score, plugin, recording_name));
}

}  // namespace hl
