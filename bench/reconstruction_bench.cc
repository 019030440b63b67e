// Reconstruction benchmark on the simulated studio, against a plain baseline
// measured in the same run on the same rendered frames.
//
//   ours      MarkerTracker (ROI tracking, per-cell sub-pixel corners) ->
//             segment layouts learned from the take -> Ceres rigid-body fits
//   baseline  full-frame cv::aruco::detectMarkers with CORNER_REFINE_SUBPIX
//             (OpenCV defaults but the smallest marker ours accepts, so both
//             see the same markers), cv::undistortPoints, linear DLT of each
//             corner from every camera that sees it, centre = corner mean
//
// Every drill of drills.md (good form, one rep, a short lead-in) on each rig
// preset: a line per drill, then the overall figures (errors over every
// sample, reconstructed fraction of the samples truth says two cameras see,
// detection speed and recall, whole-pipeline rate).
//
// Usage: reconstruction_bench [frames_per_drill=150] [rigs=studio4,lab2]
//        [drills=all|id,id,...] [fitbench_frames=2000]
//        [ours_corners=edges|subpix|contour|none] [max_sample_sigma_mm=library default]

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <map>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include <opencv2/aruco.hpp>
#include <opencv2/calib3d.hpp>
#include <opencv2/core/utility.hpp>

#include "capture/sim/drills.h"
#include "capture/sim/mounts.h"
#include "capture/sim/renderer.h"
#include "capture/sim/rig_presets.h"
#include "core/marker_set.h"
#include "reconstruction/marker_cost_functions.h"
#include "reconstruction/pipeline.h"
#include "reconstruction/triangulation.h"

namespace {

using hl::Camera;
using Clock = std::chrono::steady_clock;

double Since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

// Plain full-frame detection, OpenCV's own sub-pixel refinement.
hl::FrameDetections PlainDetect(const std::vector<cv::Mat>& images, const hl::MarkerSet& set) {
  hl::FrameDetections out(images.size());
  const auto dictionary = cv::aruco::getPredefinedDictionary(set.dictionary_id);
  cv::parallel_for_(cv::Range(0, static_cast<int>(images.size())), [&](const cv::Range& r) {
    for (int c = r.start; c < r.end; ++c) {
      auto params = cv::aruco::DetectorParameters::create();
      params->cornerRefinementMethod = cv::aruco::CORNER_REFINE_SUBPIX;
      // The same smallest marker as ours (40 px perimeter), so recall is equal.
      params->minMarkerPerimeterRate = 40.0 / std::max(images[c].cols, images[c].rows);
      std::vector<std::vector<cv::Point2f>> corners;
      std::vector<int> ids;
      cv::aruco::detectMarkers(images[c], dictionary, corners, ids, params);
      std::map<int, int> count;
      for (int id : ids) ++count[id];
      for (size_t k = 0; k < ids.size(); ++k) {
        if (set.Find(ids[k]) == nullptr || count[ids[k]] > 1) continue;
        hl::MarkerObservation m;
        m.id = ids[k];
        for (int i = 0; i < 4; ++i) m.corners_px[i] = {corners[k][i].x, corners[k][i].y};
        out[c].markers.push_back(m);
      }
    }
  });
  return out;
}

// Baseline centres: DLT of each corner (OpenCV undistortion), mean of corners.
std::map<int, Eigen::Vector3d> BaselineCentres(const std::vector<Camera>& cams,
                                               const hl::FrameObservations& frame) {
  std::map<int, Eigen::Vector3d> out;
  for (const auto& [id, views] : frame) {
    if (views.size() < 2) continue;
    Eigen::Vector3d sum = Eigen::Vector3d::Zero();
    bool ok = true;
    for (int i = 0; i < 4 && ok; ++i) {
      std::vector<int> ids;
      std::vector<Eigen::Vector2d> normalized;
      for (const auto& v : views) {
        std::vector<cv::Point2d> in = {{v.corners_px[i].x(), v.corners_px[i].y()}}, und;
        cv::undistortPoints(in, und, cams[v.camera].CameraMatrix(), cams[v.camera].DistCoeffs());
        ids.push_back(v.camera);
        normalized.emplace_back(und[0].x, und[0].y);
      }
      Eigen::Vector3d X;
      ok = hl::TriangulateDlt(cams, ids, normalized, &X);
      sum += X;
    }
    if (ok) out[id] = sum / 4.0;
  }
  return out;
}

struct ErrorStats {
  std::vector<double> e;
  void Add(double v) { e.push_back(v); }
  void Append(const ErrorStats& o) { e.insert(e.end(), o.e.begin(), o.e.end()); }
  double Rms() const {
    double s = 0;
    for (double v : e) s += v * v;
    return e.empty() ? NAN : std::sqrt(s / e.size());
  }
  double P99() const {
    if (e.empty()) return NAN;
    std::vector<double> s = e;
    std::sort(s.begin(), s.end());
    return s[std::min(s.size() - 1, static_cast<size_t>(0.99 * s.size()))];
  }
};

// Where samples are lost, per marker: views a camera could see
// (hl::sim::MarkerSeenBy within 75 deg) and which detector found them;
// samples truth says two cameras see, with ours detecting them in two or
// more cameras, and reconstructed.
struct SegmentLoss {
  int64_t views_visible = 0, views_ours = 0, views_plain = 0;
  int64_t samples_visible = 0, samples_detected2 = 0, samples_ours = 0, samples_plain = 0;
  int64_t lost_detected2 = 0;  // detected in two cameras, yet not reconstructed
  void Add(const SegmentLoss& o) {
    lost_detected2 += o.lost_detected2;
    views_visible += o.views_visible, views_ours += o.views_ours, views_plain += o.views_plain;
    samples_visible += o.samples_visible, samples_detected2 += o.samples_detected2;
    samples_ours += o.samples_ours, samples_plain += o.samples_plain;
  }
};

// Everything one take measures; takes add up to the overall figures.
struct TakeStats {
  int frames = 0;
  ErrorStats ours_all, base_all, ours_common, base_common, ours_filled, ours_single, ours_multi;
  int64_t visible = 0, ours_visible = 0, base_visible = 0, detectable = 0, ours_detectable = 0;
  std::map<int, SegmentLoss> loss;  // by marker id
  double t_track = 0, t_plain = 0, t_render = 0, t_fit = 0;
  int64_t found_track = 0, found_plain = 0;
  int64_t full_frame_passes = 0, lost_passes = 0, roi_passes = 0;
  double searched_pixels = 0;  // fraction x frames
  int64_t rigid_filled = 0, spline_filled = 0;

