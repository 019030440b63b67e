#pragma once

// Header-only helpers every drill plugin shares: threshold overrides, the
// create/score/update/destroy plumbing (with every exception caught before it
// reaches the C boundary), per-rep metrics, fault checks and the 0-100 score.
//
// A drill file defines its segments, thresholds, the measures its checks need,
// a ScoreRep function and a DrillSpec, then writes HL_DRILL_ENTRY(spec). Only the C types of
// hingelab_plugin.h cross the boundary.
//
// Scoring: each check compares a rep's value with its threshold. With `bad` =
// how far past the threshold the value is and `scale` = the threshold's size,
// a fault costs 20 + 20 * min(1, bad / scale) points and a near miss (within
// 20 % of the threshold) up to 10; the score is 100 minus the costs, at least
// 0. Grade 3 without faults, 1 when a fault is at least twice its threshold or
// three faults pile up, 2 otherwise.

#include <cmath>
#include <cstdio>
#include <cstring>
#include <exception>
#include <new>
#include <stdexcept>

#include "plugins/hingelab_plugin.h"

namespace hl_drill {

constexpr double kDegPerRad = 57.295779513082320876;
constexpr int kMaxThresholds = 32;

// A fault seen frame by frame while streaming: value * to_unit (abs when
// use_abs) above the threshold `threshold`.
struct LiveCheck {
  const char* series;
  int threshold;
  double to_unit;
  bool use_abs;
  const char* fault;
};

struct Context {
  double fps = 0.0;
  double thresholds[kMaxThresholds] = {};
  // Live rep counting.
  bool live_started = false;
  bool live_in_rep = false;
  double live_rest = 0.0;
  int live_reps = 0;
};

inline const char* DefaultCue(const char* fault) {
  struct Entry {
    const char* fault;
    const char* cue;
  };
  static const Entry kCues[] = {
      {HL_FAULT_DOWEL_CONTACT_LOST, "Keep the dowel touching your head, upper back and tailbone."},
      {HL_FAULT_INSUFFICIENT_HINGE, "Fold further at the hips until your chest comes over."},
      {HL_FAULT_KNEES_FORWARD, "Keep your shins still: send the hips back, not the knees forward."},
      {HL_FAULT_HIPS_NOT_BACK, "Push your hips back as if closing a car door behind you."},
      {HL_FAULT_WALL_NOT_REACHED, "Reach the wall with your buttocks before you go any lower."},
      {HL_FAULT_BOX_NOT_REACHED, "Sit back and down until you touch the box."},
      {HL_FAULT_INCOMPLETE_LOCKOUT, "Finish tall: drive the hips forward and squeeze the glutes."},
      {HL_FAULT_NO_PAUSE, "Pause at the top and squeeze the glutes before you lower."},
      {HL_FAULT_BACK_FLEXION, "Keep your back flat; go only as low as it stays flat."},
      {HL_FAULT_PELVIS_DROP, "Keep your hips level; don't let the free side drop."},
      {HL_FAULT_PELVIS_ROTATION, "Keep your hips square to the floor; don't open the free side."},
      {HL_FAULT_BAR_TOO_LOW, "Set the bar higher, just below the knees."},
      {HL_FAULT_BAR_TOO_HIGH, "Set the bar lower, just below the knees rather than above."},
  };
  for (const Entry& e : kCues) {
    if (std::strcmp(e.fault, fault) == 0) return e.cue;
  }
  return "Move with control and keep the pattern.";
}

// One measure over the recording; empty when the host did not provide it.
struct Series {
  const double* v = nullptr;
  const uint8_t* ok = nullptr;
  explicit operator bool() const { return v != nullptr; }
};

inline Series FindSeries(const hl_score_input& in, const char* name) {
  for (uint32_t i = 0; i < in.num_series; ++i) {
    const hl_series& s = in.series[i];
    if (s.name && s.values && s.valid && std::strcmp(s.name, name) == 0) return {s.values, s.valid};
  }
  return {};
}

// What ScoreRep sees: thresholds, the input and this rep's frames.
struct RepContext {
  const Context& ctx;
  const hl_score_input& in;
  const hl_rep_span& span;

