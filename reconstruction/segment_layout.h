#pragma once

// Learning each segment's marker layout (segment_from_marker of every marker)
// from a take itself or a static trial.
//
// 1. Each marker seen by two or more cameras gets its own pose per frame
//    (FitRigidBody on a one-marker body).
// 2. The segment frame is that of its most often seen marker (the reference).
//    Markers join by co-visibility: a marker seen in the same frames as one
//    already placed gets the mean relative pose over those frames (chordal
//    quaternion mean, mean translation).
// 3. A joint bundle adjustment over up to `max_frames` frames refines every
//    layout pose (the reference held fixed: it sets the gauge) together with
//    one world_from_segment per frame, on all corner pixels with a Huber loss
//    (LayoutCornerError). A single marker's pose is noisy in rotation, and
//    over a 1 m dowel 1 degree is 17 mm; the joint fit uses every corner of
//    every marker at once, so the layout is as good as the whole take.
// Markers that never share frames with the rest stay one-marker bodies.

#include <string>
#include <vector>

#include "core/camera.h"
#include "core/marker_set.h"
#include "reconstruction/marker_refinement.h"

namespace hl {

struct LayoutLearningOptions {
  // Frames in the joint adjustment (spread over the take). Views of a marker
  // from one camera fix its layout poorly along that camera's rays; many
  // frames from varied poses do (200 swinging frames: 0.15 mm; 120: 0.75 mm).
  int max_frames = 400;
  // Frames two markers must both be posed in to be linked.
  int min_covisible_frames = 5;
  // Single-marker poses better than this RMS (px) seed the layout.
  double max_marker_rms_px = 1.5;
  // Frames examined for single-marker poses at most (evenly spread).
  int max_scan_frames = 600;
  // Joint adjustment iterations.
  int max_iterations = 50;
  RefinementOptions refinement;
  bool Check() const;
};

struct LayoutSummary {
  std::string segment;
  int markers = 0;          // markers linked into the segment's layout
  int frames_used = 0;      // frames in the joint adjustment
  double rms_px = -1.0;     // of the joint adjustment
};

// One layout per segment of `set` with its linked markers, plus one-marker
// layouts for every other marker of the set (also those never seen).
std::vector<RigidBodyLayout> LearnLayouts(const std::vector<Camera>& cameras, const MarkerSet& set,
                                          const std::vector<FrameObservations>& frames,
                                          const LayoutLearningOptions& options,
                                          std::vector<LayoutSummary>* summaries = nullptr);

}  // namespace hl
