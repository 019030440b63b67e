#pragma once

// Simulated takes scored from RECONSTRUCTED trajectories, without rendering:
// the simulator's projected marker corners (truth/corners.csv of
// `hingelab simulate`, visibility from facing, image bounds and body/prop
// occlusion) become detections with the dropout rate and corner noise that
// OpenCV detection shows on rendered frames (DetectionModel, measured by
// MeasureDetectionModel on rendered views), then go through the same
// Reconstructor (triangulation, Ceres segment fits, layouts, gap filling)
// as `hingelab reconstruct`. Shared by tests/plugins/reconstructed_measures_test.cc
// and bench/scoring_bench.cc. Also the matching of scored reps to the simulator's
// labelled reps and its confusion table (MatchReps), shared with
// tests/plugins/truth_confusion_test.cc, so truth and reconstruction are judged alike.

#include <Eigen/Core>
#include <algorithm>
#include <array>
#include <cmath>
#include <filesystem>
#include <map>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "capture/sim/drills.h"
#include "capture/sim/renderer.h"
#include "capture/sim/rig_presets.h"
#include "capture/sim/simulate.h"
#include "core/error.h"
#include "core/file_util.h"
#include "core/marker_set.h"
#include "plugins/host/drill_score.h"
#include "reconstruction/detection.h"
#include "reconstruction/pipeline.h"

namespace hl::test {

// One marker as one camera would see it: its 4 projected corners (distorted px).
struct TrueMarkerView {
  std::array<Eigen::Vector2d, 4> corners_px;
  int visible_corners = 0;
  // Mean side length and area / side^2 (1 square-on, -> 0 at grazing angles).
  double side_px() const {
    double p = 0;
    for (int k = 0; k < 4; ++k) p += (corners_px[k] - corners_px[(k + 1) % 4]).norm();
    return p / 4.0;
  }
  double squareness() const {
    double a = 0;
    for (int k = 0; k < 4; ++k) {
      const auto& p = corners_px[k];
      const auto& q = corners_px[(k + 1) % 4];
      a += p.x() * q.y() - q.x() * p.y();
    }
    const double s = side_px();
    return s > 0 ? std::abs(a) / 2.0 / (s * s) : 0.0;
  }
};

// frames[f][camera] -> marker id -> view.
using TrueViews = std::vector<std::vector<std::map<int, TrueMarkerView>>>;

// Parses truth/corners.csv (camera,frame,id,corner,u,v,visible).
inline TrueViews ReadTrueCorners(const std::filesystem::path& path,
                                 const std::vector<Camera>& cameras, int frames) {
  std::map<std::string, int> cam_index;
  for (size_t c = 0; c < cameras.size(); ++c) cam_index[cameras[c].name] = static_cast<int>(c);
  TrueViews views(frames, std::vector<std::map<int, TrueMarkerView>>(cameras.size()));
  const std::string text = ReadFileText(path);
  size_t pos = text.find('\n') + 1;
  while (pos < text.size()) {
    const size_t end = std::min(text.find('\n', pos), text.size());
    std::vector<std::string> f;
    size_t a = pos;
    for (size_t b = pos; b <= end; ++b) {
      if (b == end || text[b] == ',') f.push_back(text.substr(a, b - a)), a = b + 1;
    }
    pos = end + 1;
    if (f.size() != 7) throw Error(path.string(), "a row does not have 7 fields");
    const int frame = std::stoi(f[1]), id = std::stoi(f[2]), k = std::stoi(f[3]);
    if (frame < 0 || frame >= frames || k < 0 || k > 3 || !cam_index.count(f[0])) {
      throw Error(path.string(), "row out of range: " + f[0] + " frame " + f[1]);
    }
    TrueMarkerView& v = views[frame][cam_index[f[0]]][id];
    v.corners_px[k] = {std::stod(f[4]), std::stod(f[5])};
    v.visible_corners += f[6] == "1";
  }
  return views;
}

// Detection probability and corner noise of OpenCV's detector (ours:
// reconstruction/detection.h) by marker size and obliquity, counted on
// rendered views against the true corners.
struct DetectionModel {
  std::vector<double> side_edges = {0, 8, 10, 12, 14, 17, 20, 25, 32, 45, 1e9};
  std::vector<double> square_edges = {0, 0.3, 0.5, 0.7, 0.85, 2.0};
  std::vector<int> seen, found;  // per (side, squareness) bin
  std::vector<double> err_sq;    // per side bin: sum of squared corner errors (px)
  std::vector<int> err_n;        // corner coordinates counted
  int false_detections = 0;      // found where the truth says not fully visible

