#pragma once

// Intrinsics of one camera from board views (images or frames of a video).
//
// With many candidate views (a video), a capped subset is chosen: views
// blurrier than half the median are dropped, then farthest-point sampling on
// (board centre x, y in the image, apparent size, perspective tilt) keeps the
// views that differ most, because near-duplicate views add no constraint on
// distortion or focal length. The solve is OpenCV's calibrateCamera on the
// board's 3D corners (the same least squares calibrateCameraCharuco runs).
// RMS is OpenCV's: sqrt(sum of squared reprojection distances / corners).

#include <array>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include "calibration/board.h"
#include "core/camera.h"

namespace hl {

struct IntrinsicsOptions {
  // At most this many views enter the solve (video gives thousands).
  int max_views = 40;
  // Fewest accepted views to calibrate from; fewer leaves focal length and
  // distortion poorly determined.
  int min_views = 3;
  // Eight distortion coefficients (k4..k6) instead of five: wide-angle lenses.
  bool rational_model = false;
  // Views sharper than this fraction of the median sharpness stay candidates.
  double min_relative_sharpness = 0.5;
  // The image is divided into coverage_grid x coverage_grid cells; coverage
  // is the fraction holding at least one corner of a used view.
  int coverage_grid = 8;
  // Below this coverage a warning says distortion may be poorly constrained.
  double warn_coverage = 0.5;
  // calibrateCamera is plain least squares: one corner the detector put a few
  // pixels off (ChArUco corners on steep views) drags the focal length and
  // principal point. Corners farther than max(outlier_factor x RMS,
  // min_outlier_px) from the fit are dropped and the solve repeated, up to
  // max_outlier_rounds times.
  double outlier_factor = 4.0;
  double min_outlier_px = 0.75;
  int max_outlier_rounds = 3;

  void Check() const;
};

struct IntrinsicsResult {
  Camera camera;                        // intrinsics and image size; cam_from_world identity
  double rms_px = 0.0;                  // over all used corners
  std::vector<int> used_views;          // indices into the views given
  std::vector<double> view_rms_px;      // per used view
  std::vector<Rigid3d> cam_from_board;  // per used view
  double coverage = 0.0;                // see IntrinsicsOptions::coverage_grid
  int corners_dropped = 0;              // outlier corners (see IntrinsicsOptions)
  // Standard deviations of fx, fy, cx, cy (pixels) from the solve's
  // covariance: how well these views determine them (few views of a board
  // far from the image corners leave fx uncertain by several percent).
  std::array<double, 4> std_dev_px = {0, 0, 0, 0};
  std::vector<std::string> warnings;

  std::string Summary() const;
};

// Indices of at most `max_views` accepted views, sharp and spread out.
// A view's corners as the point lists cv::calibrateCamera takes (one list
// each per view), appended.
void AppendViewPoints(const Board& board, const BoardView& view,
                      std::vector<std::vector<cv::Point3f>>* object_points,
                      std::vector<std::vector<cv::Point2f>>* image_points);

std::vector<int> SelectViews(const Board& board, const std::vector<BoardView>& views,
                             const cv::Size& image_size, const IntrinsicsOptions& options);

// Fraction of grid cells holding a corner of one of the views.
double CornerCoverage(const std::vector<const BoardView*>& views, const cv::Size& image_size,
                      int grid);

// Throws hl::Error(camera_name, ...) when too few accepted views exist.
IntrinsicsResult CalibrateIntrinsics(const Board& board, const std::vector<BoardView>& views,
                                     const cv::Size& image_size, const IntrinsicsOptions& options,
                                     const std::string& camera_name);

// Leave-one-view-out: each view in turn is left out, the others calibrated
// (calibrateCamera with the options' model, no outlier rounds), the left-out
// view posed by PnP with those intrinsics and its corners' reprojection error
// measured. Unlike the fit's own RMS, fitting noise cannot lower it: it says
// which corners (or views) are self-consistent when there is no truth.
struct HeldOutResult {
  double rms_px = 0.0;                                 // over all held-out corners
  std::vector<double> view_rms_px;                     // per view, when held out
  std::vector<std::array<double, 4>> fold_intrinsics;  // fx fy cx cy without that view
};

// Uses every view given (at least 3, each with 6 corners or more); throws
// hl::Error(camera_name, ...) otherwise or when a solve fails.
HeldOutResult HeldOutViewError(const Board& board, const std::vector<BoardView>& views,
                               const cv::Size& image_size, const IntrinsicsOptions& options,
                               const std::string& camera_name);

}  // namespace hl
