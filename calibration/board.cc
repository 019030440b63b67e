#include "calibration/board.h"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cmath>
#include <limits>
#include <sstream>

#include <Eigen/Eigenvalues>
#include <opencv2/aruco.hpp>
#include <opencv2/calib3d.hpp>
#include <opencv2/imgproc.hpp>

#include "core/error.h"
#include "core/marker_set.h"

namespace hl {
namespace {

constexpr const char* kSpecExamples =
    "expected charuco:COLSxROWS:SQUARE_M:MARKER_M:DICT (e.g. charuco:5x7:0.04:0.02:DICT_6X6_250) "
    "or chessboard:COLSxROWS:SQUARE_M with inner corners (e.g. chessboard:9x6:0.025)";

std::vector<std::string> SplitColon(std::string_view s) {
  std::vector<std::string> out;
  size_t start = 0;
  while (true) {
    const size_t pos = s.find(':', start);
    out.emplace_back(
        s.substr(start, pos == std::string_view::npos ? s.size() - start : pos - start));
    if (pos == std::string_view::npos) break;
    start = pos + 1;
  }
  return out;
}

[[noreturn]] void SpecError(const std::string& option, std::string_view spec,
                            const std::string& what) {
  throw UsageError(option + " '" + std::string(spec) + "': " + what + "; " + kSpecExamples);
}

int ParsePositiveInt(const std::string& text, const std::string& option, std::string_view spec,
                     const char* what) {
  int v = 0;
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || ptr != text.data() + text.size() || v <= 0 || v > 1000) {
    SpecError(option, spec, std::string(what) + " '" + text + "' is not a whole number in 1..1000");
  }
  return v;
}

double ParseLength(const std::string& text, const std::string& option, std::string_view spec,
                   const char* what) {
  double v = 0;
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || ptr != text.data() + text.size() || !std::isfinite(v) || v <= 0 ||
      v > 10.0) {
    SpecError(option, spec,
              std::string(what) + " '" + text + "' is not a length in metres in (0, 10]");
  }
  return v;
}

cv::Mat ToGray(const cv::Mat& image) {
  if (image.channels() == 1) return image;
  cv::Mat gray;
  cv::cvtColor(image, gray, image.channels() == 4 ? cv::COLOR_BGRA2GRAY : cv::COLOR_BGR2GRAY);
  return gray;
}

// Variance of the Laplacian over the corners' bounding box: blur flattens the
// board's black/white edges, which is what biases corner positions.
double Sharpness(const cv::Mat& gray, const std::vector<Eigen::Vector2d>& corners) {
  if (corners.empty()) return 0.0;
  double x0 = corners[0].x(), x1 = x0, y0 = corners[0].y(), y1 = y0;
  for (const auto& c : corners) {
    x0 = std::min(x0, c.x()), x1 = std::max(x1, c.x());
    y0 = std::min(y0, c.y()), y1 = std::max(y1, c.y());
  }
  const cv::Rect box = cv::Rect(cv::Point(static_cast<int>(x0) - 2, static_cast<int>(y0) - 2),
                                cv::Point(static_cast<int>(x1) + 3, static_cast<int>(y1) + 3)) &
                       cv::Rect(0, 0, gray.cols, gray.rows);
  if (box.width < 3 || box.height < 3) return 0.0;
  cv::Mat lap;
  cv::Laplacian(gray(box), lap, CV_64F);
  cv::Scalar mean, stddev;
  cv::meanStdDev(lap, mean, stddev);
  return stddev[0] * stddev[0];
}

}  // namespace

std::string BoardSpec::ToString() const {
  std::ostringstream s;
  s.precision(17);
  if (kind == Kind::kCharuco) {
    s << "charuco:" << cols << "x" << rows << ":" << square_m << ":" << marker_m << ":"
      << dictionary;
  } else {
    s << "chessboard:" << cols << "x" << rows << ":" << square_m;
  }
  return s.str();
}