  void Add(const TakeStats& o) {
    frames += o.frames;
    for (auto [mine, theirs] : {std::pair{&ours_all, &o.ours_all},
                                {&base_all, &o.base_all},
                                {&ours_common, &o.ours_common},
                                {&base_common, &o.base_common},
                                {&ours_filled, &o.ours_filled},
                                {&ours_single, &o.ours_single},
                                {&ours_multi, &o.ours_multi}}) {
      mine->Append(*theirs);
    }
    visible += o.visible, ours_visible += o.ours_visible, base_visible += o.base_visible;
    detectable += o.detectable, ours_detectable += o.ours_detectable;
    for (const auto& [id, l] : o.loss) loss[id].Add(l);
    t_track += o.t_track, t_plain += o.t_plain, t_render += o.t_render, t_fit += o.t_fit;
    found_track += o.found_track, found_plain += o.found_plain;
    full_frame_passes += o.full_frame_passes, lost_passes += o.lost_passes,
        roi_passes += o.roi_passes;
    searched_pixels += o.searched_pixels;
    rigid_filled += o.rigid_filled, spline_filled += o.spline_filled;
  }
};

double Pct(int64_t a, int64_t b) { return 100.0 * a / std::max<int64_t>(1, b); }

// One take of `drill` (good form): one rep, short lead-in, at most `frames`.
TakeStats RunTake(const hl::Rig& rig, double fps, const std::string& drill, int frames,
                  const hl::MarkerSet& set, const hl::ReconstructionOptions& options) {
  const std::vector<Camera>& cams = rig.cameras;
  hl::sim::DrillMotionOptions motion_options;
  motion_options.drill = drill;
  motion_options.reps = 1;
  motion_options.tempo_s = 2.0;
  motion_options.lead_in_s = 0.3;
  motion_options.fps = fps;
  const hl::sim::SimulatedMotion motion =
      hl::sim::SimulateDrill(motion_options, set, hl::sim::Anthropometry());
  frames = std::min<int>(frames, static_cast<int>(motion.frames.size()));
  hl::sim::RenderOptions render;  // default noise, blur and exposure flicker
  render.marker_dictionary = set.dictionary_id;
  std::vector<hl::sim::ViewRenderer> renderers;
  for (const Camera& c : cams) renderers.emplace_back(c, render);

  hl::Reconstructor ours(cams, set, options);
  std::vector<hl::FrameObservations> plain_frames;
  TakeStats st;
  st.frames = frames;
  for (int f = 0; f < frames; ++f) {
    auto t0 = Clock::now();
    const std::vector<cv::Mat> images = hl::sim::RenderViews(renderers, motion.frames[f], f);
    st.t_render += Since(t0);
    t0 = Clock::now();
    ours.AddFrameSet(images);
    st.t_track += Since(t0);
    t0 = Clock::now();
    const hl::FrameDetections plain = PlainDetect(images, set);
    st.t_plain += Since(t0);
    plain_frames.push_back(hl::ToObservations(plain));
    for (const auto& [id, v] : ours.observations().back()) st.found_track += v.size();
    for (const auto& [id, v] : plain_frames.back()) st.found_plain += v.size();
  }
  hl::ReconstructionSummary summary;
  const auto t_fit0 = Clock::now();
  const hl::Trajectories tr = ours.Finish(motion.fps, &summary);
  st.t_fit = Since(t_fit0);
  st.full_frame_passes = summary.tracking.full_frame_passes;
  st.lost_passes = summary.tracking.lost_passes;
  st.roi_passes = summary.tracking.roi_passes;
  st.searched_pixels = summary.tracking.searched_pixel_fraction * frames;
  st.rigid_filled = summary.rigid_filled_samples;
  st.spline_filled = summary.spline_filled_samples;

  const auto seen_by = [](const hl::FrameObservations& obs, int id, int c) {
    const auto it = obs.find(id);
    if (it == obs.end()) return false;
    for (const auto& v : it->second) {
      if (v.camera == c) return true;
    }
    return false;
  };
  for (int f = 0; f < frames; ++f) {
    const auto base = BaselineCentres(cams, plain_frames[f]);
    for (const auto& m : motion.frames[f].markers) {
      const std::string label = "M" + std::to_string(m.id);
      const int tl = motion.truth.LabelIndex(label);
      if (tl < 0 || !motion.truth.at(f, tl).valid()) continue;
      const Eigen::Vector3d truth = motion.truth.at(f, tl).position_m;
      SegmentLoss& sl = st.loss[m.id];
      int n_vis = 0, n_det = 0;
      for (size_t c = 0; c < cams.size(); ++c) {
        const bool vis =
            hl::sim::MarkerSeenBy(cams[c], m, motion.frames[f].occluders, 75 * M_PI / 180);
        const bool det = seen_by(ours.observations()[f], m.id, static_cast<int>(c));
        n_vis += vis ? 1 : 0;
        n_det += det ? 1 : 0;
        if (vis) {
          ++sl.views_visible;
          sl.views_ours += det;
          sl.views_plain += seen_by(plain_frames[f], m.id, static_cast<int>(c));
        }
      }
      const int ol = tr.LabelIndex(label);
      const bool have_ours = ol >= 0 && tr.at(f, ol).valid();
      const auto b = base.find(m.id);
      const bool have_base = b != base.end();
      if (n_vis >= 2) {
        ++st.visible;
        st.ours_visible += have_ours;
        st.base_visible += have_base;
        ++sl.samples_visible;
        sl.samples_detected2 += n_det >= 2;
        sl.samples_ours += have_ours;
        sl.samples_plain += have_base;
        sl.lost_detected2 += n_det >= 2 && !have_ours;
      }
      if (have_base) {
        ++st.detectable;
        st.ours_detectable += have_ours;
      }
      if (have_ours) {
        const hl::Sample& o = tr.at(f, ol);
        const double e = (o.position_m - truth).norm();
        st.ours_all.Add(e);
        (o.flags & hl::Sample::kFilled ? st.ours_filled
         : o.n_cameras == 1            ? st.ours_single
                                       : st.ours_multi)
            .Add(e);
      }
      if (have_base) st.base_all.Add((b->second - truth).norm());
      if (have_ours && have_base) {
        st.ours_common.Add((tr.at(f, ol).position_m - truth).norm());
        st.base_common.Add((b->second - truth).norm());
      }
    }
  }
  return st;
}

void PrintTakeLine(const std::string& drill, const TakeStats& st) {
  std::printf(
      "  %-19s %4d fr | reconstructed %6.2f %% (baseline %6.2f %%) of %5lld | RMS %.3f / %.3f mm "
      "p99 %.3f / %.3f mm | track %.2f ms plain %.2f ms\n",
      drill.c_str(), st.frames, Pct(st.ours_visible, st.visible), Pct(st.base_visible, st.visible),
      static_cast<long long>(st.visible), 1e3 * st.ours_common.Rms(), 1e3 * st.base_common.Rms(),
      1e3 * st.ours_common.P99(), 1e3 * st.base_common.P99(), 1e3 * st.t_track / st.frames,
      1e3 * st.t_plain / st.frames);
  // The markers that lose the most truth-visible samples, and how many.
  std::vector<std::pair<int64_t, int>> lost;
  for (const auto& [id, l] : st.loss) {
    if (l.samples_visible > l.samples_ours)
      lost.emplace_back(l.samples_visible - l.samples_ours, id);
  }
  std::sort(lost.rbegin(), lost.rend());
  if (!lost.empty()) std::printf("  %-19s lost:", "");
  for (size_t i = 0; i < lost.size() && i < 6; ++i) {
    const SegmentLoss& l = st.loss.at(lost[i].second);
    std::printf(" M%d %lld (%lld detected by 2 cameras)", lost[i].second,
                static_cast<long long>(lost[i].first), static_cast<long long>(l.lost_detected2));
  }
  if (!lost.empty()) std::printf("\n");
  std::fflush(stdout);
}

void PrintOverall(const std::string& title, const TakeStats& st, const hl::MarkerSet& set) {
  std::printf("\n== %s: %d frame sets (render %.1f s, not timed below)\n", title.c_str(), st.frames,
              st.t_render);
  std::printf("marker-centre error vs truth (samples both reconstruct, n=%zu):\n",
              st.ours_common.e.size());
  std::printf("  ours      RMS %.3f mm  p99 %.3f mm\n", 1e3 * st.ours_common.Rms(),
              1e3 * st.ours_common.P99());
  std::printf("  baseline  RMS %.3f mm  p99 %.3f mm\n", 1e3 * st.base_common.Rms(),
              1e3 * st.base_common.P99());
  std::printf("  ratio     RMS %.2f  p99 %.2f   (target <= 0.60, <= 0.50; RMS <= 0.3 mm)\n",
              st.ours_common.Rms() / st.base_common.Rms(),
              st.ours_common.P99() / st.base_common.P99());
  std::printf(
      "all samples each reconstructs: ours n=%zu RMS %.3f mm p99 %.3f mm; baseline n=%zu RMS "
      "%.3f mm p99 %.3f mm\n",
      st.ours_all.e.size(), 1e3 * st.ours_all.Rms(), 1e3 * st.ours_all.P99(), st.base_all.e.size(),
      1e3 * st.base_all.Rms(), 1e3 * st.base_all.P99());
  std::printf(
      "ours by kind: seen by >= 2 cameras n=%zu RMS %.3f mm p99 %.3f mm; by 1 camera (rest of "
      "its segment by others) n=%zu RMS %.3f mm p99 %.3f mm; filled (rigid or spline) n=%zu RMS "
      "%.3f mm p99 "
      "%.3f mm\n",
      st.ours_multi.e.size(), 1e3 * st.ours_multi.Rms(), 1e3 * st.ours_multi.P99(),
      st.ours_single.e.size(), 1e3 * st.ours_single.Rms(), 1e3 * st.ours_single.P99(),
      st.ours_filled.e.size(), 1e3 * st.ours_filled.Rms(), 1e3 * st.ours_filled.P99());
  std::printf(
      "reconstructed: of truth-visible samples (>= 2 cameras, facing < 75 deg, unoccluded, "
      "n=%lld): ours %.2f %%, baseline %.2f %% (target >= 99 %%)\n",
      static_cast<long long>(st.visible), Pct(st.ours_visible, st.visible),
      Pct(st.base_visible, st.visible));
  std::printf("               of baseline-reconstructed samples (n=%lld): ours %.2f %%\n",
              static_cast<long long>(st.detectable), Pct(st.ours_detectable, st.detectable));
  std::printf(
      "per segment (truth-visible views: detected by ours / plain; truth-visible samples: "
      "ours detects in >= 2 cameras, ours reconstructs, baseline reconstructs):\n");
  std::map<std::string, SegmentLoss> by_segment;
  for (const auto& [id, l] : st.loss) by_segment[set.Find(id)->segment].Add(l);
  for (const auto& [id, l] : st.loss) by_segment["M" + std::to_string(id)] = l;
  for (const auto& [segment, sl] : by_segment) {
    std::printf(
        "  %-11s views n=%6lld ours %6.2f %% plain %6.2f %% | samples n=%5lld detected2 %6.2f "
        "%% ours %6.2f %% baseline %6.2f %%\n",
        segment.c_str(), static_cast<long long>(sl.views_visible),
        Pct(sl.views_ours, sl.views_visible), Pct(sl.views_plain, sl.views_visible),
        static_cast<long long>(sl.samples_visible), Pct(sl.samples_detected2, sl.samples_visible),
        Pct(sl.samples_ours, sl.samples_visible), Pct(sl.samples_plain, sl.samples_visible));
  }
  std::printf(
      "detection: tracking %.2f ms/frame set, plain full-frame %.2f ms/frame set, speed-up "
      "%.2fx; detections found %lld vs %lld (recall ratio %.4f)\n",
      1e3 * st.t_track / st.frames, 1e3 * st.t_plain / st.frames, st.t_plain / st.t_track,
      static_cast<long long>(st.found_track), static_cast<long long>(st.found_plain),
      static_cast<double>(st.found_track) / std::max<int64_t>(1, st.found_plain));
  std::printf(
      "tracking: %lld full-frame passes (%lld after a lost marker), %lld ROI passes, "
      "%.1f %% of pixels searched\n",
      static_cast<long long>(st.full_frame_passes), static_cast<long long>(st.lost_passes),
      static_cast<long long>(st.roi_passes), 100.0 * st.searched_pixels / st.frames);
  std::printf(
      "whole pipeline (detection + layout learning + fits + gap filling): %.1f fps "
      "(fits %.2f s); %lld rigid-filled, %lld spline-filled\n",
      st.frames / (st.t_track + st.t_fit), st.t_fit, static_cast<long long>(st.rigid_filled),
      static_cast<long long>(st.spline_filled));
}

// Every drill of `drills` on one rig preset: a line per drill, then the
// overall figures over all of them.
void RunRig(const std::string& rig_name, const std::vector<std::string>& drills, int frames,
            const hl::MarkerSet& set, const hl::ReconstructionOptions& options) {
  const hl::Rig rig = hl::sim::MakeRigPreset(rig_name);
  std::printf(
      "\n== %s (%zu x %dx%d), good form, one rep per drill, <= %d frames each: ours / baseline\n",
      rig_name.c_str(), rig.cameras.size(), rig.cameras[0].width, rig.cameras[0].height, frames);
  TakeStats total;
  for (const std::string& drill : drills) {
    const TakeStats st = RunTake(rig, hl::sim::PresetFps(rig_name), drill, frames, set, options);
    PrintTakeLine(drill, st);
    total.Add(st);
  }
  PrintOverall(rig_name + ", every drill above", total, set);
}

// Triangulation + refinement throughput: 4 cameras x 10 markers (dowel 4,
// pelvis 4, knee 2), every marker seen by every camera, 0.2 px noise.
void RunFitBench(int frames, const hl::MarkerSet& set) {
  const std::vector<Camera> cams = hl::sim::MakeRigPreset("studio4").cameras;
  std::vector<hl::RigidBodyLayout> layouts;
  std::mt19937 rng(1);
  std::normal_distribution<double> noise(0.0, 0.2);
  const std::vector<std::pair<std::string, std::vector<int>>> bodies = {
      {"dowel", {0, 1, 2, 3}}, {"pelvis", {10, 11, 12, 13}}, {"knee_left", {20, 21}}};
  for (size_t b = 0; b < bodies.size(); ++b) {
    hl::RigidBodyLayout l;
    l.segment = bodies[b].first;
    for (size_t k = 0; k < bodies[b].second.size(); ++k) {
      const int id = bodies[b].second[k];
      l.ids.push_back(id);
      l.length_m.push_back(set.Find(id)->length_m);
      l.segment_from_marker.push_back(
          hl::Rigid3d(Eigen::Quaterniond(Eigen::AngleAxisd(0.3 * k, Eigen::Vector3d::UnitZ())),
                      Eigen::Vector3d(0.05 * k, 0.02 * k, 0.25 * k)));
    }
    layouts.push_back(l);
  }
  std::vector<hl::FrameObservations> obs(frames);
  for (int f = 0; f < frames; ++f) {
    for (size_t b = 0; b < layouts.size(); ++b) {
      const hl::Rigid3d pose(
          Eigen::Quaterniond(Eigen::AngleAxisd(0.01 * f, Eigen::Vector3d::UnitX())),
          Eigen::Vector3d(0.3 * b - 0.3, 0.001 * f, 0.6));
      for (int k = 0; k < layouts[b].size(); ++k) {
        for (int c = 0; c < 4; ++c) {
          hl::MarkerView v;
          v.camera = c;
          for (int i = 0; i < 4; ++i) {
            Eigen::Vector2d px;
            cams[c].Project(pose * (layouts[b].segment_from_marker[k] *
                                    hl::MarkerCorner(i, layouts[b].length_m[k])),
                            &px);
            v.corners_px[i] = px + Eigen::Vector2d(noise(rng), noise(rng));
          }
          obs[f][layouts[b].ids[k]].push_back(v);
        }
      }
    }
  }
  for (int threads : {1, 2}) {
    hl::ReconstructionOptions options;
    options.threads = threads;
    const auto t0 = Clock::now();
    const hl::Trajectories tr =
        hl::FitTrajectories(cams, set, layouts, obs, 60.0, options, nullptr);
    const double t = Since(t0);
    int valid = 0;
    for (const auto& s : tr.samples()) valid += s.valid();
    std::printf(
        "\ntriangulation + refinement, 4 cameras x 10 markers, %d threads: %.0f frame sets/s "
        "(%d frame sets, %d of %d samples valid; target >= 2000)\n",
        threads, frames / t, frames, valid, frames * 10);
  }
}

}  // namespace

