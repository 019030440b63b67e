#pragma once

// Repetition segmentation from one measure (a drill's rep_signal), whose rises
// from rest are the repetitions: hip flexion for a hinge, hip rise for a
// bridge, bar height for a rack pull.
//
// The signal is gap-filled over short dropouts and smoothed; rest and peak
// levels are its 5th and 95th percentiles. A repetition starts when the signal
// climbs above rest + enter_fraction * range and ends when it falls below
// rest + exit_fraction * range or drop_fraction * range below its own peak
// (hysteresis, so noise and a pause mid-way do not split one rep, while reps
// that never return fully to rest still end); its bounds then walk outwards to the rest band or to the
// nearest local minimum, so back-to-back reps do not overlap. A partial rep
// that still crosses the enter level is kept (the drill scores it, usually
// with a fault); one that does not is fidgeting. Excursions cut by the start
// or end of the recording and ones shorter than min_rep_s are dropped and
// counted.

#include <cstdint>
#include <vector>

#include "plugins/host/plugin_host.h"

namespace hl {

struct RepOptions {
  // Smallest rest-to-peak range that holds repetitions at all (signal units).
  double min_amplitude = 0.05;
  // Centred moving-average length (s) before thresholds are applied.
  double smooth_s = 0.1;
  // Dropouts up to this long are linearly bridged; longer ones break a rep.
  // A knee plate marker hidden by the other leg at the bottom of an RDL drops
  // the knee (and hip flexion) for ~0.3 s in reconstructed takes.
  double max_gap_s = 0.5;
  // Enter and exit levels as fractions of the rest-to-peak range.
  double enter_fraction = 0.5;
  double exit_fraction = 0.3;
  // A rep also ends once it falls this fraction of the range below its own
  // peak, so a rep that never returns fully to rest still ends.
  double drop_fraction = 0.5;
  // The rest band bounds walk out to, as a fraction of the range.
  double rest_fraction = 0.1;
  // Excursions shorter than this (s) are not repetitions.
  double min_rep_s = 0.4;
  // "Near the peak" for the hold time: within this fraction of the rep's own rise.
  double hold_fraction = 0.1;
};

struct RepSegmentation {
  std::vector<RepSpan> reps;
  double rest_level = 0.0;
  double peak_level = 0.0;
  int cut_by_recording_edges = 0;  // excursions already under way at the start or unfinished at the end
  int too_short = 0;
};

RepSegmentation SegmentReps(const std::vector<double>& values, const std::vector<uint8_t>& valid,
                            double fps, const RepOptions& options = {});

}  // namespace hl