  DetectionModel() { Reset(); }
  void Reset() {
    const size_t n = (side_edges.size() - 1) * (square_edges.size() - 1);
    seen.assign(n, 0), found.assign(n, 0);
    err_sq.assign(side_edges.size() - 1, 0.0), err_n.assign(side_edges.size() - 1, 0);
  }
  static int Bin(const std::vector<double>& edges, double x) {
    for (size_t i = 0; i + 1 < edges.size(); ++i) {
      if (x < edges[i + 1]) return static_cast<int>(i);
    }
    return static_cast<int>(edges.size()) - 2;
  }
  int Index(double side, double sq) const {
    return Bin(side_edges, side) * static_cast<int>(square_edges.size() - 1) +
           Bin(square_edges, sq);
  }
  void Count(const TrueMarkerView& v, const MarkerObservation* detected) {
    const int i = Index(v.side_px(), v.squareness());
    ++seen[i];
    if (detected == nullptr) return;
    ++found[i];
    const int s = Bin(side_edges, v.side_px());
    for (int k = 0; k < 4; ++k) {
      err_sq[s] += (detected->corners_px[k] - v.corners_px[k]).squaredNorm();
      err_n[s] += 2;
    }
  }
  // Too few views in a bin: borrow from its neighbours in size.
  double Probability(double side, double sq) const {
    const int cols = static_cast<int>(square_edges.size() - 1);
    const int rows = static_cast<int>(side_edges.size() - 1);
    const int s = Bin(side_edges, side), q = Bin(square_edges, sq);
    int n = seen[s * cols + q], k = found[s * cols + q];
    for (int r = 1; r <= 3 && n < 20; ++r) {
      for (int b : {s - r, s + r}) {
        if (b >= 0 && b < rows) n += seen[b * cols + q], k += found[b * cols + q];
      }
    }
    return n == 0 ? 0.0 : static_cast<double>(k) / n;
  }
  double NoisePx(double side) const {
    const int rows = static_cast<int>(err_n.size());
    const int s = Bin(side_edges, side);
    double e = err_sq[s];
    int n = err_n[s];
    for (int r = 1; r < rows && n < 200; ++r) {
      for (int b : {s - r, s + r}) {
        if (b >= 0 && b < rows) e += err_sq[b], n += err_n[b];
      }
    }
    return n == 0 ? 0.3 : std::sqrt(e / n);
  }
};

// Simulated detections of one frame set: each fully visible marker is found
// with the model's probability, its corners moved by the model's noise.
inline FrameDetections SimulatedDetections(const std::vector<std::map<int, TrueMarkerView>>& frame,
                                           const DetectionModel& model, std::mt19937_64* rng) {
  FrameDetections out(frame.size());
  std::uniform_real_distribution<double> uniform(0.0, 1.0);
  for (size_t c = 0; c < frame.size(); ++c) {
    for (const auto& [id, v] : frame[c]) {
      if (v.visible_corners < 4) continue;
      const double side = v.side_px();
      if (uniform(*rng) >= model.Probability(side, v.squareness())) continue;
      std::normal_distribution<double> noise(0.0, model.NoisePx(side));
      MarkerObservation m;
      m.id = id;
      for (int k = 0; k < 4; ++k)
        m.corners_px[k] = v.corners_px[k] + Eigen::Vector2d(noise(*rng), noise(*rng));
      out[c].markers.push_back(m);
    }
  }
  return out;
}

struct SimTakeOptions {
  std::string scene = "drill";  // or "static"
  std::string drill = "dowel_hinge";
  std::vector<std::string> faults;
  int reps = 2;
  uint64_t seed = 1;
  std::string rig = "studio4";
  int frames = 0;    // 0: the scene's own length
  double fps = 0.0;  // 0: the preset's
  std::filesystem::path markers_path;
  std::filesystem::path work_dir;  // truth files land here
  // Reconstruction's GapFillOptions::tangent_window_s; < 0: its default.
  double gap_tangent_window_s = -1.0;
  // Reconstruction's GapFillOptions::choice_window_s; < 0: its default.
  double gap_choice_window_s = -1.0;
  // Reconstruction's low-pass cutoff (Hz; `hingelab reconstruct --lowpass-hz`); 0: off.
  double lowpass_hz = 0.0;
};

struct SimTake {
  std::vector<Camera> cameras;
  MarkerSet set;
  sim::SimulatedMotion motion;  // the truth, in memory
  TrueViews views;
  Trajectories reconstructed;
  ReconstructionSummary summary;
  // Segment layouts learned from this take (a static trial's serve later takes).
  std::vector<RigidBodyLayout> layouts;
};

inline sim::SimulateOptions ToSimulateOptions(const SimTakeOptions& o) {
  sim::SimulateOptions s;
  s.scene = o.scene;
  s.drill = o.drill;
  s.faults = o.faults;
  s.reps = o.reps;
  s.rig = o.rig;
  s.markers_path = o.markers_path;
  s.frames = o.frames;
  s.fps = o.fps;
  s.seed = o.seed;
  s.render_images = false;
  s.output_dir = o.work_dir;
  s.take = "take";
  return s;
}

// The motion SimulateTake simulated for these options (same seed, same frames).
inline sim::SimulatedMotion SimulatedMotionOf(const sim::SimulateOptions& s, const MarkerSet& set,
                                              double fps) {
  if (s.scene == "static") {
    sim::StaticOptions st;
    st.fps = fps;
    st.seed = s.seed;
    st.num_frames = s.frames;
    return sim::SimulateStatic(st, set, s.body);
  }
  sim::DrillMotionOptions d;
  d.drill = s.drill;
  d.reps = s.reps;
  d.rep_faults.assign(std::max(0, s.reps), s.faults);
  d.fps = fps;
  d.seed = s.seed;
  d.num_frames = s.frames;
  return sim::SimulateDrill(d, set, s.body);
}

// Simulates the take (truth and corners, no images), simulates detections and
// reconstructs it as `hingelab reconstruct` does; with `layouts` (from the
// static trial, where every plate marker faces two cameras) instead of
// layouts learned from the take itself.
inline SimTake RunSimTake(const SimTakeOptions& o, const DetectionModel& model,
                          const std::vector<RigidBodyLayout>* layouts = nullptr) {
  const sim::SimulateOptions s = ToSimulateOptions(o);
  const sim::SimulateSummary summary = sim::SimulateTake(s);
  SimTake take;
  take.set = ReadMarkerSet(o.markers_path);
  take.cameras = sim::LoadRigOrPreset(o.rig).cameras;
  take.motion = SimulatedMotionOf(s, take.set, summary.fps);
  if (take.motion.truth.num_frames() != summary.frames) {
    throw Error("sim_pipeline", "the in-memory motion does not match the simulated take");
  }
  take.views =
      ReadTrueCorners(summary.take_dir / "truth" / "corners.csv", take.cameras, summary.frames);
  std::mt19937_64 rng(o.seed * 7919 + 17);
  ReconstructionOptions options;
  if (layouts != nullptr) options.layouts = *layouts;
  if (o.gap_tangent_window_s >= 0) options.gap_fill.tangent_window_s = o.gap_tangent_window_s;
  if (o.gap_choice_window_s >= 0) options.gap_fill.choice_window_s = o.gap_choice_window_s;
  options.lowpass_cutoff_hz = o.lowpass_hz;
  Reconstructor rec(take.cameras, take.set, options);
  for (const auto& frame : take.views) rec.AddDetections(SimulatedDetections(frame, model, &rng));
  take.layouts = LearnLayouts(take.cameras, take.set, rec.observations(), options.layout_learning);
  take.reconstructed = rec.Finish(summary.fps, &take.summary);
  return take;
}

// The reconstructed static trial plus the anatomical points a lab's static
// calibration locates (sacrum, knee joint centres, the dowel's axis ends),
// taken from the truth with a constant per-point error of `sigma_m` per axis
// (a digitiser's or a functional joint-centre method's error; 0: exact).
inline Trajectories StaticWithLandmarks(const SimTake& stat, double sigma_m, uint64_t seed) {
  Trajectories out = stat.reconstructed;
  std::mt19937_64 rng(seed * 104729 + 3);
  std::normal_distribution<double> noise(0.0, std::max(sigma_m, 1e-12));  // needs sigma > 0
  for (const char* label : {"SACRUM", "KNEE_L", "KNEE_R", "DOWEL_TOP", "DOWEL_BOTTOM"}) {
    const int tl = stat.motion.truth.LabelIndex(label);
    if (tl < 0) continue;
    const Eigen::Vector3d error = sigma_m > 0.0 ? Eigen::Vector3d(noise(rng), noise(rng), noise(rng))
                                                : Eigen::Vector3d::Zero();
    const int l = out.AddLabel(label);
    for (int f = 0; f < out.num_frames() && f < stat.motion.truth.num_frames(); ++f) {
      Sample s = stat.motion.truth.at(f, tl);
      s.position_m += error;
      s.residual_px = 0.0f;
      out.at(f, l) = s;
    }
  }
  return out;
}

// A detection model measured on rendered views of a few frames of `drill`
// (rendered at `fps` so the frames spread over the reps).
inline void MeasureDetectionModel(const SimTakeOptions& o, DetectionModel* model) {
  const sim::SimulateOptions s = ToSimulateOptions(o);
  const sim::SimulateSummary summary = sim::SimulateTake(s);
  const MarkerSet set = ReadMarkerSet(o.markers_path);
  const std::vector<Camera> cameras = sim::LoadRigOrPreset(o.rig).cameras;
  const sim::SimulatedMotion motion = SimulatedMotionOf(s, set, summary.fps);
  const TrueViews views =
      ReadTrueCorners(summary.take_dir / "truth" / "corners.csv", cameras, summary.frames);
  sim::RenderOptions ro = s.render;  // as SimulateTake renders
  ro.marker_dictionary = set.dictionary_id;
  ro.seed = s.seed;
  ro.background_seed = s.seed;
  std::vector<sim::ViewRenderer> renderers;
  for (const Camera& cam : cameras) renderers.emplace_back(cam, ro);
  DetectionOptions detection;
  detection.dictionary_id = set.dictionary_id;
  for (int f = 0; f < summary.frames; ++f) {
    const uint64_t frame_seed = s.seed * 1000003ull + static_cast<uint64_t>(f);
    const std::vector<cv::Mat> images = sim::RenderViews(renderers, motion.frames[f], frame_seed);
    for (size_t c = 0; c < images.size(); ++c) {
      const ImageDetections d = DetectMarkersInImage(images[c], set, detection);
      for (const auto& [id, v] : views[f][c]) {
        const MarkerObservation* hit = nullptr;
        for (const auto& m : d.markers) hit = m.id == id ? &m : hit;
        if (v.visible_corners == 4) {
          model->Count(v, hit);
        } else if (hit != nullptr) {
          ++model->false_detections;
        }
      }
    }
  }
}

// One drill x fault over labelled reps: what the plugin said against the label.
struct ConfusionCell {
  int tp = 0, fn = 0, fp = 0, tn = 0;
  void Add(bool truth_has, bool said) { ++(truth_has ? (said ? tp : fn) : (said ? fp : tn)); }
  double recall_percent() const { return 100.0 * tp / std::max(1, tp + fn); }
  double false_alarm_percent() const { return 100.0 * fp / std::max(1, fp + tn); }
};

// One drill's confusion over takes: a cell per fault and the reps the
// segmentation missed or invented (an invented rep counts for every fault:
// a fault said on it is a false alarm).
struct RepConfusion {
  std::map<std::string, ConfusionCell> faults;
  int true_reps = 0, missed_reps = 0, extra_reps = 0;
  ConfusionCell Total() const {
    ConfusionCell sum;
    for (const auto& [fault, c] : faults) {
      sum.tp += c.tp, sum.fn += c.fn, sum.fp += c.fp, sum.tn += c.tn;
    }
    return sum;
  }
};

struct FaultCall {
  std::string fault;
  bool truth_has = false;
  bool said = false;  // never on a labelled rep that was not found
};

// A labelled rep and the scored rep overlapping it most, when that overlap
// covers more than half of it (scored == nullptr: not found); or, with
// truth == nullptr, a scored rep no labelled rep matched.
struct RepMatch {
  const sim::TrueRep* truth = nullptr;
  const ScoredRep* scored = nullptr;
  std::vector<FaultCall> calls;  // one per fault of the drill, in its order
};

// Matches one take's scored reps to its labelled reps and counts the calls
// into *confusion. Returns the labelled reps in order, then the unmatched
// scored reps in order, so callers print the disagreements as they like.
inline std::vector<RepMatch> MatchReps(const std::vector<sim::TrueRep>& truth,
                                       const std::vector<ScoredRep>& scored,
                                       const std::vector<std::string>& faults,
                                       RepConfusion* confusion) {
  auto has = [](const std::vector<std::string>& v, const std::string& s) {
    return std::find(v.begin(), v.end(), s) != v.end();
  };
  std::vector<RepMatch> out;
  std::vector<bool> used(scored.size(), false);
  for (const sim::TrueRep& t : truth) {
    ++confusion->true_reps;
    int best = -1;
    double best_overlap = 0.0;
    for (size_t r = 0; r < scored.size(); ++r) {
      const double overlap = std::max(
          0.0, std::min(t.end_s, scored[r].end_s) - std::max(t.start_s, scored[r].start_s));
      if (overlap > best_overlap) best_overlap = overlap, best = static_cast<int>(r);
    }
    RepMatch m;
    m.truth = &t;
    if (best >= 0 && best_overlap > 0.5 * (t.end_s - t.start_s)) {
      m.scored = &scored[best];
      used[best] = true;
    } else {
      ++confusion->missed_reps;
    }
    for (const std::string& f : faults) {
      m.calls.push_back({f, has(t.faults, f), m.scored != nullptr && has(m.scored->rep.faults, f)});
    }
    out.push_back(std::move(m));
  }
  for (size_t r = 0; r < scored.size(); ++r) {
    if (used[r]) continue;
    ++confusion->extra_reps;
    RepMatch m;
    m.scored = &scored[r];
    for (const std::string& f : faults) m.calls.push_back({f, false, has(scored[r].rep.faults, f)});
    out.push_back(std::move(m));
  }
  for (const RepMatch& m : out) {
    for (const FaultCall& c : m.calls) confusion->faults[c.fault].Add(c.truth_has, c.said);
  }
  return out;
}

}  // namespace hl::test