BoardSpec ParseBoardSpec(std::string_view spec, const std::string& option) {
  const std::vector<std::string> parts = SplitColon(spec);
  BoardSpec out;
  if (parts[0] == "charuco") {
    out.kind = BoardSpec::Kind::kCharuco;
    if (parts.size() != 5) SpecError(option, spec, "a ChArUco SPEC has 5 fields");
  } else if (parts[0] == "chessboard") {
    out.kind = BoardSpec::Kind::kChessboard;
    if (parts.size() != 3) SpecError(option, spec, "a chessboard SPEC has 3 fields");
  } else {
    SpecError(option, spec, "unknown board type '" + parts[0] + "'");
  }
  const std::string& size = parts[1];
  const size_t x = size.find('x');
  if (x == std::string::npos) SpecError(option, spec, "size '" + size + "' is not COLSxROWS");
  out.cols = ParsePositiveInt(size.substr(0, x), option, spec, "column count");
  out.rows = ParsePositiveInt(size.substr(x + 1), option, spec, "row count");
  out.square_m = ParseLength(parts[2], option, spec, "square size");
  if (out.kind == BoardSpec::Kind::kCharuco) {
    if (out.cols < 2 || out.rows < 2 || out.cols * out.rows < 6) {
      SpecError(option, spec, "a ChArUco board needs at least 2x3 squares");
    }
    out.marker_m = ParseLength(parts[3], option, spec, "marker size");
    if (out.marker_m >= out.square_m) {
      SpecError(
          option, spec,
          "the marker (" + parts[3] + " m) must be smaller than the square (" + parts[2] + " m)");
    }
    out.dictionary = parts[4];
    out.dictionary_id = DictionaryIdFromName(out.dictionary);
    if (out.dictionary_id < 0) {
      SpecError(option, spec,
                "unknown dictionary '" + out.dictionary +
                    "' (use an OpenCV name such as DICT_6X6_250 or DICT_4X4_50)");
    }
    const int markers_needed = (out.cols * out.rows) / 2;
    const int available = DictionarySize(out.dictionary_id);
    if (markers_needed > available) {
      SpecError(option, spec,
                "the board needs " + std::to_string(markers_needed) + " markers but " +
                    out.dictionary + " has only " + std::to_string(available));
    }
  } else if (out.cols < 3 || out.rows < 3) {
    SpecError(option, spec, "a chessboard needs at least 3x3 inner corners");
  }
  return out;
}

void BoardDetectionOptions::Check() const {
  HL_CHECK(min_corners >= 4);
  HL_CHECK(min_sharpness >= 0.0);
  HL_CHECK(min_board_spread_ratio >= 0.0 && min_board_spread_ratio < 1.0);
  HL_CHECK(max_view_angle_deg > 0.0 && max_view_angle_deg <= 90.0);
  HL_CHECK(subpix_window >= 1);
  HL_CHECK(xcorner_clearance_px >= 0.0);
  xcorner.Check();
}

Board::Board(const BoardSpec& spec) : spec_(spec) {
  if (spec.kind == BoardSpec::Kind::kCharuco) {
    const auto dict = cv::aruco::getPredefinedDictionary(spec.dictionary_id);
    charuco_ =
        cv::aruco::CharucoBoard::create(spec.cols, spec.rows, static_cast<float>(spec.square_m),
                                        static_cast<float>(spec.marker_m), dict);
    // OpenCV stores float corners; rebuild them in double from the grid so
    // sub-micrometre rounding does not leak into the bundle adjustment.
    for (const cv::Point3f& p : charuco_->chessboardCorners) {
      corners_in_board_.emplace_back(std::round(p.x / spec.square_m) * spec.square_m,
                                     std::round(p.y / spec.square_m) * spec.square_m, 0.0);
    }
    // Marker corners run clockwise as seen on the print: (c1 - c0) x (c3 - c0)
    // points away from the viewer, into the board.
    const auto& m = charuco_->objPoints.at(0);
    const Eigen::Vector3d c0(m[0].x, m[0].y, m[0].z), c1(m[1].x, m[1].y, m[1].z),
        c3(m[3].x, m[3].y, m[3].z);
    face_normal_in_board_ = -((c1 - c0).cross(c3 - c0)).normalized();
    detector_params_ = cv::aruco::DetectorParameters::create();
  } else {
    for (int r = 0; r < spec.rows; ++r) {
      for (int c = 0; c < spec.cols; ++c) {
        corners_in_board_.emplace_back(c * spec.square_m, r * spec.square_m, 0.0);
      }
    }
    face_normal_in_board_ = Eigen::Vector3d(0, 0, -1);
  }
}

