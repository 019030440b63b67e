#pragma once

// The reconstruction pipeline: frame sets -> marker detections (tracked) ->
// rigid-body fits of every segment (Ceres) -> trajectories M<id> (metres) ->
// gap filling -> optional zero-lag low-pass.
//
// Two passes. Detection streams (images are dropped once detected); the fits
// run in Finish(), after the segment layouts are learned from the whole take
// (or taken from a static trial), over frames in parallel chunks, each frame
// starting from the previous frame's pose.
//
// Samples: a marker seen in this frame gets its segment fit's position, its
// own RMS (px) over the views that saw it and their count, unless the fit's
// covariance puts its centre's uncertainty above max_sample_sigma_m. A marker of a
// rigid segment that was fitted without it (occluded) gets the position the
// segment puts it at, flagged Sample::kFilled, with 0 cameras and the
// segment's RMS. Short gaps are then bridged by splines (gap_filling.h).
// Landmarks (SACRUM, DOWEL_TOP, ...) are not derived here: the plugin host
// derives them from the markers (plugins/host/measures.h).

#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include "core/camera.h"
#include "core/marker_set.h"
#include "core/trajectory.h"
#include "reconstruction/detection.h"
#include "reconstruction/gap_filling.h"
#include "reconstruction/marker_refinement.h"
#include "reconstruction/segment_layout.h"

namespace hl {

struct ReconstructionOptions {
  // Dictionary is set from the marker set by the Reconstructor.
  DetectionOptions detection;
  TrackingOptions tracking;
  RefinementOptions refinement;
  LayoutLearningOptions layout_learning;
  // Layouts from a static trial; empty: learned from the take itself.
  std::vector<RigidBodyLayout> layouts;
  // Place occluded markers of a fitted rigid segment (flagged filled).
  bool rigid_body_fill = true;
  // A sample whose centre uncertainty (MarkerFit::sigma_m) exceeds this is
  // dropped: a segment seen only through single views per marker has depth
  // only from marker size, centimetres off. Measured in the bench (studio4,
  // every drill): 0.5 mm dropped oblique one-marker segments (head, chest)
  // seen by two cameras, 1 mm keeps them at the same marker-centre RMS.
  double max_sample_sigma_m = 1.0e-3;
  GapFillOptions gap_fill;
  // Zero-lag Butterworth cutoff (Hz); 0 leaves the trajectories unfiltered.
  double lowpass_cutoff_hz = 0.0;
  // Frames fitted in parallel (chunks); 0 = OpenCV's thread count.
  int threads = 0;
};

struct ReconstructionSummary {
  int frames = 0;
  std::vector<std::string> labels;
  // Valid samples (measured or filled) over frames x labels.
  double reconstructed_fraction = 0.0;
  // Median residual of the measured (not filled) samples; -1 when none.
  double median_residual_px = -1.0;
  std::vector<int> unknown_marker_ids;  // distinct, ascending
  int64_t duplicate_detections = 0;     // (frame, camera, id) events
  int64_t measured_samples = 0;
  int64_t rigid_filled_samples = 0;
  int64_t spline_filled_samples = 0;
  TrackingStats tracking;
  std::vector<LayoutSummary> layouts;
  double detection_seconds = 0.0;
  double fit_seconds = 0.0;
};

// Detections of one frame set keyed by marker id (what the fits take).
FrameObservations ToObservations(const FrameDetections& detections);

// Pass 2 alone: fits every layout in every frame. Labels are M<id> of the
// markers of `set` seen at least once, in the set's order.
Trajectories FitTrajectories(const std::vector<Camera>& cameras, const MarkerSet& set,
                             const std::vector<RigidBodyLayout>& layouts,
                             const std::vector<FrameObservations>& frames, double rate_hz,
                             const ReconstructionOptions& options, ReconstructionSummary* summary);

class Reconstructor {
 public:
  Reconstructor(std::vector<Camera> cameras, MarkerSet set, ReconstructionOptions options);

  // One frame set, images in camera order (an empty Mat: no image).
  void AddFrameSet(const std::vector<cv::Mat>& images);
  // Detections made elsewhere (tests, benchmarks).
  void AddDetections(const FrameDetections& detections);

  int num_frames() const { return static_cast<int>(frames_.size()); }
  const std::vector<FrameObservations>& observations() const { return frames_; }

  // Runs pass 2 and the post-processing.
  Trajectories Finish(double rate_hz, ReconstructionSummary* summary);

 private:
  std::vector<Camera> cameras_;
  MarkerSet set_;
  ReconstructionOptions options_;
  MarkerTracker tracker_;
  std::vector<FrameObservations> frames_;
  std::vector<int> unknown_ids_;
  int64_t duplicates_ = 0;
  double detection_seconds_ = 0.0;
};

}  // namespace hl
