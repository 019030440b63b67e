#include <algorithm>
#include <cmath>
#include <cstring>
#include <set>

#include "core/error.h"
#include "plugins/host/measures.h"
#include "plugins/host/plugin_checks.h"
#include "plugins/host/plugin_child.h"
#include "plugins/host/plugin_host.h"

namespace hl {

using plugin_detail::BoundedString;
using plugin_detail::Contains;
using plugin_detail::IsIdentifier;
using plugin_detail::kMaxNameLength;
using plugin_detail::kMaxTextLength;
using plugin_detail::SplitAlternatives;

DrillInstance::~DrillInstance() {
  try {
    plugin_->descriptor_->destroy(context_);
  } catch (...) {
    // Nothing can be reported from a destructor; the context is gone either way.
  }
}

PluginScore DrillInstance::Score(double fps, int num_frames,
                                 const std::vector<MeasureSeries>& series,
                                 const std::vector<RepSpan>& reps,
                                 const std::vector<std::string>& segments, bool has_static_trial) {
  return plugin_detail::ScoreInChild(plugin_->Where(), [&] {
    return ScoreHere(fps, num_frames, series, reps, segments, has_static_trial);
  });
}

PluginScore DrillInstance::ScoreHere(double fps, int num_frames,
                                     const std::vector<MeasureSeries>& series,
                                     const std::vector<RepSpan>& reps,
                                     const std::vector<std::string>& segments,
                                     bool has_static_trial) {
  const std::string where = plugin_->Where();
  std::vector<hl_series> c_series;
  for (const auto& s : series) {
    HL_CHECK(static_cast<int>(s.values.size()) == num_frames &&
             static_cast<int>(s.valid.size()) == num_frames);
    c_series.push_back({s.name.c_str(), s.values.data(), s.valid.data()});
  }
  std::vector<hl_rep_span> c_reps;
  for (const auto& r : reps)
    c_reps.push_back({r.start_frame, r.end_frame, r.peak_frame, r.peak_hold_s});
  std::vector<const char*> c_segments;
  for (const auto& s : segments) c_segments.push_back(s.c_str());

  hl_score_input input{};
  input.struct_size = sizeof(input);
  input.fps = fps;
  input.num_frames = num_frames;
  input.num_series = static_cast<uint32_t>(c_series.size());
  input.series = c_series.data();
  input.num_reps = static_cast<uint32_t>(c_reps.size());
  input.reps = c_reps.data();
  input.num_segments = static_cast<uint32_t>(c_segments.size());
  input.segments = c_segments.data();
  input.has_static_trial = has_static_trial ? 1 : 0;

  auto output = std::make_unique<hl_score_output>();  // value-initialised: all zero
  output->struct_size = sizeof(hl_score_output);
  int32_t status = HL_STATUS_ERROR;
  try {
    status = plugin_->descriptor_->score(context_, &input, output.get());
  } catch (...) {
    throw Error(where,
                "score() threw an exception across the C boundary; the plugin must catch it");
  }
  output->message[HL_MESSAGE_SIZE - 1] = '\0';
  PluginScore result;
  result.message = output->message;
  if (status != output->status) {
    throw Error(where, "score() returned status " + std::to_string(status) + " but stored " +
                           std::to_string(output->status));
  }
  if (status == HL_STATUS_NOT_ASSESSABLE) {
    if (output->num_missing_segments > HL_MAX_SEGMENTS) {
      throw Error(where, "reported " + std::to_string(output->num_missing_segments) +
                             " missing segments (at most " + std::to_string(HL_MAX_SEGMENTS) + ")");
    }
    for (uint32_t i = 0; i < output->num_missing_segments; ++i) {
      std::string name;
      if (!BoundedString(output->missing_segments[i], kMaxTextLength, &name)) {
        throw Error(where, "reported a missing segment that is not a string");
      }
      for (const auto& a : SplitAlternatives(name)) {
        if (!Contains(DrillSegmentNames(), a)) {
          throw Error(where, "reported unknown missing segment '" + a + "'");
        }
      }
      result.missing_segments.push_back(name);
    }
    result.assessable = false;
    return result;
  }
  if (status != HL_STATUS_OK) {
    throw Error(where, "failed to score (status " + std::to_string(status) +
                           "): " + (result.message.empty() ? "no reason given" : result.message));
  }
  if (output->num_reps > HL_MAX_REPS || output->num_reps > input.num_reps) {
    throw Error(where, "returned " + std::to_string(output->num_reps) + " repetitions for " +
                           std::to_string(input.num_reps) + " given");
  }
  result.assessable = true;
  for (uint32_t r = 0; r < output->num_reps; ++r) {
    const hl_rep_result& in = output->reps[r];
    const std::string rep_where = where + " repetition " + std::to_string(r + 1);
    RepScore rep;
    if (in.start_frame < 0 || in.end_frame < in.start_frame || in.end_frame >= num_frames) {
      throw Error(rep_where, "has frames " + std::to_string(in.start_frame) + ".." +
                                 std::to_string(in.end_frame) + " outside the recording");
    }
    if (!std::isfinite(in.score) || in.score < 0 || in.score > 100 || in.grade < 0 ||
        in.grade > 3) {
      throw Error(rep_where, "has score " + std::to_string(in.score) + " / grade " +
                                 std::to_string(in.grade) + " outside 0-100 / 0-3");
    }
    if (in.num_faults > HL_MAX_FAULTS || in.num_metrics > HL_MAX_METRICS) {
      throw Error(rep_where, "has " + std::to_string(in.num_faults) + " faults and " +
                                 std::to_string(in.num_metrics) + " metrics, over the ABI limits");
    }
    rep.start_frame = in.start_frame;
    rep.end_frame = in.end_frame;
    rep.score = in.score;
    rep.grade = in.grade;
    for (uint32_t f = 0; f < in.num_faults; ++f) {
      std::string fault, cue;
      if (!BoundedString(in.faults[f], kMaxNameLength, &fault) || !IsKnownFault(fault)) {
        throw Error(rep_where, "reports a fault outside the shared vocabulary of drills.md");
      }
      if (!BoundedString(in.cues[f], kMaxTextLength, &cue)) {
        throw Error(rep_where, "has no coaching cue for fault '" + fault + "'");
      }
      if (!Contains(rep.faults, fault)) {
        rep.faults.push_back(fault);
        rep.cues.push_back(cue);
      }
    }
    for (uint32_t m = 0; m < in.num_metrics; ++m) {
      std::string name;
      if (!BoundedString(in.metrics[m].name, kMaxNameLength, &name) || !IsIdentifier(name) ||
          !std::isfinite(in.metrics[m].value)) {
        throw Error(rep_where,
                    "has metric " + std::to_string(m) + " without a name or a finite value");
      }
      rep.metrics.emplace_back(name, in.metrics[m].value);
    }
    result.reps.push_back(std::move(rep));
  }
  return result;
}

LiveFeedback DrillInstance::Update(double time_s,
                                   const std::vector<std::pair<std::string, double>>& values) {
  const std::string where = plugin_->Where();
  std::vector<const char*> names;
  std::vector<double> numbers;
  std::vector<uint8_t> valid;
  for (const auto& [name, value] : values) {
    names.push_back(name.c_str());
    numbers.push_back(value);
    valid.push_back(std::isfinite(value) ? 1 : 0);
  }
  hl_frame_input frame{};
  frame.struct_size = sizeof(frame);
  frame.time_s = time_s;
  frame.num_values = static_cast<uint32_t>(names.size());
  frame.names = names.data();
  frame.values = numbers.data();
  frame.valid = valid.data();
  hl_live_feedback feedback{};
  feedback.struct_size = sizeof(feedback);
  int32_t status = HL_STATUS_ERROR;
  try {
    status = plugin_->descriptor_->update(context_, &frame, &feedback);
  } catch (...) {
    throw Error(where, "update() threw an exception across the C boundary");
  }
  feedback.message[HL_MESSAGE_SIZE - 1] = '\0';
  if (status != HL_STATUS_OK) {
    throw Error(where, std::string("live update failed: ") +
                           (feedback.message[0] ? feedback.message : "no reason given"));
  }
  if (feedback.num_faults > HL_MAX_FAULTS || feedback.rep_count < 0) {
    throw Error(where, "live update returned invalid counts");
  }
  LiveFeedback out;
  out.rep_count = feedback.rep_count;
  out.in_rep = feedback.in_rep != 0;
  for (uint32_t f = 0; f < feedback.num_faults; ++f) {
    std::string fault, cue;
    if (!BoundedString(feedback.faults[f], kMaxNameLength, &fault) || !IsKnownFault(fault) ||
        !BoundedString(feedback.cues[f], kMaxTextLength, &cue)) {
      throw Error(where, "live update returned a fault outside the vocabulary or without a cue");
    }
    out.faults.push_back(fault);
    out.cues.push_back(cue);
  }
  return out;
}

}  // namespace hl
