// 1. Speed: rig bundle adjustment of 8 cameras x 300 board placements
//    (synthetic), beside OpenCV's cv::stereoCalibrate on one camera pair of
//    the same data, measured in the same run. The ratio says how many stereo
//    pairs' worth of time the whole-rig solve costs; a rig needs at least 7
//    pairs chained.
// 2. Accuracy on rendered images: each rig preset's calibration take
//    rendered at full resolution, calibrated with true / estimated / refined
//    intrinsics, clean and with 10 % of the views corrupted, against truth.
//
// 3. ChArUco corner accuracy (`corners`): the waved frames of each preset's
//    take rendered once, detected with OpenCV's refinement and with the
//    X-corner disc (calibration/xcorner.h), each corner against its true
//    projection: is the error a bias (a mean along the board's axes, per
//    corner id, per view angle) or zero-mean noise?
//
//    Also the X-corner refinement's cost per view beside OpenCV's
//    interpolateCornersCharuco on the same views.
// 4. The real tutorial photos (`real`, ../shared/data/real/aruco/img_00..03):
//    corners per view with each refinement, the X-corner fit (disc radius,
//    blur, residual), both calibrations and leave-one-view-out error (the
//    held-out view's corners predicted with the other three's intrinsics),
//    and the refinement cost.
//
// Usage: calibration_bench [speed] [rendered] [corners] [real] [PRESET...] [--frames N]
// [--seed S] [--close F] [--tilt DEG] [--interval N] [--opencv-corners]

#include <chrono>
#include <cstdio>
#include <map>
#include <set>
#include <string>
#include <vector>

#include <algorithm>

#include <opencv2/calib3d.hpp>
#include <opencv2/imgcodecs.hpp>

#include "calibration/intrinsics.h"
#include "calibration/rig_calibration.h"
#include "calibration/sim_calibration.h"
#include "calibration/synthetic_rig.h"
#include "capture/sim/calibration_scene.h"
#include "capture/sim/renderer.h"
#include "capture/sim/rig_presets.h"

