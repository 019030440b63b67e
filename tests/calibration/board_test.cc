#include "calibration/board.h"

#include <gtest/gtest.h>

#include <opencv2/imgproc.hpp>

#include "core/error.h"

namespace hl {
namespace {

Camera RenderCamera() {
  Camera c;
  c.width = 1280, c.height = 960;
  c.fx = c.fy = 1100;
  c.cx = 640, c.cy = 480;
  return c;
}

// The board's printed image seen by `camera` at `cam_from_board` (pinhole, no
// distortion): a homography from print pixels to image pixels.
cv::Mat Render(const Board& board, const Camera& camera, const Rigid3d& cam_from_board, double ppm,
               int margin) {
  const cv::Mat print = board.Draw(ppm, margin);
  // Print pixel (u, v) <-> board point ((u + 0.5 - m') / ppm, (v + 0.5 - m') / ppm, 0),
  // where m' puts the first corner where the board has it.
  // The ChArUco print starts its first square at the margin, ours
  // (chessboard) one square later; both put square edges on pixel edges.
  // (This used to add half a print pixel for ChArUco, which hid OpenCV 4.6's
  // +0.5 px in interpolateCornersCharuco; Board::Detect now removes it.)
  const bool charuco = board.spec().kind == BoardSpec::Kind::kCharuco;
  const double offset = charuco ? margin : margin + board.spec().square_m * ppm;
  Eigen::Matrix3d board_from_print;
  // Print pixel u covers [u, u + 1): its centre is u + 0.5.
  board_from_print << 1 / ppm, 0, (0.5 - offset) / ppm, 0, 1 / ppm, (0.5 - offset) / ppm, 0, 0, 1;
  const Eigen::Matrix3d r = cam_from_board.RotationMatrix();
  Eigen::Matrix3d rt;
  rt << r.col(0), r.col(1), cam_from_board.translation;
  Eigen::Matrix3d k;
  k << camera.fx, 0, camera.cx, 0, camera.fy, camera.cy, 0, 0, 1;
  const Eigen::Matrix3d h = k * rt * board_from_print;
  cv::Mat hcv(3, 3, CV_64F);
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 3; ++j) hcv.at<double>(i, j) = h(i, j);
  cv::Mat image;
  cv::warpPerspective(print, image, hcv, cv::Size(camera.width, camera.height), cv::INTER_LINEAR,
                      cv::BORDER_CONSTANT, cv::Scalar(128));
  return image;
}

Rigid3d Pose(double angle_deg, const Eigen::Vector3d& axis, const Eigen::Vector3d& t) {
  return Rigid3d(Eigen::Quaterniond(Eigen::AngleAxisd(angle_deg * M_PI / 180, axis.normalized())),
                 t);
}

TEST(BoardSpecTest, ParsesBothKinds) {
  const BoardSpec c = ParseBoardSpec("charuco:5x7:0.04:0.02:DICT_6X6_250");
  EXPECT_EQ(c.kind, BoardSpec::Kind::kCharuco);
  EXPECT_EQ(c.cols, 5);
  EXPECT_EQ(c.rows, 7);
  EXPECT_DOUBLE_EQ(c.square_m, 0.04);
  EXPECT_DOUBLE_EQ(c.marker_m, 0.02);
  EXPECT_EQ(c.dictionary, "DICT_6X6_250");
  EXPECT_EQ(c.ToString(), "charuco:5x7:0.040000000000000001:0.02:DICT_6X6_250");
  EXPECT_EQ(Board(c).NumCorners(), 4 * 6);
  const BoardSpec k = ParseBoardSpec("chessboard:9x6:0.025");
  EXPECT_EQ(k.kind, BoardSpec::Kind::kChessboard);
  EXPECT_EQ(Board(k).NumCorners(), 54);
  EXPECT_EQ(Board(k).CornerInBoard(10), Eigen::Vector3d(0.025, 0.025, 0));
}

TEST(BoardSpecTest, RejectsBadSpecsWithTheReason) {
  const std::pair<const char*, const char*> cases[] = {
      {"charuco:5x7:0.04:0.02", "5 fields"},
      {"aruco:5x7:0.04", "unknown board type"},
      {"charuco:5by7:0.04:0.02:DICT_6X6_250", "COLSxROWS"},
      {"charuco:5x0:0.04:0.02:DICT_6X6_250", "row count"},
      {"charuco:5x7:-1:0.02:DICT_6X6_250", "square size"},
      {"charuco:5x7:0.04:0.05:DICT_6X6_250", "smaller than the square"},
      {"charuco:5x7:0.04:0.02:DICT_9X9_1", "unknown dictionary"},
      {"charuco:20x20:0.04:0.02:DICT_4X4_50", "has only 50"},
      {"chessboard:9x6", "3 fields"},
      {"chessboard:2x6:0.02", "at least 3x3"},
      {"", "unknown board type"},
  };
  for (const auto& [spec, reason] : cases) {
    try {
      ParseBoardSpec(spec);
      ADD_FAILURE() << spec;
    } catch (const UsageError& e) {
      EXPECT_NE(std::string(e.what()).find(reason), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find("--board"), std::string::npos) << e.what();
    }
  }
}

void CheckDetection(const char* spec) {
  const Board board(ParseBoardSpec(spec));
  const Camera camera = RenderCamera();
  const Rigid3d cam_from_board = Pose(25, {1, 0.3, 0.1}, {-0.12, -0.1, 0.55});
  const cv::Mat image = Render(board, camera, cam_from_board, 2000, 20);
  const BoardView view = board.Detect(image, BoardDetectionOptions(), &camera);
  ASSERT_TRUE(view.accepted) << spec << ": " << view.reject_reason;
  EXPECT_EQ(static_cast<int>(view.ids.size()), board.NumCorners()) << spec;
  double max_err = 0;
  Eigen::Vector2d mean_err = Eigen::Vector2d::Zero();
  for (size_t i = 0; i < view.ids.size(); ++i) {
    const Eigen::Vector2d expected =
        camera.ImageFromCam(cam_from_board * board.CornerInBoard(view.ids[i]));
    max_err = std::max(max_err, (expected - view.corners[i]).norm());
    mean_err += (view.corners[i] - expected) / static_cast<double>(view.ids.size());
  }
  std::printf("mean error %.3f %.3f\n", mean_err.x(), mean_err.y());
  std::printf("%s: %zu corners, max error %.3f px, sharpness %.0f\n", spec, view.ids.size(),
              max_err, view.sharpness);
  EXPECT_LT(max_err, 0.3) << spec;
  Rigid3d estimated;
  ASSERT_TRUE(board.EstimatePose(view, camera, &estimated));
  EXPECT_LT((estimated.translation - cam_from_board.translation).norm(), 0.002);
  // The printed face looks back at the camera.
  EXPECT_LT((cam_from_board.rotation * board.BoardFaceNormal()).z(), 0);

  // A defocused or fast-moving view is rejected with the reason.
  cv::Mat blurred;
  cv::blur(image, blurred, cv::Size(15, 15));
  const BoardView b = board.Detect(blurred, BoardDetectionOptions(), &camera);
  EXPECT_FALSE(b.accepted) << spec;
  EXPECT_LT(b.sharpness, view.sharpness / 4) << spec;
  EXPECT_FALSE(b.reject_reason.empty());

  // Nearly edge-on: rejected as degenerate when intrinsics are known.
  const Rigid3d grazing = Pose(78, {1, 0, 0}, {-0.1, -0.05, 0.6});
  const BoardView g =
      board.Detect(Render(board, camera, grazing, 2000, 20), BoardDetectionOptions(), &camera);
  EXPECT_FALSE(g.accepted) << spec;
}

TEST(BoardDetectionTest, Charuco) { CheckDetection("charuco:5x7:0.04:0.03:DICT_6X6_250"); }
TEST(BoardDetectionTest, Chessboard) { CheckDetection("chessboard:7x5:0.04"); }

TEST(BoardDetectionTest, FewCornersAndEmptyImagesAreRejected) {
  const Board board(ParseBoardSpec("charuco:5x7:0.04:0.03:DICT_6X6_250"));
  const Camera camera = RenderCamera();
  const cv::Mat image = Render(board, camera, Pose(10, {1, 0, 0}, {-0.1, -0.14, 0.5}), 2000, 20);
  // Only a corner of the board left in view.
  cv::Mat cropped = image.clone();
  const BoardView full = board.Detect(image, BoardDetectionOptions());
  ASSERT_TRUE(full.accepted) << full.reject_reason;
  double min_x = 1e9, min_y = 1e9;
  for (const auto& c : full.corners) min_x = std::min(min_x, c.x()), min_y = std::min(min_y, c.y());
  cropped(cv::Rect(static_cast<int>(min_x) + 60, 0, camera.width - static_cast<int>(min_x) - 60,
                   camera.height))
      .setTo(cv::Scalar(128));
  const BoardView part = board.Detect(cropped, BoardDetectionOptions());
  EXPECT_FALSE(part.accepted);
  EXPECT_LT(part.ids.size(), full.ids.size());
  EXPECT_FALSE(part.reject_reason.empty());
  const BoardView none =
      board.Detect(cv::Mat(480, 640, CV_8UC1, cv::Scalar(200)), BoardDetectionOptions());
  EXPECT_FALSE(none.accepted);
  EXPECT_NE(none.reject_reason.find("too few corners (0"), std::string::npos) << none.reject_reason;
}

}  // namespace
}  // namespace hl