Eigen::Vector3d Board::CenterInBoard() const {
  Eigen::Vector3d sum = Eigen::Vector3d::Zero();
  for (const auto& p : corners_in_board_) sum += p;
  return sum / static_cast<double>(corners_in_board_.size());
}

void Board::DetectCharuco(const cv::Mat& gray, const BoardDetectionOptions& options,
                          BoardView* view) const {
  std::vector<std::vector<cv::Point2f>> marker_corners, rejected;
  std::vector<int> marker_ids;
  cv::aruco::detectMarkers(gray, charuco_->dictionary, marker_corners, marker_ids, detector_params_,
                           rejected);
  // Markers not on this board (another board, a marker set) are dropped so
  // they cannot pull interpolated corners.
  const int num_board_markers = static_cast<int>(charuco_->ids.size());
  std::vector<std::vector<cv::Point2f>> kept_corners;
  std::vector<int> kept_ids;
  for (size_t i = 0; i < marker_ids.size(); ++i) {
    if (marker_ids[i] >= 0 && marker_ids[i] < num_board_markers) {
      kept_ids.push_back(marker_ids[i]);
      kept_corners.push_back(marker_corners[i]);
    }
  }
  view->markers_found = static_cast<int>(kept_ids.size());
  if (kept_ids.empty()) return;
  std::vector<cv::Point2f> corners;
  std::vector<int> ids;
  const auto interpolate_start = std::chrono::steady_clock::now();
  cv::aruco::interpolateCornersCharuco(kept_corners, kept_ids, gray, charuco_, corners, ids);
  const auto xcorner_start = std::chrono::steady_clock::now();
  view->interpolate_ms =
      std::chrono::duration<double, std::milli>(xcorner_start - interpolate_start).count();
  // Marker polygon per board marker index (charuco_->ids[index] is its id).
  std::vector<int> found_at(num_board_markers, -1);
  for (size_t i = 0; i < kept_ids.size(); ++i) {
    for (int m = 0; m < num_board_markers; ++m) {
      if (charuco_->ids[m] == kept_ids[i]) found_at[m] = static_cast<int>(i);
    }
  }
  const bool gray8 = gray.type() == CV_8UC1;
  for (size_t i = 0; i < ids.size(); ++i) {
    // OpenCV 4.6's interpolateCornersCharuco returns cornerSubPix's result
    // plus (0.5, 0.5) (pixel corners at integers); Camera::Project and
    // calibrateCamera put pixel centres at integers. Measured on rendered
    // boards against the true projections (rendered_scene_test): without
    // this the corners sit 0.5 px off along both axes.
    Eigen::Vector2d corner(corners[i].x - 0.5, corners[i].y - 0.5);
    if (options.charuco_xcorner) {
      // The disc must stay clear of the markers in the two white squares
      // at this corner.
      double clearance = std::numeric_limits<double>::infinity();
      for (int m : charuco_->nearestMarkerIdx.at(ids[i])) {
        if (found_at[m] < 0) continue;
        Eigen::Vector2d quad[4];
        for (int k = 0; k < 4; ++k) {
          const cv::Point2f& p = kept_corners[found_at[m]][k];
          quad[k] = Eigen::Vector2d(p.x, p.y);
        }
        clearance = std::min(clearance, DistanceToQuad(corner, quad));
      }
      XCornerFit fit;
      if (!gray8 || !std::isfinite(clearance) ||
          !RefineXCorner(gray, clearance - options.xcorner_clearance_px, options.xcorner, &corner,
                         &fit)) {
        ++view->corners_dropped;
        continue;
      }
      view->xcorner_fits.push_back(fit);
    }
    view->ids.push_back(ids[i]);
    view->corners.push_back(corner);
  }
  if (options.charuco_xcorner) {
    view->xcorner_ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - xcorner_start)
            .count();
  }
}