int main(int argc, char** argv) {
  const int frames = argc > 1 ? std::atoi(argv[1]) : 150;
  const std::string rigs = argc > 2 ? argv[2] : "studio4,lab2";
  const std::string drill_arg = argc > 3 ? argv[3] : "all";
  const int fit_frames = argc > 4 ? std::atoi(argv[4]) : 2000;
  const std::filesystem::path set_path =
      std::filesystem::path(__FILE__).parent_path().parent_path() / "data/markersets/default.yml";
  const auto split = [](const std::string& list) {
    std::vector<std::string> out;
    std::stringstream in(list);
    for (std::string item; std::getline(in, item, ',');) out.push_back(item);
    return out;
  };
  try {
    const hl::MarkerSet set = hl::ReadMarkerSet(set_path);
    std::printf("reconstruction bench: OpenCV threads %d\n", cv::getNumThreads());
    if (fit_frames > 0) RunFitBench(fit_frames, set);
    const std::string method = argc > 5 ? argv[5] : "edges";
    const hl::CornerRefinement refinement = method == "subpix"    ? hl::CornerRefinement::kSubpix
                                            : method == "contour" ? hl::CornerRefinement::kContour
                                            : method == "none"    ? hl::CornerRefinement::kNone
                                                                  : hl::CornerRefinement::kEdges;
    hl::ReconstructionOptions options;
    options.detection.refinement = refinement;
    if (argc > 6) options.max_sample_sigma_m = 1e-3 * std::atof(argv[6]);
    std::printf("corner refinement (ours): %s; samples dropped above %.2f mm centre sigma\n",
                method.c_str(), 1e3 * options.max_sample_sigma_m);
    std::vector<std::string> drills;
    if (drill_arg == "all") {
      for (const auto& d : hl::sim::Drills()) drills.push_back(d.id);
    } else {
      drills = split(drill_arg);
    }
    if (frames > 0) {
      for (const std::string& rig : split(rigs)) RunRig(rig, drills, frames, set, options);
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 1;
  }
  return 0;
}