  double T(int threshold) const { return ctx.thresholds[threshold]; }
  Series S(const char* name) const { return FindSeries(in, name); }
  // Extremes of a series over frames [a, b]; false when nothing valid there.
  bool Extreme(const char* name, int a, int b, bool want_max, double* out, int* at = nullptr) const {
    const Series s = S(name);
    if (!s) return false;
    bool any = false;
    for (int f = a < 0 ? 0 : a; f <= b && f < in.num_frames; ++f) {
      if (!s.ok[f] || !std::isfinite(s.v[f])) continue;
      if (!any || (want_max ? s.v[f] > *out : s.v[f] < *out)) {
        *out = s.v[f];
        if (at) *at = f;
      }
      any = true;
    }
    return any;
  }
  bool Max(const char* name, double* out, int* at = nullptr) const {
    return Extreme(name, span.start_frame, span.end_frame, true, out, at);
  }
  bool Min(const char* name, double* out, int* at = nullptr) const {
    return Extreme(name, span.start_frame, span.end_frame, false, out, at);
  }
  bool AbsMax(const char* name, double* out) const {
    double hi = 0, lo = 0;
    if (!Max(name, &hi) || !Min(name, &lo)) return false;
    *out = std::fabs(hi) > std::fabs(lo) ? std::fabs(hi) : std::fabs(lo);
    return true;
  }
  // Smallest value from the last quarter of the rep to 0.5 s after it (not
  // into the next rep): how far the hips came back when standing drills finish.
  bool MinAtEnd(const char* name, double* out) const {
    const int len = span.end_frame - span.start_frame;
    int last = span.end_frame + static_cast<int>(0.5 * in.fps);
    for (uint32_t r = 0; r < in.num_reps; ++r) {
      const int next = in.reps[r].start_frame;
      if (next > span.start_frame && next < last) last = next;
    }
    return Extreme(name, span.end_frame - len / 4, last < span.end_frame ? span.end_frame : last,
                   false, out);
  }
  double Seconds(int frames) const { return in.fps > 0 ? frames / in.fps : 0.0; }
};

class RepScorer {
 public:
  explicit RepScorer(hl_rep_result* r) : r_(r) {}

  void Metric(const char* name, double value) {
    if (r_->num_metrics >= HL_MAX_METRICS) throw std::length_error("too many metrics");
    r_->metrics[r_->num_metrics++] = {name, value};
  }
  // A fault when value > limit.
  void Above(const char* fault, double value, double limit) { Check(fault, value - limit, limit); }
  // A fault when value < limit.
  void Below(const char* fault, double value, double limit) { Check(fault, limit - value, limit); }
  // `bad` > 0 is a fault; `scale` is the size of the threshold.
  void Check(const char* fault, double bad, double scale) {
    scale = std::fabs(scale) > 1e-9 ? std::fabs(scale) : 0.05;
    if (bad > 0) {
      const double excess = bad / scale;
      penalty_ += 20.0 + 20.0 * (excess < 1.0 ? excess : 1.0);
      severe_ = severe_ || excess >= 1.0;
      for (uint32_t i = 0; i < r_->num_faults; ++i) {
        if (std::strcmp(r_->faults[i], fault) == 0) return;
      }
      if (r_->num_faults >= HL_MAX_FAULTS) throw std::length_error("too many faults");
      r_->faults[r_->num_faults] = fault;
      r_->cues[r_->num_faults] = DefaultCue(fault);
      ++r_->num_faults;
    } else if (bad > -0.2 * scale) {
      penalty_ += 10.0 * (1.0 + bad / (0.2 * scale));
    }
  }
  void Finish() {
    const double score = 100.0 - penalty_;
    r_->score = score < 0 ? 0 : score;
    r_->grade = r_->num_faults == 0 ? 3 : (severe_ || r_->num_faults >= 3 ? 1 : 2);
  }

