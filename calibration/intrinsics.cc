#include "calibration/intrinsics.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <sstream>

#include <opencv2/calib3d.hpp>
#include <opencv2/imgproc.hpp>

#include "core/error.h"

namespace hl {
namespace {

// Where and how a view sees the board, scaled so each component spans ~[0, 1].
Eigen::Vector4d ViewFeature(const Board& board, const BoardView& view, const cv::Size& size) {
  std::vector<cv::Point2f> board_xy, image;
  Eigen::Vector2d centre = Eigen::Vector2d::Zero();
  for (size_t i = 0; i < view.ids.size(); ++i) {
    const Eigen::Vector3d& p = board.CornerInBoard(view.ids[i]);
    board_xy.emplace_back(static_cast<float>(p.x()), static_cast<float>(p.y()));
    image.emplace_back(static_cast<float>(view.corners[i].x()),
                       static_cast<float>(view.corners[i].y()));
    centre += view.corners[i];
  }
  centre /= static_cast<double>(view.ids.size());
  std::vector<cv::Point2f> hull;
  cv::convexHull(image, hull);
  const double area = cv::contourArea(hull);
  double tilt = 0.0;
  const cv::Mat H = cv::findHomography(board_xy, image);
  if (!H.empty() && std::abs(H.at<double>(2, 2)) > 1e-12) {
    // The projective row of the board->image homography times the board
    // extent: 0 for a fronto-parallel view, larger the more it is tilted.
    const double extent = board.spec().square_m * std::max(board.spec().cols, board.spec().rows);
    tilt =
        std::hypot(H.at<double>(2, 0), H.at<double>(2, 1)) / std::abs(H.at<double>(2, 2)) * extent;
  }
  return Eigen::Vector4d(centre.x() / size.width, centre.y() / size.height,
                         std::sqrt(area / (static_cast<double>(size.width) * size.height)),
                         std::min(tilt, 1.0));
}

}  // namespace

void AppendViewPoints(const Board& board, const BoardView& view,
                      std::vector<std::vector<cv::Point3f>>* object_points,
                      std::vector<std::vector<cv::Point2f>>* image_points) {
  std::vector<cv::Point3f> obj;
  std::vector<cv::Point2f> img;
  for (size_t k = 0; k < view.ids.size(); ++k) {
    const Eigen::Vector3d& p = board.CornerInBoard(view.ids[k]);
    obj.emplace_back(static_cast<float>(p.x()), static_cast<float>(p.y()),
                     static_cast<float>(p.z()));
    img.emplace_back(static_cast<float>(view.corners[k].x()),
                     static_cast<float>(view.corners[k].y()));
  }
  object_points->push_back(std::move(obj));
  image_points->push_back(std::move(img));
}

void IntrinsicsOptions::Check() const {
  HL_CHECK(max_views >= min_views);
  HL_CHECK(min_views >= 1);
  HL_CHECK(min_relative_sharpness >= 0.0 && min_relative_sharpness <= 1.0);
  HL_CHECK(coverage_grid >= 1);
  HL_CHECK(warn_coverage >= 0.0 && warn_coverage <= 1.0);
  HL_CHECK(outlier_factor > 1.0 && min_outlier_px > 0.0 && max_outlier_rounds >= 0);
}

std::vector<int> SelectViews(const Board& board, const std::vector<BoardView>& views,
                             const cv::Size& image_size, const IntrinsicsOptions& options) {
  options.Check();
  std::vector<int> accepted;
  for (size_t i = 0; i < views.size(); ++i) {
    if (views[i].accepted) accepted.push_back(static_cast<int>(i));
  }
  if (static_cast<int>(accepted.size()) <= options.max_views) return accepted;

  std::vector<double> sharp;
  for (int i : accepted) sharp.push_back(views[i].sharpness);
  std::nth_element(sharp.begin(), sharp.begin() + sharp.size() / 2, sharp.end());
  const double min_sharp = options.min_relative_sharpness * sharp[sharp.size() / 2];
  std::vector<int> candidates;
  for (int i : accepted) {
    if (views[i].sharpness >= min_sharp) candidates.push_back(i);
  }
  if (static_cast<int>(candidates.size()) <= options.max_views) return candidates;

  std::vector<Eigen::Vector4d> features;
  for (int i : candidates) features.push_back(ViewFeature(board, views[i], image_size));
  // Farthest-point sampling from the view with the most corners.
  size_t first = 0;
  for (size_t k = 1; k < candidates.size(); ++k) {
    if (views[candidates[k]].ids.size() > views[candidates[first]].ids.size()) first = k;
  }
  std::vector<double> dist(candidates.size(), std::numeric_limits<double>::infinity());
  std::vector<int> chosen;
  size_t next = first;
  while (static_cast<int>(chosen.size()) < options.max_views) {
    chosen.push_back(candidates[next]);
    dist[next] = -1.0;
    size_t best = 0;
    double best_dist = -1.0;
    for (size_t k = 0; k < candidates.size(); ++k) {
      if (dist[k] < 0) continue;
      dist[k] = std::min(dist[k], (features[k] - features[next]).norm());
      if (dist[k] > best_dist) best_dist = dist[k], best = k;
    }
    if (best_dist < 0) break;
    next = best;
  }
  std::sort(chosen.begin(), chosen.end());
  return chosen;
}

double CornerCoverage(const std::vector<const BoardView*>& views, const cv::Size& image_size,
                      int grid) {
  std::vector<char> hit(static_cast<size_t>(grid) * grid, 0);
  for (const BoardView* v : views) {
    for (const auto& c : v->corners) {
      const int gx = std::clamp(static_cast<int>(c.x() / image_size.width * grid), 0, grid - 1);
      const int gy = std::clamp(static_cast<int>(c.y() / image_size.height * grid), 0, grid - 1);
      hit[static_cast<size_t>(gy) * grid + gx] = 1;
    }
  }
  return static_cast<double>(std::count(hit.begin(), hit.end(), 1)) /
         static_cast<double>(hit.size());
}

IntrinsicsResult CalibrateIntrinsics(const Board& board, const std::vector<BoardView>& views,
                                     const cv::Size& image_size, const IntrinsicsOptions& options,
                                     const std::string& camera_name) {
  options.Check();
  HL_CHECK(image_size.width > 0 && image_size.height > 0);
  IntrinsicsResult result;
  result.used_views = SelectViews(board, views, image_size, options);
  const int found = static_cast<int>(
      std::count_if(views.begin(), views.end(), [](const BoardView& v) { return !v.ids.empty(); }));
  if (static_cast<int>(result.used_views.size()) < options.min_views) {
    std::ostringstream s;
    s << "only " << result.used_views.size() << " usable board views of " << views.size()
      << " images (board corners found in " << found << "); need at least " << options.min_views
      << ": show the whole board, sharp, at several angles";
    if (found == 0) s << " (no board found at all: check the board SPEC's size and dictionary)";
    throw Error(camera_name, s.str());
  }

  std::vector<std::vector<cv::Point3f>> object_points;
  std::vector<std::vector<cv::Point2f>> image_points;
  std::vector<const BoardView*> used;
  for (int i : result.used_views) {
    used.push_back(&views[i]);
    AppendViewPoints(board, views[i], &object_points, &image_points);
  }
  cv::Mat K, dist, std_intrinsics, std_extrinsics, view_errors;
  std::vector<cv::Mat> rvecs, tvecs;
  const int flags = options.rational_model ? cv::CALIB_RATIONAL_MODEL : 0;
  for (int round = 0;; ++round) {
    try {
      result.rms_px =
          cv::calibrateCamera(object_points, image_points, image_size, K, dist, rvecs, tvecs,
                              std_intrinsics, std_extrinsics, view_errors, flags);
    } catch (const cv::Exception& e) {
      throw Error(camera_name, std::string("calibration failed (") + e.err +
                                   "): the board views may all be nearly parallel; tilt the board");
    }
    if (round == options.max_outlier_rounds || !std::isfinite(result.rms_px)) break;
    const double limit = std::max(options.outlier_factor * result.rms_px, options.min_outlier_px);
    int dropped = 0;
    for (size_t i = 0; i < object_points.size(); ++i) {
      std::vector<cv::Point2f> projected;
      cv::projectPoints(object_points[i], rvecs[i], tvecs[i], K, dist, projected);
      std::vector<cv::Point3f> obj;
      std::vector<cv::Point2f> img;
      for (size_t k = 0; k < projected.size(); ++k) {
        if (cv::norm(projected[k] - image_points[i][k]) <= limit) {
          obj.push_back(object_points[i][k]);
          img.push_back(image_points[i][k]);
        }
      }
      // A view keeps enough corners for its pose, or stays whole.
      if (obj.size() == projected.size() || obj.size() < 6) continue;
      dropped += static_cast<int>(projected.size() - obj.size());
      object_points[i] = std::move(obj);
      image_points[i] = std::move(img);
    }
    if (dropped == 0) break;
    result.corners_dropped += dropped;
  }
  if (!std::isfinite(result.rms_px) || !cv::checkRange(K) || !cv::checkRange(dist)) {
    throw Error(camera_name,
                "calibration diverged: add views with the board tilted and nearer the "
                "image corners");
  }
  const int num_dist = options.rational_model ? 8 : 5;
  result.camera.name = camera_name;
  result.camera.width = image_size.width;
  result.camera.height = image_size.height;
  const cv::Mat dist_row = dist.reshape(1, 1);
  result.camera.SetFromCv(K, dist_row.colRange(0, std::min(num_dist, dist_row.cols)));
  result.camera.rms_px = result.rms_px;
  if (std_intrinsics.total() >= 4) {
    for (int i = 0; i < 4; ++i) result.std_dev_px[i] = std_intrinsics.at<double>(i);
  }

  for (size_t i = 0; i < used.size(); ++i) {
    const Eigen::Vector3d r(rvecs[i].at<double>(0), rvecs[i].at<double>(1), rvecs[i].at<double>(2));
    const Eigen::Vector3d t(tvecs[i].at<double>(0), tvecs[i].at<double>(1), tvecs[i].at<double>(2));
    const Rigid3d cam_from_board = Rigid3d::FromRvecTvec(r, t);
    double sum = 0;
    for (size_t k = 0; k < used[i]->ids.size(); ++k) {
      const Eigen::Vector3d p = cam_from_board * board.CornerInBoard(used[i]->ids[k]);
      sum += (result.camera.ImageFromCam(p) - used[i]->corners[k]).squaredNorm();
    }
    result.cam_from_board.push_back(cam_from_board);
    result.view_rms_px.push_back(std::sqrt(sum / static_cast<double>(used[i]->ids.size())));
  }
  result.coverage = CornerCoverage(used, image_size, options.coverage_grid);
  if (result.coverage < options.warn_coverage) {
    std::ostringstream s;
    s << "board corners cover only " << std::lround(result.coverage * 100)
      << "% of the image: distortion near the edges is extrapolated; add views with the board "
         "near the image corners";
    result.warnings.push_back(s.str());
  }
  return result;
}

std::string IntrinsicsResult::Summary() const {
  std::ostringstream s;
  s.precision(4);
  s << camera.name << ": " << camera.width << "x" << camera.height << " fx " << camera.fx << " fy "
    << camera.fy << " cx " << camera.cx << " cy " << camera.cy << ", RMS " << rms_px << " px over "
    << used_views.size() << " views, coverage " << std::lround(coverage * 100) << "%"
    << "; std dev fx " << std_dev_px[0] << " fy " << std_dev_px[1] << " cx " << std_dev_px[2]
    << " cy " << std_dev_px[3] << " px";
  if (corners_dropped > 0) s << ", " << corners_dropped << " outlier corners dropped";
  for (const auto& w : warnings) s << "\n  warning: " << w;
  return s.str();
}

HeldOutResult HeldOutViewError(const Board& board, const std::vector<BoardView>& views,
                               const cv::Size& image_size, const IntrinsicsOptions& options,
                               const std::string& camera_name) {
  options.Check();
  if (views.size() < 3) {
    throw Error(camera_name, "a leave-one-view-out check needs at least 3 views, got " +
                                 std::to_string(views.size()) + ": add board views");
  }
  std::vector<std::vector<cv::Point3f>> object_points;
  std::vector<std::vector<cv::Point2f>> image_points;
  for (const BoardView& v : views) {
    if (v.ids.size() < 6) {
      throw Error(camera_name, "a view with " + std::to_string(v.ids.size()) +
                                   " corners cannot be posed: leave it out (6 or more needed)");
    }
    AppendViewPoints(board, v, &object_points, &image_points);
  }
  const int flags = options.rational_model ? cv::CALIB_RATIONAL_MODEL : 0;
  HeldOutResult result;
  double sum_sq = 0;
  size_t n = 0;
  for (size_t held = 0; held < views.size(); ++held) {
    std::vector<std::vector<cv::Point3f>> object;
    std::vector<std::vector<cv::Point2f>> image;
    for (size_t v = 0; v < views.size(); ++v) {
      if (v == held) continue;
      object.push_back(object_points[v]);
      image.push_back(image_points[v]);
    }
    cv::Mat K, dist, rvec, tvec;
    std::vector<cv::Mat> rvecs, tvecs;
    std::vector<cv::Point2f> projected;
    try {
      cv::calibrateCamera(object, image, image_size, K, dist, rvecs, tvecs, flags);
      cv::solvePnP(object_points[held], image_points[held], K, dist, rvec, tvec, false,
                   cv::SOLVEPNP_IPPE);
      cv::solvePnPRefineLM(object_points[held], image_points[held], K, dist, rvec, tvec);
      cv::projectPoints(object_points[held], rvec, tvec, K, dist, projected);
    } catch (const cv::Exception& e) {
      throw Error(camera_name, std::string("leave-one-view-out solve failed (") + e.err +
                                   "): the remaining views may be nearly parallel; tilt the board");
    }
    double view_sq = 0;
    for (size_t k = 0; k < projected.size(); ++k) {
      view_sq += std::pow(cv::norm(projected[k] - image_points[held][k]), 2);
    }
    sum_sq += view_sq;
    n += projected.size();
    result.view_rms_px.push_back(std::sqrt(view_sq / static_cast<double>(projected.size())));
    result.fold_intrinsics.push_back(
        {K.at<double>(0, 0), K.at<double>(1, 1), K.at<double>(0, 2), K.at<double>(1, 2)});
  }
  result.rms_px = std::sqrt(sum_sq / static_cast<double>(n));
  return result;
}

}  // namespace hl
