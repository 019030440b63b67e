// Acceptance 1 of issue #4 with a truth: the four real tutorial views
// (../shared/data/real/aruco/img_00..03.jpg) re-rendered. The board is drawn
// in the poses, with the intrinsics and the lens distortion that OpenCV's
// own corners give on the photos, at 640x480 (4x4 supersampled, blur,
// sensor noise, JPEG), so the views are as weakly conditioned as the real
// ones (the fit's standard deviation of fx is ~5 px per 0.04 px of corner
// RMS, as on the photos). On the photos the X-corner intrinsics land +4.5 %
// (fx) and -4.8 % (cy) from the published file while OpenCV's land within
// 1.5 %: this test measures which corners recover the truth from such views.
// Measured (2 seeds): corner error X-corner 0.013/0.015 px RMS, OpenCV
// 0.043/0.044 px; fx off the truth X-corner +0.03/-0.29 %, OpenCV
// -1.35/-2.5 %; cy X-corner -0.2/+0.3 %, OpenCV +2.0/+3.9 %.

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include <opencv2/calib3d.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "calibration/board.h"
#include "tests/calibration/board_points.h"

namespace hl {
namespace {

const std::string kAruco = std::string(HL_SHARED_DIR) + "/data/real/aruco/";

struct Fit {
  double rms_px = 0;
  double k[4] = {0, 0, 0, 0};  // fx, fy, cx, cy
};

Fit Calibrate(const Board& board, const std::vector<BoardView>& views) {
  std::vector<std::vector<cv::Point3f>> object_points;
  std::vector<std::vector<cv::Point2f>> image_points;
  for (const BoardView& v : views) {
    test::AppendViewPoints(board, v, &object_points, &image_points);
  }
  cv::Mat K, dist;
  std::vector<cv::Mat> rvecs, tvecs;
  Fit fit;
  fit.rms_px = cv::calibrateCamera(object_points, image_points, cv::Size(640, 480), K, dist, rvecs,
                                   tvecs, 0);
  for (int j = 0; j < 4; ++j) fit.k[j] = K.at<double>(j < 2 ? j : j - 2, j < 2 ? j : 2);
  return fit;
}

TEST(RealViewsRenderedTest, XCornersRecoverIntrinsicsFromTheFourTutorialPoses) {
  const Board board(ParseBoardSpec("charuco:5x7:0.04:0.02:DICT_6X6_250"));
  BoardDetectionOptions opencv_corners;
  opencv_corners.charuco_xcorner = false;
  // Truth: poses, intrinsics and distortion from the photos.
  std::vector<std::vector<cv::Point3f>> object_points;
  std::vector<std::vector<cv::Point2f>> image_points;
  for (int i = 0; i < 4; ++i) {
    const cv::Mat photo = cv::imread(kAruco + "img_0" + std::to_string(i) + ".jpg");
    ASSERT_FALSE(photo.empty()) << i;
    const BoardView v = board.Detect(photo, opencv_corners);
    test::AppendViewPoints(board, v, &object_points, &image_points);
  }
  cv::Mat K, dist;
  std::vector<cv::Mat> rvecs, tvecs;
  cv::calibrateCamera(object_points, image_points, cv::Size(640, 480), K, dist, rvecs, tvecs, 0);
  const double truth[4] = {K.at<double>(0, 0), K.at<double>(1, 1), K.at<double>(0, 2),
                           K.at<double>(1, 2)};

  // Texture: 100 px per square; texel (pixel centre) coordinates -> board
  // metres by an affine map fitted to the texture's corners.
  constexpr int kSquarePx = 100, kMargin = 60;
  const cv::Mat texture = board.Draw(kSquarePx / 0.04, kMargin);
  const BoardView on_texture = board.Detect(texture, opencv_corners);
  ASSERT_EQ(on_texture.ids.size(), 24u);
  cv::Mat normal = cv::Mat::zeros(3, 3, CV_64F), rhs = cv::Mat::zeros(3, 2, CV_64F);
  for (size_t k = 0; k < on_texture.ids.size(); ++k) {
    // Square boundaries fall between texels: at margin + n * square - 0.5.
    auto snap = [](double c) {
      return kMargin + std::round((c + 0.5 - kMargin) / kSquarePx) * kSquarePx - 0.5;
    };
    const cv::Mat row = (cv::Mat_<double>(1, 3) << snap(on_texture.corners[k].x()),
                         snap(on_texture.corners[k].y()), 1.0);
    const Eigen::Vector3d& p = board.CornerInBoard(on_texture.ids[k]);
    normal += row.t() * row;
    rhs += row.t() * (cv::Mat_<double>(1, 2) << p.x(), p.y());
  }
  const cv::Mat affine = (normal.inv() * rhs).t();  // 2x3
  cv::Mat board_from_texel = cv::Mat::eye(3, 3, CV_64F);
  affine.copyTo(board_from_texel.rowRange(0, 2));

  // Ideal (undistorted) pixel of every 4x4 sub-pixel of the image.
  constexpr int kSub = 4, kW = 640 * kSub, kH = 480 * kSub;
  std::vector<cv::Point2f> grid, ideal;
  grid.reserve(static_cast<size_t>(kW) * kH);
  for (int y = 0; y < kH; ++y) {
    for (int x = 0; x < kW; ++x) {
      grid.emplace_back((x + 0.5f) / kSub - 0.5f, (y + 0.5f) / kSub - 0.5f);
    }
  }
  cv::undistortPoints(grid, ideal, K, dist, cv::noArray(), K,
                      cv::TermCriteria(cv::TermCriteria::COUNT, 20, 0));

  cv::RNG rng(100);
  std::vector<BoardView> xcorner_views, opencv_views;
  double error_sq[2] = {0, 0};
  int n[2] = {0, 0};
  for (int i = 0; i < 4; ++i) {
    cv::Mat r;
    cv::Rodrigues(rvecs[i], r);
    const cv::Mat cam_from_plane =
        (cv::Mat_<double>(3, 3) << r.at<double>(0, 0), r.at<double>(0, 1), tvecs[i].at<double>(0),
         r.at<double>(1, 0), r.at<double>(1, 1), tvecs[i].at<double>(1), r.at<double>(2, 0),
         r.at<double>(2, 1), tvecs[i].at<double>(2));
    const cv::Mat h_mat = (K * cam_from_plane * board_from_texel).inv();
    const cv::Matx33d h(h_mat.ptr<double>());  // texel from ideal pixel
    cv::Mat map_x(kH, kW, CV_32F), map_y(kH, kW, CV_32F);
    for (int y = 0; y < kH; ++y) {
      for (int x = 0; x < kW; ++x) {
        const cv::Point2f& u = ideal[static_cast<size_t>(y) * kW + x];
        const cv::Vec3d t = h * cv::Vec3d(u.x, u.y, 1.0);
        map_x.at<float>(y, x) = static_cast<float>(t[0] / t[2]);
        map_y.at<float>(y, x) = static_cast<float>(t[1] / t[2]);
      }
    }
    cv::Mat fine, coarse, level;
    cv::remap(texture, fine, map_x, map_y, cv::INTER_LINEAR, cv::BORDER_CONSTANT, cv::Scalar(160));
    cv::resize(fine, coarse, cv::Size(640, 480), 0, 0, cv::INTER_AREA);
    coarse.convertTo(level, CV_32F, 0.75, 30);  // the photos' paper ~220, ink ~30
    cv::GaussianBlur(level, level, cv::Size(0, 0), 0.5);
    cv::Mat noise(level.size(), CV_32F);
    rng.fill(noise, cv::RNG::NORMAL, 0, 4.0);
    level += noise;
    cv::Mat gray;
    level.convertTo(gray, CV_8U);
    std::vector<uchar> jpeg;
    cv::imencode(".jpg", gray, jpeg, {cv::IMWRITE_JPEG_QUALITY, 80});
    const cv::Mat image = cv::imdecode(jpeg, cv::IMREAD_GRAYSCALE);

    xcorner_views.push_back(board.Detect(image, BoardDetectionOptions()));
    opencv_views.push_back(board.Detect(image, opencv_corners));
    EXPECT_GE(xcorner_views.back().ids.size(), 22u) << i;
    for (int m = 0; m < 2; ++m) {
      const BoardView& v = m == 0 ? xcorner_views.back() : opencv_views.back();
      for (size_t k = 0; k < v.ids.size(); ++k) {
        const Eigen::Vector3d& p = board.CornerInBoard(v.ids[k]);
        std::vector<cv::Point3f> object = {cv::Point3f(p.x(), p.y(), p.z())};
        std::vector<cv::Point2f> projected;
        cv::projectPoints(object, rvecs[i], tvecs[i], K, dist, projected);
        const Eigen::Vector2d truth_px(projected[0].x, projected[0].y);
        error_sq[m] += (v.corners[k] - truth_px).squaredNorm();
        ++n[m];
      }
    }
  }
  const double xcorner_error = std::sqrt(error_sq[0] / n[0]);
  const double opencv_error = std::sqrt(error_sq[1] / n[1]);
  const Fit xcorner = Calibrate(board, xcorner_views), opencv = Calibrate(board, opencv_views);
  std::printf("corner error vs truth: X-corner %.4f px RMS (%d), OpenCV %.4f px RMS (%d)\n",
              xcorner_error, n[0], opencv_error, n[1]);
  const char* names[4] = {"fx", "fy", "cx", "cy"};
  for (int j = 0; j < 4; ++j) {
    std::printf("%s truth %.2f  X-corner %.2f (%+.2f %%)  OpenCV %.2f (%+.2f %%)\n", names[j],
                truth[j], xcorner.k[j], 100 * (xcorner.k[j] / truth[j] - 1), opencv.k[j],
                100 * (opencv.k[j] / truth[j] - 1));
  }
  EXPECT_LT(xcorner_error, 0.03);
  EXPECT_LT(xcorner_error, 0.5 * opencv_error);
  for (int j = 0; j < 4; ++j) {
    EXPECT_NEAR(xcorner.k[j], truth[j], 0.015 * truth[j]) << names[j];
    EXPECT_LE(std::abs(xcorner.k[j] - truth[j]), std::abs(opencv.k[j] - truth[j]) + 0.2)
        << names[j];
  }
}

}  // namespace
}  // namespace hl