 private:
  hl_rep_result* r_;
  double penalty_ = 0.0;
  bool severe_ = false;
};

struct DrillSpec {
  const char* id;
  const char* title;
  const char* version;
  const char* const* required_segments;
  const char* const* optional_segments;
  const hl_threshold* thresholds;
  uint32_t num_thresholds;
  const char* rep_signal;
  double rep_min_amplitude;
  const LiveCheck* live_checks;
  uint32_t num_live_checks;
  bool needs_static_trial;  // the reference posture must be a real standing trial
  void (*score_rep)(const RepContext& rc, RepScorer* rep);
  // HL_MEASURE_* names the fault checks decide on (nullptr-terminated, or
  // nullptr): without a valid value of one of them in the take the drill is
  // not assessable, since a check whose measure is absent adds nothing and
  // would pass a rep it never looked at.
  const char* const* required_measures;
};

// What the host needs to compute a measure, for the not-assessable message.
inline const char* MeasureNeeds(const char* measure) {
  struct Entry {
    const char* measure;
    const char* needs;
  };
  static const Entry kNeeds[] = {
      {HL_MEASURE_HIP_FLEXION,
       "both knees and the trunk (dowel or thorax) or the pelvis orientation (3 pelvis markers "
       "off one line)"},
      {HL_MEASURE_BACK_FLEXION,
       "the trunk (dowel or thorax) and the pelvis orientation (3 pelvis markers off one line)"},
      {HL_MEASURE_PELVIS_DROP, "the pelvis orientation (3 pelvis markers off one line)"},
      {HL_MEASURE_PELVIS_ROTATION, "the pelvis orientation (3 pelvis markers off one line)"},
      {HL_MEASURE_TRUNK_INCLINATION, "the dowel or the thorax"},
      {HL_MEASURE_DOWEL_GAP, "the dowel and the pelvis"},
      {HL_MEASURE_BAR_HEIGHT, "the bar"},
      {HL_MEASURE_KNEE_HEIGHT, "both knees"},
      {HL_MEASURE_KNEE_TRAVEL, "both knees"},
  };
  for (const Entry& e : kNeeds) {
    if (std::strcmp(e.measure, measure) == 0) return e.needs;
  }
  return "the pelvis";
}

inline bool HasValidValue(const hl_score_input& in, const char* measure) {
  const Series s = FindSeries(in, measure);
  for (int f = 0; s && f < in.num_frames; ++f) {
    if (s.ok[f] && std::isfinite(s.v[f])) return true;
  }
  return false;
}

inline void CopyMessage(char* dst, size_t size, const char* text) {
  if (dst && size > 0) std::snprintf(dst, size, "%s", text);
}

inline void* Create(const DrillSpec& spec, const hl_plugin_config* config, char* message,
                    uint32_t message_size) {
  try {
    if (spec.num_thresholds > kMaxThresholds) throw std::length_error("too many thresholds");
    Context* ctx = new Context();
    for (uint32_t i = 0; i < spec.num_thresholds; ++i) ctx->thresholds[i] = spec.thresholds[i].default_value;
    if (config && config->struct_size >= sizeof(hl_plugin_config) &&
        (config->num_thresholds == 0 || config->thresholds != nullptr)) {
      ctx->fps = config->fps;
      for (uint32_t k = 0; k < config->num_thresholds; ++k) {
        const hl_threshold_value& v = config->thresholds[k];
        bool known = false;
        for (uint32_t i = 0; i < spec.num_thresholds && v.name; ++i) {
          if (std::strcmp(spec.thresholds[i].name, v.name) == 0) {
            known = std::isfinite(v.value);
            ctx->thresholds[i] = v.value;
          }
        }
        if (!known) {
          char text[HL_MESSAGE_SIZE];
          std::snprintf(text, sizeof(text), "unknown threshold or bad value: %s",
                        v.name ? v.name : "(null)");
          delete ctx;
          CopyMessage(message, message_size, text);
          return nullptr;
        }
      }
    }
    return ctx;
  } catch (const std::exception& e) {
    CopyMessage(message, message_size, e.what());
  } catch (...) {
    CopyMessage(message, message_size, "unknown failure in create");
  }
  return nullptr;
}

inline int32_t Fail(hl_score_output* out, int32_t status, const char* text) {
  out->status = status;
  CopyMessage(out->message, sizeof(out->message), text);
  return status;
}

inline bool HasSegment(const hl_score_input& in, const char* entry) {
  // `entry` may list alternatives "a|b".
  const char* p = entry;
  while (*p) {
    const char* bar = std::strchr(p, '|');
    const size_t len = bar ? static_cast<size_t>(bar - p) : std::strlen(p);
    for (uint32_t i = 0; i < in.num_segments; ++i) {
      const char* s = in.segments[i];
      if (s && std::strlen(s) == len && std::strncmp(s, p, len) == 0) return true;
    }
    if (!bar) break;
    p = bar + 1;
  }
  return false;
}

inline int32_t Score(const DrillSpec& spec, void* context, const hl_score_input* in,
                     hl_score_output* out) {
  if (out == nullptr || out->struct_size < sizeof(hl_score_output)) return HL_STATUS_BAD_INPUT;
  try {
    out->num_reps = 0;
    out->num_missing_segments = 0;
    out->message[0] = '\0';
    if (context == nullptr || in == nullptr || in->struct_size < sizeof(hl_score_input)) {
      return Fail(out, HL_STATUS_BAD_INPUT, "score() needs a context and an API 1 input");
    }
    for (const char* const* s = spec.required_segments; s && *s; ++s) {
      if (!HasSegment(*in, *s) && out->num_missing_segments < HL_MAX_SEGMENTS) {
        out->missing_segments[out->num_missing_segments++] = *s;
      }
    }
    if (out->num_missing_segments > 0) {
      return Fail(out, HL_STATUS_NOT_ASSESSABLE, "required segments are not tracked");
    }
    for (const char* const* m = spec.required_measures; m && *m; ++m) {
      if (!HasValidValue(*in, *m)) {
        char text[HL_MESSAGE_SIZE];
        std::snprintf(text, sizeof(text), "cannot measure %s in any frame; it needs %s", *m,
                      MeasureNeeds(*m));
        return Fail(out, HL_STATUS_NOT_ASSESSABLE, text);
      }
    }
    if (spec.needs_static_trial && !in->has_static_trial) {
      return Fail(out, HL_STATUS_NOT_ASSESSABLE,
                  "needs a static standing trial (--static) to know full hip extension");
    }
    if (in->num_reps > HL_MAX_REPS || (in->num_reps > 0 && in->reps == nullptr)) {
      return Fail(out, HL_STATUS_BAD_INPUT, "too many repetitions for one output");
    }
    const Context& ctx = *static_cast<const Context*>(context);
    for (uint32_t r = 0; r < in->num_reps; ++r) {
      const hl_rep_span& span = in->reps[r];
      if (span.start_frame < 0 || span.end_frame < span.start_frame ||
          span.end_frame >= in->num_frames) {
        return Fail(out, HL_STATUS_BAD_INPUT, "a repetition lies outside the recording");
      }
      hl_rep_result& result = out->reps[r];
      std::memset(&result, 0, sizeof(result));
      result.start_frame = span.start_frame;
      result.end_frame = span.end_frame;
      RepScorer scorer(&result);
      spec.score_rep(RepContext{ctx, *in, span}, &scorer);
      scorer.Finish();
      out->num_reps = r + 1;
    }
    out->status = HL_STATUS_OK;
    return HL_STATUS_OK;
  } catch (const std::exception& e) {
    out->num_reps = 0;
    return Fail(out, HL_STATUS_ERROR, e.what());
  } catch (...) {
    out->num_reps = 0;
    return Fail(out, HL_STATUS_ERROR, "unknown failure in score");
  }
}

inline int32_t Update(const DrillSpec& spec, void* context, const hl_frame_input* frame,
                      hl_live_feedback* out) {
  if (out == nullptr || out->struct_size < sizeof(hl_live_feedback)) return HL_STATUS_BAD_INPUT;
  try {
    out->num_faults = 0;
    out->message[0] = '\0';
    if (context == nullptr || frame == nullptr || frame->struct_size < sizeof(hl_frame_input)) {
      out->status = HL_STATUS_BAD_INPUT;
      return out->status;
    }
    Context& ctx = *static_cast<Context*>(context);
    auto value = [&](const char* name, double* v) {
      for (uint32_t i = 0; i < frame->num_values; ++i) {
        if (frame->names[i] && std::strcmp(frame->names[i], name) == 0 && frame->valid[i] &&
            std::isfinite(frame->values[i])) {
          *v = frame->values[i];
          return true;
        }
      }
      return false;
    };
    for (uint32_t c = 0; c < spec.num_live_checks; ++c) {
      const LiveCheck& check = spec.live_checks[c];
      double v = 0;
      if (!value(check.series, &v)) continue;
      v *= check.to_unit;
      if (check.use_abs) v = std::fabs(v);
      if (v > ctx.thresholds[check.threshold] && out->num_faults < HL_MAX_FAULTS) {
        out->faults[out->num_faults] = check.fault;
        out->cues[out->num_faults] = DefaultCue(check.fault);
        ++out->num_faults;
      }
    }
    // Reps: hysteresis on the rep signal around a rest level that follows the lows.
    double s = 0;
    if (value(spec.rep_signal, &s)) {
      if (!ctx.live_started) ctx.live_rest = s, ctx.live_started = true;
      if (!ctx.live_in_rep) {
        if (s < ctx.live_rest) ctx.live_rest = s;
        if (s - ctx.live_rest > 0.6 * spec.rep_min_amplitude) ctx.live_in_rep = true;
      } else if (s - ctx.live_rest < 0.3 * spec.rep_min_amplitude) {
        ctx.live_in_rep = false;
        ++ctx.live_reps;
      }
    }
    out->rep_count = ctx.live_reps;
    out->in_rep = ctx.live_in_rep ? 1 : 0;
    out->status = HL_STATUS_OK;
    return HL_STATUS_OK;
  } catch (...) {
    out->status = HL_STATUS_ERROR;
    CopyMessage(out->message, sizeof(out->message), "failure in update");
    return out->status;
  }
}

inline void Destroy(void* context) { delete static_cast<Context*>(context); }

constexpr hl_plugin_descriptor Describe(const DrillSpec& spec,
                                        void* (*create)(const hl_plugin_config*, char*, uint32_t),
                                        int32_t (*score)(void*, const hl_score_input*, hl_score_output*),
                                        int32_t (*update)(void*, const hl_frame_input*, hl_live_feedback*),
                                        void (*destroy)(void*)) {
  return hl_plugin_descriptor{HL_PLUGIN_API_VERSION,   sizeof(hl_plugin_descriptor),
                              spec.id,                 spec.title,
                              spec.version,            spec.required_segments,
                              spec.optional_segments,  spec.num_thresholds,
                              spec.thresholds,         spec.rep_signal,
                              spec.rep_min_amplitude,  create,
                              score,                   update,
                              destroy};
}

}  // namespace hl_drill

