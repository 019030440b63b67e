#pragma once

// The steps of ComputeMeasures (measures.cc), each on what the earlier ones
// built: the segments a take tracks -> the reference posture -> landmark
// tracks -> the subject frame -> the trunk line -> the series. Internal to
// the measures host; measures.h says what the measures are.

#include <Eigen/Core>
#include <map>
#include <string>
#include <vector>

#include "core/trajectory.h"
#include "plugins/host/landmark_geometry.h"
#include "plugins/host/measures.h"

namespace hl::measure_steps {

using landmarks::Pose;
using landmarks::Track;

// Usable labels of each present segment, as trial label indices.
struct SegmentIndex {
  std::map<std::string, std::vector<int>> labels;
  bool has(const std::string& s) const { return labels.count(s) > 0; }
};

// The segments with enough valid samples (the dowel needs two markers).
SegmentIndex IndexSegments(const Trajectories& trial, const SegmentLabels& segments,
                           const MeasureOptions& options);

// The reference posture: each marker's mean over the static trial, or over
// the trial's first quiet second. Markers the static trial never sees are
// placed from the take where their segment shows it, else left out of their
// segment in `*seg` (a segment left with none is dropped from `*seg` and
// m->segments). Sets m->reference and m->has_static_trial and adds notes.
// Throws hl::Error when no pelvis marker is in the reference.
Pose ReferencePosture(const Trajectories& trial, const SegmentLabels& segments,
                      const Trajectories* static_trial, const MeasureOptions& options,
                      SegmentIndex* seg, Measures* m);

// Landmark name (SACRUM, KNEE_L, ...) -> its track, and its reference position
// where the reference has it.
struct LandmarkTracks {
  std::map<std::string, Track> tracks;
  std::map<std::string, Eigen::Vector3d> ref_point;
};

// Each present segment's landmark: the centre of its most-seen markers, or
// the anatomical point the static trial locates, carried by the markers.
LandmarkTracks TrackLandmarks(const Trajectories& trial, const SegmentLabels& segments,
                              const Trajectories* static_trial, const SegmentIndex& seg,
                              const Pose& ref, Measures* m);

// Forward from the knees, else the feet, else against the sacrum's travel.
// Throws hl::Error when none of them tells.
SubjectFrame FindSubjectFrame(const LandmarkTracks& lm, int num_frames);

// The trunk's axis per frame (a unit vector up the back) and in the reference.
struct TrunkLine {
  Track dir;
  Eigen::Vector3d ref = Eigen::Vector3d::Zero();
};

// The dowel's axis (its DOWEL_TOP/BOTTOM from the static trial, else the line
// through its markers). Adds the dowel gap series to m and the DOWEL_TOP and
// DOWEL_BOTTOM tracks to lm.
TrunkLine DowelTrunk(const Trajectories& trial, const Trajectories* static_trial,
                     const std::vector<int>& dowel_idx, const Pose& ref, const SubjectFrame& frame,
                     LandmarkTracks* lm, Measures* m);

// The thorax plate's orientation applied to upright, else the sacrum ->
// thorax line with its reference lean taken off.
TrunkLine ThoraxTrunk(const Trajectories& trial, const std::vector<int>& thorax_idx,
                      const Pose& ref, const SubjectFrame& frame, const LandmarkTracks& lm);

// An empty series of n frames.
MeasureSeries NewSeries(const char* name, int n);

}  // namespace hl::measure_steps
