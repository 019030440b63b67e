#pragma once

// Marker trajectories: a dense frames x labels table of samples.
//
// Samples are stored frame-major in one contiguous vector, so memory is that
// of the samples (32 bytes each) and a frame is one cache-friendly row.
// Positions are metres in the world frame. A sample is valid when its
// residual is >= 0 (C3D's convention); invalid samples keep residual -1.

#include <Eigen/Core>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace hl {

struct Sample {
  enum Flags : uint8_t {
    kFilled = 1,     // produced by gap filling, not measured
    kFiltered = 2,   // changed by a low-pass filter
  };
  Eigen::Vector3d position_m = Eigen::Vector3d::Zero();
  // Reprojection residual in pixels; negative means "no sample".
  float residual_px = -1.0f;
  // Cameras that contributed; 0 when unknown (files from other systems).
  uint8_t n_cameras = 0;
  uint8_t flags = 0;

  bool valid() const { return residual_px >= 0.0f; }
  static Sample Invalid() { return Sample{}; }
};

class Trajectories {
 public:
  Trajectories() = default;
  Trajectories(std::vector<std::string> labels, int num_frames, double rate_hz);

  int num_frames() const { return num_frames_; }
  int num_labels() const { return static_cast<int>(labels_.size()); }
  const std::vector<std::string>& labels() const { return labels_; }

  double rate_hz() const { return rate_hz_; }
  void set_rate_hz(double rate_hz) { rate_hz_ = rate_hz; }

  // Index (0-based) of the first sample on the recording's clock: sample i was
  // taken at time (first_frame + i) / rate. C3D's 1-based header frame is
  // first_frame + 1.
  int64_t first_frame() const { return first_frame_; }
  void set_first_frame(int64_t f) { first_frame_ = f; }
  double time_s(int frame) const;

  // -1 when absent.
  int LabelIndex(std::string_view label) const;
  // Throws hl::Error naming `what` when absent.
  int RequireLabel(std::string_view label, const std::string& what) const;

  Sample& at(int frame, int label);
  const Sample& at(int frame, int label) const;
  // One frame's samples, in label order.
  const Sample* row(int frame) const { return samples_.data() + static_cast<size_t>(frame) * labels_.size(); }
  Sample* row(int frame) { return samples_.data() + static_cast<size_t>(frame) * labels_.size(); }

  // Adds a label (all samples invalid) and returns its index; an existing
  // label returns its index unchanged.
  int AddLabel(const std::string& label);
  void Resize(int num_frames);

  // Frames [begin, end) and, when `labels` is not empty, only those labels
  // (in that order). Throws hl::Error for a label that does not exist.
  Trajectories Slice(int begin, int end, const std::vector<std::string>& labels = {}) const;

  // Number of valid samples of one label.
  int CountValid(int label) const;

  const std::vector<Sample>& samples() const { return samples_; }

 private:
  std::vector<std::string> labels_;
  std::unordered_map<std::string, int> index_;
  std::vector<Sample> samples_;
  int num_frames_ = 0;
  double rate_hz_ = 0.0;
  int64_t first_frame_ = 0;
};

}  // namespace hl
