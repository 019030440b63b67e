#include "calibration/intrinsics.h"

#include <gtest/gtest.h>

#include <algorithm>

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>

#include "calibration/board.h"
#include "core/error.h"

namespace hl {
namespace {

const std::string kAruco = std::string(HL_SHARED_DIR) + "/data/real/aruco/";

// Acceptance: OpenCV's published tutorial calibration of img_00..03.
TEST(IntrinsicsTest, RealCharucoImagesMatchPublishedCalibration) {
  const Board board(ParseBoardSpec("charuco:5x7:0.04:0.02:DICT_6X6_250"));
  std::vector<BoardView> views;
  cv::Size size;
  for (int i = 0; i < 4; ++i) {
    const cv::Mat image = cv::imread(kAruco + "img_0" + std::to_string(i) + ".jpg");
    ASSERT_FALSE(image.empty()) << i;
    size = image.size();
    views.push_back(board.Detect(image, BoardDetectionOptions()));
    EXPECT_TRUE(views.back().accepted) << i << ": " << views.back().reject_reason;
    EXPECT_GE(views.back().ids.size(), 20u) << i;
    EXPECT_GE(views.back().markers_found, 16) << i;
  }
  const IntrinsicsResult r = CalibrateIntrinsics(board, views, size, IntrinsicsOptions(), "cam0");
  std::printf("%s\n", r.Summary().c_str());
  ASSERT_EQ(r.used_views.size(), 4u);
  EXPECT_LE(r.rms_px, 0.20);
  // The published file: fx 452.51, fy 456.77, cx 317.70, cy 277.75.
  EXPECT_NEAR(r.camera.fx, 452.51, 0.015 * 452.51);
  EXPECT_NEAR(r.camera.fy, 456.77, 0.015 * 456.77);
  EXPECT_NEAR(r.camera.cx, 317.70, 0.015 * 317.70);
  EXPECT_NEAR(r.camera.cy, 277.75, 0.015 * 277.75);
  EXPECT_EQ(r.camera.dist.size(), 5u);
  ASSERT_EQ(r.view_rms_px.size(), 4u);
  for (double v : r.view_rms_px) EXPECT_LE(v, 0.3);
  EXPECT_GT(r.coverage, 0.0);
  EXPECT_LE(r.coverage, 1.0);
}

TEST(IntrinsicsTest, TooFewViewsNamesTheCamera) {
  const Board board(ParseBoardSpec("charuco:5x7:0.04:0.02:DICT_6X6_250"));
  const cv::Mat image = cv::imread(kAruco + "img_00.jpg");
  ASSERT_FALSE(image.empty());
  std::vector<BoardView> views = {board.Detect(image, BoardDetectionOptions())};
  try {
    CalibrateIntrinsics(board, views, image.size(), IntrinsicsOptions(), "left");
    FAIL() << "expected hl::Error";
  } catch (const Error& e) {
    EXPECT_EQ(e.where(), "left");
    EXPECT_NE(e.message().find("only 1 usable"), std::string::npos) << e.message();
  }
}

TEST(IntrinsicsTest, WrongDictionaryFindsNothingAndSaysSo) {
  const Board board(ParseBoardSpec("charuco:5x7:0.04:0.02:DICT_4X4_50"));
  std::vector<BoardView> views;
  cv::Size size;
  for (int i = 0; i < 4; ++i) {
    const cv::Mat image = cv::imread(kAruco + "img_0" + std::to_string(i) + ".jpg");
    size = image.size();
    views.push_back(board.Detect(image, BoardDetectionOptions()));
    EXPECT_FALSE(views.back().accepted);
  }
  try {
    CalibrateIntrinsics(board, views, size, IntrinsicsOptions(), "cam0");
    FAIL() << "expected hl::Error";
  } catch (const Error& e) {
    EXPECT_NE(e.message().find("dictionary"), std::string::npos) << e.message();
  }
}

// Selection from many views keeps the cap and prefers spread-out views.
TEST(IntrinsicsTest, SelectViewsCapsAndSpreads) {
  const Board board(ParseBoardSpec("chessboard:9x6:0.025"));
  const cv::Size size(1000, 1000);
  std::vector<BoardView> views;
  // 60 near-duplicates at the image centre and 6 distinct placements.
  auto make_view = [&](double ox, double oy, double scale) {
    BoardView v;
    for (int id = 0; id < board.NumCorners(); ++id) {
      const Eigen::Vector3d& p = board.CornerInBoard(id);
      v.ids.push_back(id);
      v.corners.emplace_back(ox + scale * p.x(), oy + scale * p.y());
    }
    v.sharpness = 100;
    v.accepted = true;
    return v;
  };
  for (int i = 0; i < 60; ++i) views.push_back(make_view(400 + 0.01 * i, 420, 1000));
  const double spots[6][2] = {{20, 20}, {700, 20}, {20, 800}, {700, 800}, {400, 20}, {20, 420}};
  for (const auto& s : spots) views.push_back(make_view(s[0], s[1], 1000));
  IntrinsicsOptions options;
  options.max_views = 8;
  const std::vector<int> chosen = SelectViews(board, views, size, options);
  ASSERT_EQ(chosen.size(), 8u);
  int distinct = 0;
  for (int i : chosen) distinct += i >= 60;
  EXPECT_EQ(distinct, 6);
  // A blurred view is not picked even if it is far from the rest.
  views.push_back(make_view(400, 800, 1000));
  views.back().sharpness = 10;
  const std::vector<int> again = SelectViews(board, views, size, options);
  EXPECT_EQ(std::count(again.begin(), again.end(), 66), 0);
}

}  // namespace
}  // namespace hl