// Defines the C entry point of a drill plugin from its DrillSpec.
#define HL_DRILL_ENTRY(spec)                                                                   \
  namespace {                                                                                  \
  void* HlDrillCreate(const hl_plugin_config* c, char* m, uint32_t n) {                        \
    return ::hl_drill::Create(spec, c, m, n);                                                  \
  }                                                                                            \
  int32_t HlDrillScore(void* x, const hl_score_input* i, hl_score_output* o) {                 \
    return ::hl_drill::Score(spec, x, i, o);                                                   \
  }                                                                                            \
  int32_t HlDrillUpdate(void* x, const hl_frame_input* f, hl_live_feedback* o) {               \
    return ::hl_drill::Update(spec, x, f, o);                                                  \
  }                                                                                            \
  void HlDrillDestroy(void* x) { ::hl_drill::Destroy(x); }                                     \
  const hl_plugin_descriptor kHlDrillDescriptor =                                              \
      ::hl_drill::Describe(spec, HlDrillCreate, HlDrillScore, HlDrillUpdate, HlDrillDestroy);  \
  }                                                                                            \
  extern "C" HL_PLUGIN_EXPORT const hl_plugin_descriptor* hl_plugin_entry(void) {              \
    return &kHlDrillDescriptor;                                                                \
  }
