// Renders a simulated take: 300 frames x 4 cameras of studio4 at 1080p, a
// body hinging with the default marker set (dowel, pelvis, knees, head,
// thorax, feet) and its capsules, default RenderOptions (blur, noise, exposure
// variation), cameras rendered in parallel.
//
// Prints the wall time of the take, the single-thread time per view, and the
// ratio against a baseline measured in the same run on the same frames: each
// marker texture cv::warpPerspective'd into a full frame and composited,
// capsules drawn as thick lines, then cv::remap for the lens distortion (the
// usual quick way to fake a camera, without exact per-pixel distortion).
//
// Usage: simulate_bench [frames]   (default 300)

#include <chrono>
#include <cmath>
#include <ctime>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

#include "capture/sim/body.h"
#include "capture/sim/mounts.h"
#include "capture/sim/renderer.h"
#include "capture/sim/rig_presets.h"
#include "capture/sim/textures.h"
#include "core/marker_set.h"

namespace {

using Clock = std::chrono::steady_clock;
double Seconds(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}
// Process CPU seconds: on a shared machine the wall clock also counts other
// processes, the CPU clock only ours.
double CpuSeconds(std::clock_t c0) { return static_cast<double>(std::clock() - c0) / CLOCKS_PER_SEC; }

// The default studio marker set (data/markersets/default.yml), built here so
// the benchmark needs no files.
hl::MarkerSet DefaultMarkerSet() {
  hl::MarkerSet set;
  set.dictionary_name = "DICT_4X4_50";
  set.dictionary_id = cv::aruco::DICT_4X4_50;
  set.default_length_m = 0.05;
  auto add = [&](int id, const char* segment, double length_m) {
    set.markers.push_back(hl::MarkerSpec{id, segment, length_m});
  };
  for (int id = 0; id < 8; ++id) add(id, "dowel", 0.04);
  for (int id = 10; id < 14; ++id) add(id, "pelvis", 0.05);
  add(20, "knee_left", 0.035);
  add(21, "knee_left", 0.035);
  add(22, "knee_right", 0.035);
  add(23, "knee_right", 0.035);
  add(30, "head", 0.05);
  add(31, "thorax", 0.05);
  add(32, "thorax", 0.05);
  add(40, "foot_left", 0.05);
  add(41, "foot_right", 0.05);
  return set;
}

// Two hip-hinge reps with the dowel on the back, 60 fps.
std::vector<hl::sim::SceneFrame> HingeTake(int frames) {
  using namespace hl::sim;
  const Anthropometry body;
  const MountOptions mount;
  const hl::MarkerSet set = DefaultMarkerSet();
  const std::array<double, 2> grips = DowelGrips(body, mount);
  std::vector<SceneFrame> out;
  for (int f = 0; f < frames; ++f) {
    const double t = f / 60.0;
    const double hinge = 0.6 * (1 - std::cos(2 * M_PI * t / 2.5)) / 2;  // 0 .. 0.6 rad
    Pose pose;
    pose.root_m = Eigen::Vector3d(-0.12 * hinge, 0, body.m(body.ankle_height + body.shank_length +
                                                          body.thigh_length) - 0.03 * hinge);
    pose.pelvis_tilt = hinge;
    for (int s = 0; s < 2; ++s) {
      pose.hip_flexion[s] = hinge + 0.15 * hinge;
      pose.knee_flexion[s] = 0.3 * hinge;
      pose.ankle_dorsiflexion[s] = 0.15 * hinge;
    }
    BodyFrames frames_world = ForwardKinematics(pose, body);
    Props props;
    props.dowel = true;
    props.world_from_dowel = DowelInWorld(frames_world, body, mount);
    for (int s = 0; s < 2; ++s) {
      const Eigen::Vector3d grip = props.world_from_dowel * Eigen::Vector3d(0, 0, grips[s]);
      PlaceArm(static_cast<Side>(s), grip, Eigen::Vector3d(-1, s == 0 ? 1 : -1, 0), body,
               &frames_world);
    }
    SceneFrame scene;
    scene.time_s = t;
    scene.markers = MountMarkers(set, frames_world, body, props, mount);
    scene.occluders = BodyCapsules(frames_world, body);
    const std::vector<Capsule> prop_capsules = PropCapsules(props, mount);
    scene.occluders.insert(scene.occluders.end(), prop_capsules.begin(), prop_capsules.end());
    out.push_back(std::move(scene));
  }
  return out;
}

// The baseline camera: markers warped with a homography (no distortion) into
// full frames, capsules as thick lines, then the whole frame remapped through
// the distortion. `map_x`/`map_y` are the per-camera remap tables.
cv::Mat BaselineView(const hl::Camera& camera, const hl::sim::SceneFrame& scene,
                     const cv::Mat& background, const cv::Mat& map_x, const cv::Mat& map_y) {
  cv::Mat ideal = background.clone();
  auto pinhole = [&](const Eigen::Vector3d& p_world, cv::Point2f* out) {
    const Eigen::Vector3d p = camera.cam_from_world * p_world;
    if (p.z() <= 0.05) return false;
    *out = cv::Point2f(static_cast<float>(camera.fx * p.x() / p.z() + camera.cx),
                       static_cast<float>(camera.fy * p.y() / p.z() + camera.cy));
    return true;
  };
  for (const hl::sim::Capsule& c : scene.occluders) {
    cv::Point2f a, b;
    const Eigen::Vector3d mid = (c.a + c.b) / 2;
    if (!pinhole(c.a, &a) || !pinhole(c.b, &b)) continue;
    const double depth = (camera.cam_from_world * mid).z();
    cv::line(ideal, a, b, cv::Scalar(c.gray),
             std::max(1, static_cast<int>(2 * c.radius_m * camera.fx / depth)), cv::LINE_AA);
  }
  for (const hl::sim::MarkerInstance& m : scene.markers) {
    const cv::Mat texture = hl::sim::MarkerPyramid(cv::aruco::DICT_4X4_50, m.id, 32)->levels[0];
    const double h = hl::sim::MarkerQuadSide(cv::aruco::DICT_4X4_50, m.length_m) / 2;
    const Eigen::Vector3d local[4] = {{-h, h, 0}, {h, h, 0}, {h, -h, 0}, {-h, -h, 0}};
    std::vector<cv::Point2f> dst(4);
    bool ok = true;
    for (int k = 0; k < 4; ++k) ok = ok && pinhole(m.world_from_marker * local[k], &dst[k]);
    if (!ok) continue;
    const float s = static_cast<float>(texture.cols);
    const std::vector<cv::Point2f> src = {{0, 0}, {s, 0}, {s, s}, {0, s}};
    const cv::Mat homography = cv::getPerspectiveTransform(src, dst);
    cv::Mat warped, mask;
    cv::warpPerspective(texture, warped, homography, ideal.size(), cv::INTER_LINEAR);
    cv::warpPerspective(cv::Mat(texture.size(), CV_8UC1, cv::Scalar(255)), mask, homography,
                        ideal.size(), cv::INTER_NEAREST);
    warped.copyTo(ideal, mask);
  }
  cv::Mat out;
  cv::remap(ideal, out, map_x, map_y, cv::INTER_LINEAR);
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  const int frames = argc > 1 ? std::max(1, std::atoi(argv[1])) : 300;
  const hl::Rig rig = hl::sim::MakeRigPreset("studio4");
  const hl::sim::RenderOptions options;

  auto t0 = Clock::now();
  const std::vector<hl::sim::SceneFrame> take = HingeTake(frames);
  const double scene_s = Seconds(t0);
  size_t markers = 0, capsules = 0;
  for (const auto& f : take) markers += f.markers.size(), capsules += f.occluders.size();

  t0 = Clock::now();
  std::vector<hl::sim::ViewRenderer> renderers;
  for (const hl::Camera& camera : rig.cameras) renderers.emplace_back(camera, options);
  const double setup_s = Seconds(t0);

  // The take, cameras in parallel on every core OpenCV was given.
  t0 = Clock::now();
  std::clock_t c0 = std::clock();
  double checksum = 0;
  for (int f = 0; f < frames; ++f) {
    const std::vector<cv::Mat> views = hl::sim::RenderViews(renderers, take[f], f);
    checksum += cv::mean(views[0])[0];
  }
  const double take_s = Seconds(t0);
  const double take_cpu_s = CpuSeconds(c0);

  // Single-thread cost per view, ours and the baseline's, on the same frames.
  const int sample = std::min(frames, 20);
  const int step = std::max(1, frames / sample);
  cv::setNumThreads(1);
  t0 = Clock::now();
  c0 = std::clock();
  int views_timed = 0;
  for (int f = 0; f < frames && views_timed < sample * 4; f += step) {
    for (const auto& r : renderers) checksum += cv::mean(r.Render(take[f], f))[0], ++views_timed;
  }
  const double ours_ms = Seconds(t0) * 1000 / views_timed;
  const double ours_cpu_ms = CpuSeconds(c0) * 1000 / views_timed;

  std::vector<cv::Mat> map_x(rig.cameras.size()), map_y(rig.cameras.size());
  for (size_t c = 0; c < rig.cameras.size(); ++c) {
    const hl::Camera& camera = rig.cameras[c];
    cv::initUndistortRectifyMap(camera.CameraMatrix(), camera.DistCoeffs(), cv::Mat(),
                                camera.CameraMatrix(), cv::Size(camera.width, camera.height),
                                CV_32FC1, map_x[c], map_y[c]);
  }
  t0 = Clock::now();
  c0 = std::clock();
  int baseline_views = 0;
  for (int f = 0; f < frames && baseline_views < sample * 4; f += step) {
    for (size_t c = 0; c < rig.cameras.size(); ++c, ++baseline_views) {
      checksum += cv::mean(BaselineView(rig.cameras[c], take[f], renderers[c].background(),
                                        map_x[c], map_y[c]))[0];
    }
  }
  const double baseline_ms = Seconds(t0) * 1000 / baseline_views;
  const double baseline_cpu_ms = CpuSeconds(c0) * 1000 / baseline_views;

  std::printf("simulate_bench: %d frames x %zu cameras %dx%d, %.1f markers and %.1f capsules "
              "per frame (scene built in %.2f s)\n",
              frames, rig.cameras.size(), rig.cameras[0].width, rig.cameras[0].height,
              static_cast<double>(markers) / frames, static_cast<double>(capsules) / frames,
              scene_s);
  std::printf("  per-camera setup (rays, background): %.2f s total\n", setup_s);
  std::printf("  take: %.2f s wall, %.2f s CPU (%.1f ms wall per frame of %zu views); with the "
              "setup %.2f s wall (target < 60 s for 300 frames)\n",
              take_s, take_cpu_s, take_s * 1000 / frames, rig.cameras.size(), setup_s + take_s);
  std::printf("  one thread, per view: %.1f ms wall, %.1f ms CPU (exact ray cast, supersampling "
              "%d) vs baseline %.1f ms wall, %.1f ms CPU (warpPerspective + remap): ratio %.2fx "
              "of the baseline's CPU time\n",
              ours_ms, ours_cpu_ms, options.supersampling, baseline_ms, baseline_cpu_ms,
              ours_cpu_ms / baseline_cpu_ms);
  std::printf("  (checksum %.1f)\n", checksum);
  return 0;
}
