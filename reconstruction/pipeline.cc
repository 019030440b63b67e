#include "reconstruction/pipeline.h"

#include <algorithm>
#include <chrono>
#include <map>
#include <optional>
#include <set>

#include <opencv2/core/utility.hpp>

#include "core/error.h"
#include "core/lowpass.h"

namespace hl {

namespace {

double Seconds(std::chrono::steady_clock::time_point since) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - since).count();
}

}  // namespace

FrameObservations ToObservations(const FrameDetections& detections) {
  FrameObservations out;
  for (size_t c = 0; c < detections.size(); ++c) {
    for (const MarkerObservation& m : detections[c].markers) {
      out[m.id].push_back({static_cast<int>(c), m.corners_px});
    }
  }
  return out;
}

Trajectories FitTrajectories(const std::vector<Camera>& cameras, const MarkerSet& set,
                             const std::vector<RigidBodyLayout>& layouts,
                             const std::vector<FrameObservations>& frames, double rate_hz,
                             const ReconstructionOptions& options, ReconstructionSummary* summary) {
  std::set<int> seen;
  for (const auto& f : frames) {
    for (const auto& [id, views] : f) seen.insert(id);
  }
  std::vector<std::string> labels;
  for (const MarkerSpec& m : set.markers) {
    if (seen.count(m.id)) labels.push_back("M" + std::to_string(m.id));
  }
  const int n = static_cast<int>(frames.size());
  Trajectories tr(labels, n, rate_hz);
  std::map<int, int> label_of_id;
  for (const MarkerSpec& m : set.markers) {
    if (seen.count(m.id)) label_of_id[m.id] = tr.LabelIndex("M" + std::to_string(m.id));
  }
  // Only layouts with a marker that was ever seen.
  std::vector<const RigidBodyLayout*> active;
  for (const auto& layout : layouts) {
    for (int id : layout.ids) {
      if (seen.count(id)) {
        active.push_back(&layout);
        break;
      }
    }
  }

  const int threads = options.threads > 0 ? options.threads : std::max(1, cv::getNumThreads());
  const int chunks = std::max(1, std::min(n, threads));
  const auto start = std::chrono::steady_clock::now();
  cv::parallel_for_(cv::Range(0, chunks), [&](const cv::Range& range) {
    for (int chunk = range.start; chunk < range.end; ++chunk) {
      const int begin = static_cast<int>(static_cast<int64_t>(chunk) * n / chunks);
      const int end = static_cast<int>(static_cast<int64_t>(chunk + 1) * n / chunks);
      std::vector<std::optional<Rigid3d>> previous(active.size());
      for (int f = begin; f < end; ++f) {
        for (size_t b = 0; b < active.size(); ++b) {
          const RigidBodyLayout& layout = *active[b];
          const Rigid3d* init = previous[b] ? &*previous[b] : nullptr;
          const RigidBodyFit fit = FitRigidBody(cameras, layout, frames[f], options.refinement, init);
          if (!fit.success) {
            previous[b].reset();
            continue;
          }
          previous[b] = fit.world_from_segment;
          for (const MarkerFit& m : fit.markers) {
            auto it = label_of_id.find(m.id);
            if (it == label_of_id.end() || !(m.sigma_m <= options.max_sample_sigma_m)) continue;
            Sample& s = tr.at(f, it->second);
            s.position_m = m.center_in_world;
            s.flags = 0;
            if (m.n_cameras > 0) {
              s.residual_px = static_cast<float>(m.rms_px);
              s.n_cameras = static_cast<uint8_t>(std::min(m.n_cameras, 255));
            } else if (options.rigid_body_fill && layout.size() > 1) {
              s.residual_px = static_cast<float>(fit.rms_px);
              s.n_cameras = 0;
              s.flags = Sample::kFilled;
            } else {
              s = Sample::Invalid();
            }
          }
        }
      }
    }
  });
  if (summary) summary->fit_seconds += Seconds(start);
  return tr;
}

Reconstructor::Reconstructor(std::vector<Camera> cameras, MarkerSet set, ReconstructionOptions options)
    : cameras_(std::move(cameras)),
      set_(std::move(set)),
      options_([&] {
        ReconstructionOptions o = std::move(options);
        o.detection.dictionary_id = set_.dictionary_id;
        return o;
      }()),
      tracker_(cameras_, set_, options_.detection, options_.tracking) {
  if (!options_.refinement.Check()) throw Error("reconstruction options", "bad refinement options");
  if (!options_.layout_learning.Check()) throw Error("reconstruction options", "bad layout options");
  if (!options_.gap_fill.Check()) throw Error("reconstruction options", "max_gap_s must be >= 0");
}

void Reconstructor::AddFrameSet(const std::vector<cv::Mat>& images) {
  const auto start = std::chrono::steady_clock::now();
  const FrameDetections det = tracker_.Track(images);
  detection_seconds_ += Seconds(start);
  AddDetections(det);
}

void Reconstructor::AddDetections(const FrameDetections& detections) {
  for (const ImageDetections& d : detections) {
    for (int id : d.unknown_ids) {
      if (std::find(unknown_ids_.begin(), unknown_ids_.end(), id) == unknown_ids_.end()) {
        unknown_ids_.push_back(id);
      }
    }
    duplicates_ += static_cast<int64_t>(d.duplicate_ids.size());
  }
  frames_.push_back(ToObservations(detections));
}

Trajectories Reconstructor::Finish(double rate_hz, ReconstructionSummary* summary) {
  ReconstructionSummary local;
  ReconstructionSummary& s = summary ? *summary : local;
  s = ReconstructionSummary();
  std::vector<RigidBodyLayout> layouts = options_.layouts;
  const auto start = std::chrono::steady_clock::now();
  if (layouts.empty()) {
    layouts = LearnLayouts(cameras_, set_, frames_, options_.layout_learning, &s.layouts);
  }
  s.fit_seconds = Seconds(start);
  Trajectories tr = FitTrajectories(cameras_, set_, layouts, frames_, rate_hz, options_, &s);
  for (const Sample& sample : tr.samples()) {
    if (sample.valid() && (sample.flags & Sample::kFilled)) ++s.rigid_filled_samples;
  }
  s.spline_filled_samples = FillGapsWithSplines(options_.gap_fill, &tr);
  if (options_.lowpass_cutoff_hz > 0) LowPassFilter(options_.lowpass_cutoff_hz, &tr);

  s.frames = tr.num_frames();
  s.labels = tr.labels();
  std::vector<float> residuals;
  int64_t valid = 0;
  for (const Sample& sample : tr.samples()) {
    if (!sample.valid()) continue;
    ++valid;
    if (!(sample.flags & Sample::kFilled)) residuals.push_back(sample.residual_px);
  }
  s.measured_samples = static_cast<int64_t>(residuals.size());
  const int64_t total = static_cast<int64_t>(tr.num_frames()) * tr.num_labels();
  s.reconstructed_fraction = total > 0 ? static_cast<double>(valid) / static_cast<double>(total) : 0.0;
  if (!residuals.empty()) {
    auto mid = residuals.begin() + static_cast<std::ptrdiff_t>(residuals.size() / 2);
    std::nth_element(residuals.begin(), mid, residuals.end());
    s.median_residual_px = *mid;
  }
  s.unknown_marker_ids = unknown_ids_;
  std::sort(s.unknown_marker_ids.begin(), s.unknown_marker_ids.end());
  s.duplicate_detections = duplicates_;
  s.tracking = tracker_.stats();
  s.detection_seconds = detection_seconds_;
  return tr;
}

}  // namespace hl
