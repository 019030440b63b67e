#pragma once

// Ground truth of a posed body: the measures of drills.md computed from the
// true geometry, and the labelled points written to truth/markers.csv.

#include <string>
#include <vector>

#include "capture/sim/drills.h"
#include "capture/sim/postures.h"
#include "core/trajectory.h"

namespace hl::sim {

// Measures of `now` against the take's first frame `first` and the static
// trial (the neutral pose). `target_gap_m` is passed through (NaN without one).
TrueMeasures MeasureFrame(const PosedBody& now, const PosedBody& first, const Anthropometry& body,
                          const MountOptions& mounts, double phase, double target_gap_m);

// Buttocks to a wall at x = wall_x (behind the subject): >0 short of it.
double WallGap(const PosedBody& posed, const Anthropometry& body, double wall_x);
// Buttocks to a box top at height box_z: >0 above it.
double BoxGap(const PosedBody& posed, const Anthropometry& body, double box_z);

// Labels of the truth: M<id> per marker (in the order given), then landmarks.
std::vector<std::string> TruthLabels(const std::vector<MarkerInstance>& markers,
                                     const Props& props);
// Writes one frame's points into row `frame` (labels from TruthLabels).
void FillTruthFrame(const PosedBody& posed, const std::vector<MarkerInstance>& markers,
                    const Anthropometry& body, const MountOptions& mounts, int frame,
                    Trajectories* truth);

}  // namespace hl::sim
