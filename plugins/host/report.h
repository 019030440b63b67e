#pragma once

// A self-contained HTML report of one scored drill: the summary, one row per
// repetition (faults, cues, metrics) and an SVG plot of the drill's repetition
// signal and the dowel gap with the repetitions shaded. No scripts, no
// external files, so it opens anywhere and archives as one file.

#include <filesystem>
#include <string>

#include "plugins/host/drill_score.h"

namespace hl {

std::string ScoreReportHtml(const DrillScore& score, const DrillPlugin& plugin,
                            const std::string& recording_name);
// Throws hl::Error naming `path` when it cannot be written.
void WriteScoreReport(const std::filesystem::path& path, const DrillScore& score,
                      const DrillPlugin& plugin, const std::string& recording_name);

}  // namespace hl