void Board::DetectChessboard(const cv::Mat& gray, const BoardDetectionOptions& options,
                             BoardView* view) const {
  const cv::Size pattern(spec_.cols, spec_.rows);
  std::vector<cv::Point2f> corners;
  bool found = cv::findChessboardCorners(
      gray, pattern, corners,
      cv::CALIB_CB_ADAPTIVE_THRESH | cv::CALIB_CB_NORMALIZE_IMAGE | cv::CALIB_CB_FAST_CHECK);
  if (found) {
    cv::cornerSubPix(gray, corners, cv::Size(options.subpix_window, options.subpix_window),
                     cv::Size(-1, -1),
                     cv::TermCriteria(cv::TermCriteria::EPS + cv::TermCriteria::COUNT, 40, 0.01));
  } else {
    found = cv::findChessboardCornersSB(gray, pattern, corners, cv::CALIB_CB_EXHAUSTIVE);
  }
  if (!found) return;
  for (size_t i = 0; i < corners.size(); ++i) {
    view->ids.push_back(static_cast<int>(i));
    view->corners.emplace_back(corners[i].x, corners[i].y);
  }
}

BoardView Board::Detect(const cv::Mat& image, const BoardDetectionOptions& options,
                        const Camera* camera) const {
  options.Check();
  HL_CHECK(!image.empty());
  const cv::Mat gray = ToGray(image);
  BoardView view;
  if (spec_.kind == BoardSpec::Kind::kCharuco) {
    DetectCharuco(gray, options, &view);
  } else {
    DetectChessboard(gray, options, &view);
  }
  view.sharpness = Sharpness(gray, view.corners);
  const int n = static_cast<int>(view.ids.size());
  if (n < options.min_corners) {
    view.reject_reason =
        "too few corners (" + std::to_string(n) + " < " + std::to_string(options.min_corners) + ")";
    return view;
  }
  if (view.sharpness < options.min_sharpness) {
    std::ostringstream s;
    s << "blurred (Laplacian variance " << view.sharpness << " < " << options.min_sharpness << ")";
    view.reject_reason = s.str();
    return view;
  }
  // Degenerate: corners nearly on one line of the board.
  Eigen::Vector2d mean = Eigen::Vector2d::Zero();
  for (int id : view.ids) mean += corners_in_board_[id].head<2>();
  mean /= n;
  Eigen::Matrix2d cov = Eigen::Matrix2d::Zero();
  for (int id : view.ids) {
    const Eigen::Vector2d d = corners_in_board_[id].head<2>() - mean;
    cov += d * d.transpose();
  }
  const Eigen::Vector2d eig = Eigen::SelfAdjointEigenSolver<Eigen::Matrix2d>(cov).eigenvalues();
  const double spread_ratio = eig(1) > 0 ? std::sqrt(std::max(eig(0), 0.0) / eig(1)) : 0.0;
  if (spread_ratio < options.min_board_spread_ratio) {
    view.reject_reason = "degenerate: the corners found lie nearly on one line of the board";
    return view;
  }
  if (camera != nullptr) {
    Rigid3d cam_from_board;
    if (!EstimatePose(view, *camera, &cam_from_board)) {
      view.reject_reason = "degenerate: no board pose fits the corners";
      return view;
    }
    const Eigen::Vector3d normal = cam_from_board.rotation * face_normal_in_board_;
    const Eigen::Vector3d ray = (cam_from_board * CenterInBoard()).normalized();
    const double angle_deg = std::acos(std::min(1.0, std::abs(normal.dot(ray)))) * 180.0 / M_PI;
    if (angle_deg > options.max_view_angle_deg) {
      std::ostringstream s;
      s << "degenerate: board seen edge-on (" << std::lround(angle_deg) << " deg > "
        << options.max_view_angle_deg << ")";
      view.reject_reason = s.str();
      return view;
    }
  }
  view.accepted = true;
  return view;
}

