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
// Usage: reconstruction_bench [frames=240] [rig=studio4] [drill=dowel_hinge]
//        [fitbench_frames=2000] [ours_corners=edges|subpix|contour|none]

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <map>
#include <random>
#include <string>
#include <vector>

#include <opencv2/aruco.hpp>
#include <opencv2/calib3d.hpp>
#include <opencv2/core/utility.hpp>

#include "capture/sim/drills.h"
#include "capture/sim/renderer.h"
#include "capture/sim/rig_presets.h"
#include "core/marker_set.h"
#include "reconstruction/marker_cost_functions.h"
#include "reconstruction/pipeline.h"
#include "reconstruction/triangulation.h"

namespace {

using hl::Camera;
using Clock = std::chrono::steady_clock;

double Since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

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

double SegmentPointDistance(const Eigen::Vector3d& p, const Eigen::Vector3d& a, const Eigen::Vector3d& b) {
  const Eigen::Vector3d ab = b - a;
  const double t = ab.squaredNorm() > 0 ? std::clamp((p - a).dot(ab) / ab.squaredNorm(), 0.0, 1.0) : 0.0;
  return (a + t * ab - p).norm();
}

// Geometric visibility: facing within 75 degrees, inside, no capsule on the ray.
bool Visible(const Camera& cam, const hl::sim::MarkerInstance& m, const hl::sim::SceneFrame& scene) {
  const Eigen::Vector3d centre = cam.CenterInWorld();
  const Eigen::Vector3d normal = m.world_from_marker.rotation * Eigen::Vector3d::UnitZ();
  if (normal.dot((centre - m.world_from_marker.translation).normalized()) < 0.26) return false;
  for (const Eigen::Vector3d& X : hl::sim::MarkerCornersInWorld(m)) {
    Eigen::Vector2d px;
    if (!cam.Project(X, &px) || px.x() < 0 || px.y() < 0 || px.x() > cam.width - 1 ||
        px.y() > cam.height - 1) {
      return false;
    }
    const double len = (X - centre).norm();
    for (double s = 0.0; s < len - 0.006; s += 0.005) {
      const Eigen::Vector3d p = centre + (X - centre) * (s / len);
      for (const auto& c : scene.occluders) {
        if (SegmentPointDistance(p, c.a, c.b) < c.radius_m) return false;
      }
    }
  }
  return true;
}

struct ErrorStats {
  std::vector<double> e;
  void Add(double v) { e.push_back(v); }
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

// Where samples are lost, per segment: views a camera could see (Visible)
// and which detector found them; samples truth says two cameras see, with
// ours detecting them in two or more cameras, and reconstructed.
struct SegmentLoss {
  int64_t views_visible = 0, views_ours = 0, views_plain = 0;
  int64_t samples_visible = 0, samples_detected2 = 0, samples_ours = 0, samples_plain = 0;
};

void RunStudio(const std::string& rig_name, const std::string& drill, int frames, const hl::MarkerSet& set,
               hl::CornerRefinement refinement) {
  const hl::Rig rig = hl::sim::MakeRigPreset(rig_name);
  const std::vector<Camera>& cams = rig.cameras;
  hl::sim::DrillMotionOptions motion_options;
  motion_options.drill = drill;
  motion_options.reps = 2;
  motion_options.fps = hl::sim::PresetFps(rig_name);
  motion_options.num_frames = frames;
  const hl::sim::SimulatedMotion motion = hl::sim::SimulateDrill(motion_options, set, hl::sim::Anthropometry());
  hl::sim::RenderOptions render;  // default noise, blur and exposure flicker
  render.marker_dictionary = set.dictionary_id;
  std::vector<hl::sim::ViewRenderer> renderers;
  for (const Camera& c : cams) renderers.emplace_back(c, render);

  hl::ReconstructionOptions options;
  options.detection.refinement = refinement;
  hl::Reconstructor ours(cams, set, options);
  std::vector<hl::FrameObservations> plain_frames;
  double t_track = 0, t_plain = 0, t_render = 0;
  int64_t found_track = 0, found_plain = 0;
  for (int f = 0; f < frames; ++f) {
    auto t0 = Clock::now();
    const std::vector<cv::Mat> images = hl::sim::RenderViews(renderers, motion.frames[f], f);
    t_render += Since(t0);
    t0 = Clock::now();
    ours.AddFrameSet(images);
    t_track += Since(t0);
    t0 = Clock::now();
    const hl::FrameDetections plain = PlainDetect(images, set);
    t_plain += Since(t0);
    plain_frames.push_back(hl::ToObservations(plain));
    for (const auto& [id, v] : ours.observations().back()) found_track += v.size();
    for (const auto& [id, v] : plain_frames.back()) found_plain += v.size();
  }
  hl::ReconstructionSummary summary;
  const auto t_fit0 = Clock::now();
  const hl::Trajectories tr = ours.Finish(motion.fps, &summary);
  const double t_fit = Since(t_fit0);

  ErrorStats ours_all, base_all, ours_common, base_common, ours_filled, ours_single, ours_multi;
  int64_t visible = 0, ours_visible = 0, base_visible = 0, detectable = 0, ours_detectable = 0;
  std::map<int, SegmentLoss> loss;  // by marker id
  for (int f = 0; f < frames; ++f) {
    const auto base = BaselineCentres(cams, plain_frames[f]);
    for (const auto& m : motion.frames[f].markers) {
      const std::string label = "M" + std::to_string(m.id);
      const int tl = motion.truth.LabelIndex(label);
      if (tl < 0 || !motion.truth.at(f, tl).valid()) continue;
      const Eigen::Vector3d truth = motion.truth.at(f, tl).position_m;
      SegmentLoss& sl = loss[m.id];
      const auto seen_by = [](const hl::FrameObservations& obs, int id, int c) {
        const auto it = obs.find(id);
        if (it == obs.end()) return false;
        for (const auto& v : it->second) {
          if (v.camera == c) return true;
        }
        return false;
      };
      int n_vis = 0, n_det = 0;
      for (size_t c = 0; c < cams.size(); ++c) {
        const bool vis = Visible(cams[c], m, motion.frames[f]);
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
        ++visible;
        ours_visible += have_ours;
        base_visible += have_base;
        ++sl.samples_visible;
        sl.samples_detected2 += n_det >= 2;
        sl.samples_ours += have_ours;
        sl.samples_plain += have_base;
      }
      if (have_base) {
        ++detectable;
        ours_detectable += have_ours;
      }
      if (have_ours) {
        const hl::Sample& o = tr.at(f, ol);
        const double e = (o.position_m - truth).norm();
        ours_all.Add(e);
        (o.flags & hl::Sample::kFilled ? ours_filled : o.n_cameras == 1 ? ours_single : ours_multi).Add(e);
      }
      if (have_base) base_all.Add((b->second - truth).norm());
      if (have_ours && have_base) {
        ours_common.Add((tr.at(f, ol).position_m - truth).norm());
        base_common.Add((b->second - truth).norm());
      }
    }
  }
  std::printf("\n== %s, %s, %d frames of %zu x %dx%d (render %.1f s, not timed below)\n", rig_name.c_str(),
              drill.c_str(), frames, cams.size(), cams[0].width, cams[0].height, t_render);
  std::printf("marker-centre error vs truth (samples both reconstruct, n=%zu):\n", ours_common.e.size());
  std::printf("  ours      RMS %.3f mm  p99 %.3f mm\n", 1e3 * ours_common.Rms(), 1e3 * ours_common.P99());
  std::printf("  baseline  RMS %.3f mm  p99 %.3f mm\n", 1e3 * base_common.Rms(), 1e3 * base_common.P99());
  std::printf("  ratio     RMS %.2f  p99 %.2f   (target <= 0.60, <= 0.50; RMS <= 0.3 mm)\n",
              ours_common.Rms() / base_common.Rms(), ours_common.P99() / base_common.P99());
  std::printf("all samples each reconstructs: ours n=%zu RMS %.3f mm p99 %.3f mm; baseline n=%zu RMS "
              "%.3f mm p99 %.3f mm\n",
              ours_all.e.size(), 1e3 * ours_all.Rms(), 1e3 * ours_all.P99(), base_all.e.size(),
              1e3 * base_all.Rms(), 1e3 * base_all.P99());
  std::printf("ours by kind: seen by >= 2 cameras n=%zu RMS %.3f mm p99 %.3f mm; by 1 camera (rest of "
              "its segment by others) n=%zu RMS %.3f mm p99 %.3f mm; filled (rigid or spline) n=%zu RMS %.3f mm p99 "
              "%.3f mm\n",
              ours_multi.e.size(), 1e3 * ours_multi.Rms(), 1e3 * ours_multi.P99(), ours_single.e.size(),
              1e3 * ours_single.Rms(), 1e3 * ours_single.P99(), ours_filled.e.size(),
              1e3 * ours_filled.Rms(), 1e3 * ours_filled.P99());
  std::printf("reconstructed: of truth-visible samples (>= 2 cameras, facing < 75 deg, unoccluded, "
              "n=%lld): ours %.2f %%, baseline %.2f %%\n",
              static_cast<long long>(visible), 100.0 * ours_visible / std::max<int64_t>(1, visible),
              100.0 * base_visible / std::max<int64_t>(1, visible));
  std::printf("               of baseline-reconstructed samples (n=%lld): ours %.2f %%\n",
              static_cast<long long>(detectable), 100.0 * ours_detectable / std::max<int64_t>(1, detectable));
  std::printf("per segment (truth-visible views: detected by ours / plain; truth-visible samples: "
              "ours detects in >= 2 cameras, ours reconstructs, baseline reconstructs):\n");
  const auto pct = [](int64_t a, int64_t b) { return 100.0 * a / std::max<int64_t>(1, b); };
  std::map<std::string, SegmentLoss> by_segment;
  for (const auto& [id, l] : loss) {
    SegmentLoss& t = by_segment[set.Find(id)->segment];
    t.views_visible += l.views_visible, t.views_ours += l.views_ours, t.views_plain += l.views_plain;
    t.samples_visible += l.samples_visible, t.samples_detected2 += l.samples_detected2;
    t.samples_ours += l.samples_ours, t.samples_plain += l.samples_plain;
  }
  for (const auto& [id, l] : loss) by_segment["M" + std::to_string(id)] = l;
  for (const auto& [segment, sl] : by_segment) {
    std::printf("  %-11s views n=%6lld ours %6.2f %% plain %6.2f %% | samples n=%5lld detected2 %6.2f "
                "%% ours %6.2f %% baseline %6.2f %%\n",
                segment.c_str(), static_cast<long long>(sl.views_visible), pct(sl.views_ours, sl.views_visible),
                pct(sl.views_plain, sl.views_visible), static_cast<long long>(sl.samples_visible),
                pct(sl.samples_detected2, sl.samples_visible), pct(sl.samples_ours, sl.samples_visible),
                pct(sl.samples_plain, sl.samples_visible));
  }
  std::printf("detection: tracking %.2f ms/frame set, plain full-frame %.2f ms/frame set, speed-up "
              "%.2fx; detections found %lld vs %lld (recall ratio %.4f)\n",
              1e3 * t_track / frames, 1e3 * t_plain / frames, t_plain / t_track,
              static_cast<long long>(found_track), static_cast<long long>(found_plain),
              static_cast<double>(found_track) / std::max<int64_t>(1, found_plain));
  std::printf("tracking: %lld full-frame passes (%lld after a lost marker), %lld ROI passes, "
              "%.1f %% of pixels searched\n",
              static_cast<long long>(summary.tracking.full_frame_passes),
              static_cast<long long>(summary.tracking.lost_passes),
              static_cast<long long>(summary.tracking.roi_passes),
              100.0 * summary.tracking.searched_pixel_fraction);
  std::printf("whole pipeline (detection + layout learning + fits + gap filling): %.1f fps "
              "(fits %.2f s); median residual %.3f px; %lld rigid-filled, %lld spline-filled\n",
              frames / (t_track + t_fit), t_fit, summary.median_residual_px,
              static_cast<long long>(summary.rigid_filled_samples),
              static_cast<long long>(summary.spline_filled_samples));
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
      l.segment_from_marker.push_back(hl::Rigid3d(
          Eigen::Quaterniond(Eigen::AngleAxisd(0.3 * k, Eigen::Vector3d::UnitZ())),
          Eigen::Vector3d(0.05 * k, 0.02 * k, 0.25 * k)));
    }
    layouts.push_back(l);
  }
  std::vector<hl::FrameObservations> obs(frames);
  for (int f = 0; f < frames; ++f) {
    for (size_t b = 0; b < layouts.size(); ++b) {
      const hl::Rigid3d pose(Eigen::Quaterniond(Eigen::AngleAxisd(0.01 * f, Eigen::Vector3d::UnitX())),
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
    const hl::Trajectories tr = hl::FitTrajectories(cams, set, layouts, obs, 60.0, options, nullptr);
    const double t = Since(t0);
    int valid = 0;
    for (const auto& s : tr.samples()) valid += s.valid();
    std::printf("\ntriangulation + refinement, 4 cameras x 10 markers, %d threads: %.0f frame sets/s "
                "(%d frame sets, %d of %d samples valid; target >= 2000)\n",
                threads, frames / t, frames, valid, frames * 10);
  }
}

}  // namespace

int main(int argc, char** argv) {
  const int frames = argc > 1 ? std::atoi(argv[1]) : 240;
  const std::string rig = argc > 2 ? argv[2] : "studio4";
  const std::string drill = argc > 3 ? argv[3] : "dowel_hinge";
  const int fit_frames = argc > 4 ? std::atoi(argv[4]) : 2000;
  const std::filesystem::path set_path =
      std::filesystem::path(__FILE__).parent_path().parent_path() / "data/markersets/default.yml";
  try {
    const hl::MarkerSet set = hl::ReadMarkerSet(set_path);
    std::printf("reconstruction bench: OpenCV threads %d\n", cv::getNumThreads());
    RunFitBench(fit_frames, set);
    const std::string method = argc > 5 ? argv[5] : "edges";
    const hl::CornerRefinement refinement = method == "subpix"    ? hl::CornerRefinement::kSubpix
                                            : method == "contour" ? hl::CornerRefinement::kContour
                                            : method == "none"    ? hl::CornerRefinement::kNone
                                                                  : hl::CornerRefinement::kEdges;
    std::printf("corner refinement (ours): %s\n", method.c_str());
    if (frames > 0) RunStudio(rig, drill, frames, set, refinement);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 1;
  }
  return 0;
}
