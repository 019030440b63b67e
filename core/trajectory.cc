#include "core/trajectory.h"

#include "core/error.h"

namespace hl {

Trajectories::Trajectories(std::vector<std::string> labels, int num_frames, double rate_hz)
    : labels_(std::move(labels)), num_frames_(num_frames), rate_hz_(rate_hz) {
  HL_CHECK(num_frames >= 0);
  for (int i = 0; i < num_labels(); ++i) {
    if (!index_.emplace(labels_[i], i).second) {
      throw Error("label " + labels_[i], "appears twice in one recording; labels must be unique");
    }
  }
  samples_.assign(static_cast<size_t>(num_frames_) * labels_.size(), Sample{});
}

double Trajectories::time_s(int frame) const {
  return rate_hz_ > 0 ? static_cast<double>(first_frame_ + frame) / rate_hz_ : 0.0;
}

int Trajectories::LabelIndex(std::string_view label) const {
  auto it = index_.find(std::string(label));
  return it == index_.end() ? -1 : it->second;
}

int Trajectories::RequireLabel(std::string_view label, const std::string& what) const {
  const int i = LabelIndex(label);
  if (i < 0) throw Error(what, "has no label '" + std::string(label) + "'");
  return i;
}

Sample& Trajectories::at(int frame, int label) {
  HL_CHECK(frame >= 0 && frame < num_frames_ && label >= 0 && label < num_labels());
  return samples_[static_cast<size_t>(frame) * labels_.size() + label];
}

const Sample& Trajectories::at(int frame, int label) const {
  HL_CHECK(frame >= 0 && frame < num_frames_ && label >= 0 && label < num_labels());
  return samples_[static_cast<size_t>(frame) * labels_.size() + label];
}

int Trajectories::AddLabel(const std::string& label) {
  const int existing = LabelIndex(label);
  if (existing >= 0) return existing;
  const size_t old_l = labels_.size();
  std::vector<Sample> grown(static_cast<size_t>(num_frames_) * (old_l + 1));
  for (int f = 0; f < num_frames_; ++f) {
    for (size_t l = 0; l < old_l; ++l) grown[f * (old_l + 1) + l] = samples_[f * old_l + l];
  }
  samples_ = std::move(grown);
  labels_.push_back(label);
  index_.emplace(label, static_cast<int>(old_l));
  return static_cast<int>(old_l);
}

void Trajectories::Resize(int num_frames) {
  HL_CHECK(num_frames >= 0);
  num_frames_ = num_frames;
  samples_.resize(static_cast<size_t>(num_frames_) * labels_.size(), Sample{});
}

Trajectories Trajectories::Slice(int begin, int end, const std::vector<std::string>& labels) const {
  HL_CHECK(begin >= 0 && begin <= end && end <= num_frames_);
  std::vector<int> cols;
  if (labels.empty()) {
    for (int l = 0; l < num_labels(); ++l) cols.push_back(l);
  } else {
    for (const auto& name : labels) cols.push_back(RequireLabel(name, "recording"));
  }
  std::vector<std::string> names;
  for (int c : cols) names.push_back(labels_[c]);
  Trajectories out(std::move(names), end - begin, rate_hz_);
  out.first_frame_ = first_frame_ + begin;
  for (int f = begin; f < end; ++f) {
    const Sample* src = row(f);
    Sample* dst = out.row(f - begin);
    for (size_t k = 0; k < cols.size(); ++k) dst[k] = src[cols[k]];
  }
  return out;
}

int Trajectories::CountValid(int label) const {
  int n = 0;
  for (int f = 0; f < num_frames_; ++f) n += at(f, label).valid() ? 1 : 0;
  return n;
}

}  // namespace hl