namespace {

double Seconds(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

void BundleAdjustmentSpeed() {
  const hl::Board board(hl::ParseBoardSpec("charuco:8x6:0.09:0.07:DICT_5X5_100"));
  hl::SyntheticRigOptions options;
  options.num_cameras = 8;
  options.num_frames = 300;
  options.seed = 11;
  const hl::SyntheticRig data = hl::SynthesizeRig(board, options);
  std::vector<hl::Camera> cameras = data.cameras;
  for (auto& c : cameras) c.cam_from_world = hl::Rigid3d();

  auto start = std::chrono::steady_clock::now();
  hl::RigCalibrator calibrator{hl::RigCalibrationOptions()};
  calibrator.Solve(board, data.views, &cameras);
  const double rig_s = Seconds(start);

  // The views of cameras 0 and 1 in the frames both saw, intrinsics fixed.
  std::map<int, const hl::RigView*> cam0;
  for (const auto& v : data.views) {
    if (v.camera == 0) cam0[v.frame] = &v;
  }
  std::vector<std::vector<cv::Point3f>> object;
  std::vector<std::vector<cv::Point2f>> image0, image1;
  for (const auto& v : data.views) {
    // OpenCV has no outlier rejection: give it only clean views.
    if (v.camera != 1 || cam0.count(v.frame) == 0 || data.corrupted.count({0, v.frame}) ||
        data.corrupted.count({1, v.frame})) {
      continue;
    }
    const hl::RigView& a = *cam0[v.frame];
    std::map<int, Eigen::Vector2d> in_a;
    for (size_t k = 0; k < a.ids.size(); ++k) in_a[a.ids[k]] = a.corners[k];
    std::vector<cv::Point3f> obj;
    std::vector<cv::Point2f> p0, p1;
    for (size_t k = 0; k < v.ids.size(); ++k) {
      const auto it = in_a.find(v.ids[k]);
      if (it == in_a.end()) continue;
      const Eigen::Vector3d& x = board.CornerInBoard(v.ids[k]);
      obj.emplace_back(static_cast<float>(x.x()), static_cast<float>(x.y()), 0.f);
      p0.emplace_back(static_cast<float>(it->second.x()), static_cast<float>(it->second.y()));
      p1.emplace_back(static_cast<float>(v.corners[k].x()), static_cast<float>(v.corners[k].y()));
    }
    if (obj.size() < 6) continue;
    object.push_back(obj);
    image0.push_back(p0);
    image1.push_back(p1);
  }
  cv::Mat k0 = data.cameras[0].CameraMatrix(), d0 = data.cameras[0].DistCoeffs();
  cv::Mat k1 = data.cameras[1].CameraMatrix(), d1 = data.cameras[1].DistCoeffs();
  cv::Mat r, t, e, f;
  start = std::chrono::steady_clock::now();
  const double stereo_rms = cv::stereoCalibrate(object, image0, image1, k0, d0, k1, d1,
                                                cv::Size(options.width, options.height), r, t, e, f,
                                                cv::CALIB_FIX_INTRINSIC);
  const double stereo_s = Seconds(start);

  std::printf(
      "rig bundle adjustment: %d cameras, %d frames, %d views used, %zu rejected: %.3f s, "
      "RMS %.3f px\n",
      options.num_cameras, options.num_frames, calibrator.num_views_used(),
      calibrator.rejected().size(), rig_s, calibrator.rms_px());
  std::printf(
      "cv::stereoCalibrate (cam0-cam1, %zu shared views, fixed intrinsics): %.3f s, RMS %.3f px\n",
      object.size(), stereo_s, stereo_rms);
  std::printf("ratio rig / one stereo pair: %.2f\n", rig_s / stereo_s);
}

void RenderedAccuracy(const std::string& preset, hl::sim::CalibrationSceneOptions scene,
                      const hl::BoardDetectionOptions& detection) {
  const int frames = scene.frames;
  scene.floor_frames = 1;
  const hl::RenderedCalibration take = hl::RenderCalibrationTake(
      hl::sim::MakeRigPreset(preset), scene, hl::sim::RenderOptions(), detection);
  std::printf(
      "%s: %d frames rendered x %zu cameras in %.1f s: %zu views accepted (%d with corners "
      "rejected), %zu floor views; noise floor (detected vs true corners) %.4f px RMS, max %.3f "
      "px\n",
      preset.c_str(), frames + 1, take.truth_rig.cameras.size(), take.render_seconds,
      take.views.size(), take.rejected_with_corners, take.floor_views.size(), take.noise_floor_px,
      take.max_corner_error_px);
  const hl::Board board(hl::ParseBoardSpec(take.truth.board.ToString()));
  for (size_t c = 0; c < take.truth_rig.cameras.size(); ++c) {
    const hl::Camera& t = take.truth_rig.cameras[c];
    const hl::IntrinsicsResult r = hl::CalibrateIntrinsics(
        board, take.per_camera[c], cv::Size(t.width, t.height), hl::IntrinsicsOptions(), t.name);
    std::printf(
        "  intrinsics %s: %zu views, %d corners dropped, RMS %.3f px, coverage %.0f %%: fx %+.2f "
        "fy %+.2f cx "
        "%+.2f cy %+.2f px, k1 %+.4f k2 %+.4f off truth\n",
        t.name.c_str(), r.used_views.size(), r.corners_dropped, r.rms_px, 100 * r.coverage,
        r.camera.fx - t.fx, r.camera.fy - t.fy, r.camera.cx - t.cx, r.camera.cy - t.cy,
        r.camera.dist[0] - t.dist[0], r.camera.dist[1] - t.dist[1]);
  }
  using Mode = hl::SimCalibrationOptions::Intrinsics;
  const std::pair<Mode, const char*> modes[] = {{Mode::kTruth, "true intrinsics"},
                                                {Mode::kEstimated, "estimated intrinsics"},
                                                {Mode::kRefined, "refined intrinsics"}};
  for (double corrupt : {0.0, 0.1}) {
    for (const auto& [mode, name] : modes) {
      hl::SimCalibrationOptions options;
      options.intrinsics = mode;
      options.corrupt_fraction = corrupt;
      const hl::SimCalibrationResult r = hl::CalibrateRenderedTake(take, options);
      std::printf("  %s, %.0f %% corrupted: RMS / true-camera RMS %.3f; %s\n", name, 100 * corrupt,
                  r.rms_px / r.true_fit_rms_px, r.Summary().c_str());
    }
  }
}

// One detected corner against its true projection.
struct CornerRecord {
  int id = 0;
  Eigen::Vector2d error;           // detected - true, pixels
  Eigen::Vector2d along_board;     // error on the image directions of board x and y
  double along_small_white = 0.0;  // error towards the smaller-looking white square
  double along_small_black = 0.0;  // error towards the smaller-looking black square
  double view_angle_deg = 0.0;     // board normal vs the ray to the corner
  double square_px = 0.0;          // apparent square side
};

struct CornerStats {
  std::vector<CornerRecord> records;
  std::vector<std::vector<size_t>> per_view;  // indices into records
  int dropped = 0;
};

void PrintCornerStats(const char* name, const CornerStats& s) {
  const size_t n = s.records.size();
  if (n == 0) {
    std::printf("  %s: no corners\n", name);
    return;
  }
  Eigen::Vector2d mean = Eigen::Vector2d::Zero(), mean_board = Eigen::Vector2d::Zero();
  Eigen::Vector2d sq_board = Eigen::Vector2d::Zero();
  double sum_sq = 0, white = 0, black = 0, max_error = 0;
  std::map<int, std::pair<Eigen::Vector2d, int>> per_id;
  for (const CornerRecord& r : s.records) {
    mean += r.error;
    mean_board += r.along_board;
    sq_board += r.along_board.cwiseAbs2();
    sum_sq += r.error.squaredNorm();
    white += r.along_small_white;
    black += r.along_small_black;
    max_error = std::max(max_error, r.error.norm());
    auto& [sum, count] = per_id[r.id];
    if (count == 0) sum.setZero();
    sum += r.along_board;
    ++count;
  }
  const double dn = static_cast<double>(n);
  // Part of the error a per-corner-id constant explains, and what is left
  // once each view's mean is removed (a board pose absorbs a shift).
  double id_sq = 0;
  for (const auto& [id, sc] : per_id) id_sq += (sc.first / sc.second).squaredNorm() * sc.second;
  double view_centred_sq = 0;
  for (const auto& idx : s.per_view) {
    Eigen::Vector2d m = Eigen::Vector2d::Zero();
    for (size_t i : idx) m += s.records[i].error;
    m /= static_cast<double>(idx.size());
    for (size_t i : idx) view_centred_sq += (s.records[i].error - m).squaredNorm();
  }
  std::printf(
      "  %s: %zu corners in %zu views (%d dropped): RMS %.4f px, max %.3f; mean %+.4f %+.4f px; "
      "on board axes mean %+.4f %+.4f, RMS %.4f %.4f; towards the smaller white square %+.4f, "
      "smaller black %+.4f; RMS of per-id means %.4f (%zu ids); RMS minus each view's mean "
      "%.4f\n",
      name, n, s.per_view.size(), s.dropped, std::sqrt(sum_sq / dn), max_error, mean.x() / dn,
      mean.y() / dn, mean_board.x() / dn, mean_board.y() / dn, std::sqrt(sq_board.x() / dn),
      std::sqrt(sq_board.y() / dn), white / dn, black / dn, std::sqrt(id_sq / dn), per_id.size(),
      std::sqrt(view_centred_sq / dn));
  auto binned = [&](const char* what, const std::vector<double>& edges, auto value) {
    std::printf("    by %s:", what);
    for (size_t b = 0; b + 1 < edges.size(); ++b) {
      double sq = 0, w = 0;
      int count = 0;
      for (const CornerRecord& r : s.records) {
        const double v = value(r);
        if (v < edges[b] || v >= edges[b + 1]) continue;
        sq += r.error.squaredNorm();
        w += r.along_small_white;
        ++count;
      }
      if (count == 0) continue;
      std::printf(" [%g,%g) n %d RMS %.3f white %+.3f;", edges[b], edges[b + 1], count,
                  std::sqrt(sq / count), w / count);
    }
    std::printf("\n");
  };
  binned("view angle deg", {0, 15, 30, 45, 60, 90},
         [](const CornerRecord& r) { return r.view_angle_deg; });
  binned("square px", {0, 40, 60, 80, 120, 1000},
         [](const CornerRecord& r) { return r.square_px; });
}

void AddCorners(const hl::Board& board, const hl::BoardView& view, const hl::Camera& camera,
                const hl::Rigid3d& world_from_board, CornerStats* stats) {
  if (!view.accepted) return;
  stats->dropped += view.corners_dropped;
  const double s = board.spec().square_m;
  auto project = [&](const Eigen::Vector3d& in_board) {
    Eigen::Vector2d px;
    if (!camera.Project(world_from_board * in_board, &px)) px.setConstant(NAN);
    return px;
  };
  const Eigen::Vector3d normal_in_world = world_from_board.rotation * board.BoardFaceNormal();
  std::vector<size_t> indices;
  for (size_t k = 0; k < view.ids.size(); ++k) {
    const Eigen::Vector3d x = board.CornerInBoard(view.ids[k]);
    const Eigen::Vector2d truth = project(x);
    if (!truth.allFinite()) continue;
    CornerRecord r;
    r.id = view.ids[k];
    r.error = view.corners[k] - truth;
    const Eigen::Vector2d ax = (project(x + Eigen::Vector3d(1e-3, 0, 0)) - truth).normalized();
    const Eigen::Vector2d ay = (project(x + Eigen::Vector3d(0, 1e-3, 0)) - truth).normalized();
    r.along_board = Eigen::Vector2d(r.error.dot(ax), r.error.dot(ay));
    // OpenCV's ChArUco: square (i, j) is black when i and j have the same
    // parity; this corner joins squares (i..i+1, j..j+1).
    const int i = static_cast<int>(std::lround(x.x() / s)) - 1;
    const int j = static_cast<int>(std::lround(x.y() / s)) - 1;
    auto square_centre = [&](int di, int dj) {
      return project(Eigen::Vector3d((i + di + 0.5) * s, (j + dj + 0.5) * s, 0));
    };
    auto towards_smaller = [&](int di0, int dj0, int di1, int dj1) {
      const Eigen::Vector2d a = square_centre(di0, dj0) - truth;
      const Eigen::Vector2d b = square_centre(di1, dj1) - truth;
      const Eigen::Vector2d small = a.norm() < b.norm() ? a : b;
      return r.error.dot(small.normalized());
    };
    const bool same_parity_black = (i % 2) == (j % 2);  // squares (i, j), (i+1, j+1)
    const double diag = towards_smaller(0, 0, 1, 1), anti = towards_smaller(1, 0, 0, 1);
    r.along_small_black = same_parity_black ? diag : anti;
    r.along_small_white = same_parity_black ? anti : diag;
    const Eigen::Vector3d ray = (world_from_board * x - camera.CenterInWorld()).normalized();
    r.view_angle_deg = std::acos(std::min(1.0, std::abs(ray.dot(normal_in_world)))) * 180 / M_PI;
    r.square_px = 0.5 * ((project(x + Eigen::Vector3d(s, 0, 0)) - truth).norm() +
                         (project(x + Eigen::Vector3d(0, s, 0)) - truth).norm());
    indices.push_back(stats->records.size());
    stats->records.push_back(r);
  }
  if (!indices.empty()) stats->per_view.push_back(std::move(indices));
}

// Cost of the corner refinements, from the X-corner detections' own timers
// (the interpolation runs first in the same call, on the same markers).
struct RefinementCost {
  double interpolate_ms = 0, xcorner_ms = 0;
  int views = 0, corners = 0;
  std::vector<double> blur_px, residual, radius_px;

  void Add(const hl::BoardView& v) {
    if (v.ids.empty() && v.corners_dropped == 0) return;
    interpolate_ms += v.interpolate_ms;
    xcorner_ms += v.xcorner_ms;
    ++views;
    corners += static_cast<int>(v.ids.size()) + v.corners_dropped;
    for (const hl::XCornerFit& f : v.xcorner_fits) {
      blur_px.push_back(f.blur_px);
      residual.push_back(f.residual);
      radius_px.push_back(f.radius_px);
    }
  }
  static double Median(std::vector<double> v) {
    if (v.empty()) return NAN;
    std::nth_element(v.begin(), v.begin() + v.size() / 2, v.end());
    return v[v.size() / 2];
  }
  void Print() const {
    if (views == 0) return;
    const double floor = hl::XCornerOptions().min_blur_px;
    const auto at_floor =
        std::count_if(blur_px.begin(), blur_px.end(), [&](double b) { return b <= floor + 1e-6; });
    std::printf(
        "  refinement cost over %d views (%d corners): X-corner %.2f ms per view, OpenCV "
        "interpolateCornersCharuco %.2f ms per view, ratio %.1f; X-corner fit medians: radius "
        "%.2f px, blur %.3f px (%.0f %% at the %.3f px floor), residual/contrast %.3f\n",
        views, corners, xcorner_ms / views, interpolate_ms / views, xcorner_ms / interpolate_ms,
        Median(radius_px), Median(blur_px), 100.0 * at_floor / std::max<size_t>(blur_px.size(), 1),
        floor, Median(residual));
  }
};

void RealPhotos() {
  const hl::Board board(hl::ParseBoardSpec("charuco:5x7:0.04:0.02:DICT_6X6_250"));
  const std::string dir = std::string(HL_SHARED_DIR) + "/data/real/aruco/";
  constexpr double kPublished[4] = {452.51, 456.77, 317.70, 277.75};
  hl::BoardDetectionOptions opencv_options, xcorner_options, low_floor;
  opencv_options.charuco_xcorner = false;
  low_floor.xcorner.min_blur_px = 0.05;  // session 3's floor
  const std::pair<const char*, const hl::BoardDetectionOptions*> methods[] = {
      {"OpenCV", &opencv_options},
      {"X-corner", &xcorner_options},
      {"X-corner, 0.05 px blur floor", &low_floor}};
  std::vector<std::vector<hl::BoardView>> views(3);
  RefinementCost cost;
  for (int i = 0; i < 4; ++i) {
    const cv::Mat image = cv::imread(dir + "img_0" + std::to_string(i) + ".jpg");
    if (image.empty()) {
      std::printf("real: cannot read %simg_0%d.jpg\n", dir.c_str(), i);
      return;
    }
    std::printf("img_0%d:", i);
    for (size_t m = 0; m < 3; ++m) {
      views[m].push_back(board.Detect(image, *methods[m].second));
      std::printf(" %s %zu corners (%d dropped);", methods[m].first, views[m].back().ids.size(),
                  views[m].back().corners_dropped);
    }
    cost.Add(views[1].back());
    double sq = 0;
    int n = 0;
    for (size_t k = 0; k < views[1].back().ids.size(); ++k) {
      const auto& o = views[0].back();
      const auto it = std::find(o.ids.begin(), o.ids.end(), views[1].back().ids[k]);
      if (it == o.ids.end()) continue;
      sq += (views[1].back().corners[k] - o.corners[it - o.ids.begin()]).squaredNorm();
      ++n;
    }
    std::printf(" X-corner - OpenCV %.4f px RMS over %d shared ids\n", std::sqrt(sq / n), n);
  }
  cost.Print();
  for (size_t m = 0; m < 3; ++m) {
    // calibrateCamera as calibrateCameraCharuco runs it: flags 0, k1 k2 p1 p2 k3 free.
    std::vector<std::vector<cv::Point3f>> object;
    std::vector<std::vector<cv::Point2f>> image;
    for (const hl::BoardView& v : views[m]) hl::AppendViewPoints(board, v, &object, &image);
    cv::Mat K, dist;
    std::vector<cv::Mat> rvecs, tvecs;
    const double rms =
        cv::calibrateCamera(object, image, cv::Size(640, 480), K, dist, rvecs, tvecs, 0);
    const hl::HeldOutResult held =
        hl::HeldOutViewError(board, views[m], cv::Size(640, 480), hl::IntrinsicsOptions(), "real");
    std::printf(
        "  %s: RMS %.4f px; off the published file: fx %+.2f %% fy %+.2f %% cx %+.2f %% cy "
        "%+.2f %%; leave-one-view-out fx:",
        methods[m].first, rms, 100 * (K.at<double>(0, 0) / kPublished[0] - 1),
        100 * (K.at<double>(1, 1) / kPublished[1] - 1),
        100 * (K.at<double>(0, 2) / kPublished[2] - 1),
        100 * (K.at<double>(1, 2) / kPublished[3] - 1));
    for (const auto& fold : held.fold_intrinsics) std::printf(" %.1f", fold[0]);
    std::printf(", held-out view RMS %.4f px\n", held.rms_px);
  }
}

void CornerAccuracy(const std::string& preset, hl::sim::CalibrationSceneOptions scene) {
  scene.floor_frames = 0;
  const hl::Rig rig = hl::sim::MakeRigPreset(preset);
  hl::sim::CalibrationTruth truth;
  const std::vector<hl::sim::SceneFrame> frames = hl::sim::MakeCalibrationScene(rig, scene, &truth);
  const hl::Board board(hl::ParseBoardSpec(truth.board.ToString()));
  std::vector<hl::sim::ViewRenderer> renderers;
  for (const hl::Camera& c : rig.cameras) renderers.emplace_back(c, hl::sim::RenderOptions());
  hl::BoardDetectionOptions opencv_options, xcorner_options;
  opencv_options.charuco_xcorner = false;
  CornerStats opencv, xcorner;
  const auto start = std::chrono::steady_clock::now();
  double opencv_s = 0, xcorner_s = 0;
  RefinementCost cost;
  for (size_t f = 0; f < frames.size(); ++f) {
    const std::vector<cv::Mat> images = hl::sim::RenderViews(renderers, frames[f], f);
    for (size_t c = 0; c < images.size(); ++c) {
      auto t0 = std::chrono::steady_clock::now();
      const hl::BoardView a = board.Detect(images[c], opencv_options);
      opencv_s += Seconds(t0);
      t0 = std::chrono::steady_clock::now();
      const hl::BoardView b = board.Detect(images[c], xcorner_options);
      xcorner_s += Seconds(t0);
      cost.Add(b);
      AddCorners(board, a, rig.cameras[c], truth.world_from_board[f], &opencv);
      AddCorners(board, b, rig.cameras[c], truth.world_from_board[f], &xcorner);
    }
  }
  std::printf(
      "%s corners: %zu frames x %zu cameras, %.1f s; detection %.3f s (OpenCV) vs %.3f s "
      "(X-corner) in all\n",
      preset.c_str(), frames.size(), rig.cameras.size(), Seconds(start), opencv_s, xcorner_s);
  PrintCornerStats("OpenCV cornerSubPix", opencv);
  PrintCornerStats("X-corner disc", xcorner);
  cost.Print();
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty()) args = {"speed", "rendered"};
  bool speed = false, rendered = false, corners = false, real = false;
  std::vector<std::string> presets;
  hl::sim::CalibrationSceneOptions scene;
  scene.frames = 60;
  scene.seed = 3;
  scene.close_fraction = 0.4;
  scene.keyframe_interval = 1;
  scene.max_tilt_deg = 45;
  hl::BoardDetectionOptions detection;
  for (size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "speed") {
      speed = true;
    } else if (args[i] == "rendered") {
      rendered = true;
    } else if (args[i] == "corners") {
      corners = true;
    } else if (args[i] == "real") {
      real = true;
    } else if (args[i] == "--opencv-corners") {
      detection.charuco_xcorner = false;  // session 2's corners, for before/after
    } else if (args[i] == "--frames" && i + 1 < args.size()) {
      scene.frames = std::stoi(args[++i]);
    } else if (args[i] == "--seed" && i + 1 < args.size()) {
      scene.seed = std::stoull(args[++i]);
    } else if (args[i] == "--close" && i + 1 < args.size()) {
      scene.close_fraction = std::stod(args[++i]);
    } else if (args[i] == "--interval" && i + 1 < args.size()) {
      scene.keyframe_interval = std::stoi(args[++i]);
    } else if (args[i] == "--tilt" && i + 1 < args.size()) {
      scene.max_tilt_deg = std::stod(args[++i]);
    } else if (hl::sim::IsRigPreset(args[i])) {
      presets.push_back(args[i]);
    } else {
      std::fprintf(stderr,
                   "usage: calibration_bench [speed] [rendered] [corners] [real] [PRESET...] "
                   "[--frames N] [--seed S] [--close F] [--tilt DEG] [--interval N] "
                   "[--opencv-corners]\n");
      return 2;
    }
  }
  if (presets.empty()) presets = hl::sim::RigPresetNames();
  if (speed) BundleAdjustmentSpeed();
  if (rendered) {
    for (const std::string& p : presets) RenderedAccuracy(p, scene, detection);
  }
  if (corners) {
    for (const std::string& p : presets) CornerAccuracy(p, scene);
  }
  if (real) RealPhotos();
  return 0;
}