bool Board::EstimatePose(const BoardView& view, const Camera& camera, Rigid3d* cam_from_board,
                         double* rms_px) const {
  if (view.ids.size() < 4) return false;
  std::vector<cv::Point3d> object;
  std::vector<cv::Point2d> image;
  for (size_t i = 0; i < view.ids.size(); ++i) {
    const Eigen::Vector3d& p = corners_in_board_.at(view.ids[i]);
    object.emplace_back(p.x(), p.y(), p.z());
    image.emplace_back(view.corners[i].x(), view.corners[i].y());
  }
  const cv::Mat K = camera.CameraMatrix(), dist = camera.DistCoeffs();
  cv::Mat rvec, tvec;
  try {
    if (!cv::solvePnP(object, image, K, dist, rvec, tvec, false, cv::SOLVEPNP_IPPE)) return false;
    cv::solvePnPRefineLM(object, image, K, dist, rvec, tvec);
  } catch (const cv::Exception&) {
    return false;  // collinear points and the like: no pose, the caller says why
  }
  const Eigen::Vector3d r(rvec.at<double>(0), rvec.at<double>(1), rvec.at<double>(2));
  const Eigen::Vector3d t(tvec.at<double>(0), tvec.at<double>(1), tvec.at<double>(2));
  if (!r.allFinite() || !t.allFinite() || t.z() <= 0) return false;
  *cam_from_board = Rigid3d::FromRvecTvec(r, t);
  if (rms_px != nullptr) {
    double sum = 0;
    for (size_t i = 0; i < view.ids.size(); ++i) {
      const Eigen::Vector3d p = *cam_from_board * corners_in_board_[view.ids[i]];
      if (p.z() <= 0) return false;
      sum += (camera.ImageFromCam(p) - view.corners[i]).squaredNorm();
    }
    *rms_px = std::sqrt(sum / static_cast<double>(view.ids.size()));
  }
  return true;
}

cv::Mat Board::Draw(double pixels_per_m, int margin_px) const {
  if (spec_.kind == BoardSpec::Kind::kCharuco) {
    const cv::Size size(
        static_cast<int>(std::lround(spec_.cols * spec_.square_m * pixels_per_m)) + 2 * margin_px,
        static_cast<int>(std::lround(spec_.rows * spec_.square_m * pixels_per_m)) + 2 * margin_px);
    cv::Mat img;
    charuco_->draw(size, img, margin_px, 1);
    return img;
  }
  // Inner corners cols x rows -> (cols + 1) x (rows + 1) squares.
  const int sq = static_cast<int>(std::lround(spec_.square_m * pixels_per_m));
  cv::Mat img(2 * margin_px + (spec_.rows + 1) * sq, 2 * margin_px + (spec_.cols + 1) * sq, CV_8UC1,
              cv::Scalar(255));
  for (int r = 0; r <= spec_.rows; ++r) {
    for (int c = 0; c <= spec_.cols; ++c) {
      if ((r + c) % 2 == 0) {
        img(cv::Rect(margin_px + c * sq, margin_px + r * sq, sq, sq)).setTo(cv::Scalar(0));
      }
    }
  }
  return img;
}

}  // namespace hl
