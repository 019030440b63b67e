#pragma once

// Calibration boards: the SPEC string, the board's 3D corners, and detection
// of its corners in an image with sub-pixel accuracy.
//
// SPEC (design.md):
//   charuco:COLSxROWS:SQUARE_M:MARKER_M:DICT   COLS x ROWS squares, e.g.
//   charuco:5x7:0.04:0.02:DICT_6X6_250 chessboard:COLSxROWS:SQUARE_M               COLS x ROWS
//   inner corners, e.g. chessboard:9x6:0.025
//
// Board frame: OpenCV's. Corner id k of a ChArUco board is its k-th
// chessboardCorner; a chessboard's corner (c, r) has id r * COLS + c and sits
// at (c * square, r * square, 0). In both, x runs along the printed rows and y
// down the printed columns, so the board's +z points INTO the printed face
// (away from a camera that sees it). BoardFaceNormal() gives the side the
// print faces, whatever the convention, for the world-frame step.

#include <Eigen/Core>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <opencv2/aruco/charuco.hpp>
#include <opencv2/core.hpp>

#include "calibration/xcorner.h"
#include "core/camera.h"

namespace hl {

struct BoardSpec {
  enum class Kind { kCharuco, kChessboard };
  Kind kind = Kind::kCharuco;
  int cols = 0;            // squares (ChArUco) or inner corners (chessboard) along x
  int rows = 0;            // squares (ChArUco) or inner corners (chessboard) along y
  double square_m = 0.0;   // side of a chessboard square
  double marker_m = 0.0;   // side of an ArUco marker (ChArUco only)
  std::string dictionary;  // e.g. "DICT_6X6_250" (ChArUco only)
  int dictionary_id = -1;  // cv::aruco::PREDEFINED_DICTIONARY_NAME

  std::string ToString() const;
};

// Throws hl::UsageError naming `option` (e.g. "--board") with what is wrong
// and an example of a valid SPEC.
BoardSpec ParseBoardSpec(std::string_view spec, const std::string& option = "--board");

// Corners found in one image. ids[i] is the board corner id of corners[i].
struct BoardView {
  std::vector<int> ids;
  std::vector<Eigen::Vector2d> corners;  // pixels, sub-pixel refined
  int markers_found = 0;                 // ArUco markers (ChArUco only)
  double sharpness = 0.0;                // variance of the Laplacian over the board region
  int corners_dropped = 0;               // ChArUco corners whose X-corner refinement failed
  // With the X-corner refinement: its fit per kept corner (parallel to ids).
  std::vector<XCornerFit> xcorner_fits;
  // Time spent in OpenCV's interpolateCornersCharuco and in the X-corner
  // refinement after it (milliseconds; ChArUco only), for calibration_bench.
  double interpolate_ms = 0.0;
  double xcorner_ms = 0.0;
  bool accepted = false;
  std::string reject_reason;  // empty when accepted
};

struct BoardDetectionOptions {
  // Fewest corners a usable view has (PnP and calibration need spread points).
  int min_corners = 6;
  // Views whose Laplacian variance over the board region is below this are
  // motion-blurred or out of focus: their corners are biased along the blur.
  double min_sharpness = 20.0;
  // A view is degenerate when the corners' board positions are nearly
  // collinear: the ratio of the smaller to the larger principal spread of the
  // board points under this bound.
  double min_board_spread_ratio = 0.15;
  // With intrinsics known: views where the board is seen more edge-on than
  // this (angle between the board normal and the viewing ray, degrees) are
  // rejected, because foreshortening makes their corners unreliable.
  double max_view_angle_deg = 75.0;
  // Window half-size for chessboard cornerSubPix (pixels).
  int subpix_window = 5;
  // ChArUco corners: refine OpenCV's interpolated corners as X-corners on a
  // disc clear of the neighbouring markers (calibration/xcorner.h); corners
  // where that fails are dropped. Off: OpenCV 4.6's cornerSubPix result,
  // whose window reaches the markers' borders: 0.221 px RMS off the true
  // corners on the rendered studio4 take against 0.020 px with the disc
  // (rendered_scene_test), 0.146 vs 0.113 px off collinear on the real
  // tutorial images (intrinsics_test).
  bool charuco_xcorner = true;
  // Pixels kept between the disc's rim and the nearest marker border (as
  // detectMarkers outlines it): the border's blur reaches this far.
  double xcorner_clearance_px = 2.0;
  // The fit itself.
  XCornerOptions xcorner;

  void Check() const;
};

class Board {
 public:
  explicit Board(const BoardSpec& spec);

  const BoardSpec& spec() const { return spec_; }
  int NumCorners() const { return static_cast<int>(corners_in_board_.size()); }
  // Corner `id` in the board frame (metres, z = 0).
  const Eigen::Vector3d& CornerInBoard(int id) const { return corners_in_board_.at(id); }
  const std::vector<Eigen::Vector3d>& CornersInBoard() const { return corners_in_board_; }
  // Unit normal on the printed side of the board, in the board frame.
  Eigen::Vector3d BoardFaceNormal() const { return face_normal_in_board_; }
  // Centre of the corner grid in the board frame.
  Eigen::Vector3d CenterInBoard() const;

  // Finds the board in a gray or BGR image and judges the view. `camera`,
  // when given, enables the pose-angle check; a view is returned (with
  // accepted = false and a reason) even when it is rejected.
  BoardView Detect(const cv::Mat& image, const BoardDetectionOptions& options,
                   const Camera* camera = nullptr) const;

  // The printable board image (for tests and the simulator), `pixels_per_m`
  // resolution plus `margin_px` of white border.
  cv::Mat Draw(double pixels_per_m, int margin_px) const;

  // Pose of the board in a camera from one view (IPPE + LM refinement).
  // Returns false when PnP fails (fewer than 4 corners or no solution).
  bool EstimatePose(const BoardView& view, const Camera& camera, Rigid3d* cam_from_board,
                    double* rms_px = nullptr) const;

  const cv::Ptr<cv::aruco::CharucoBoard>& charuco() const { return charuco_; }

 private:
  void DetectCharuco(const cv::Mat& gray, const BoardDetectionOptions& options,
                     BoardView* view) const;
  void DetectChessboard(const cv::Mat& gray, const BoardDetectionOptions& options,
                        BoardView* view) const;

  BoardSpec spec_;
  std::vector<Eigen::Vector3d> corners_in_board_;
  Eigen::Vector3d face_normal_in_board_ = Eigen::Vector3d(0, 0, -1);
  cv::Ptr<cv::aruco::CharucoBoard> charuco_;
  cv::Ptr<cv::aruco::DetectorParameters> detector_params_;
};

}  // namespace hl
