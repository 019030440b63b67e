// Acceptance 1 of issue #4 with a truth: the four real tutorial views
// (../shared/data/real/aruco/img_00..03.jpg) re-rendered. The board is drawn
// in the poses, with the intrinsics and the lens distortion that OpenCV's
// own corners give on the photos, at 640x480, with sensor noise and JPEG, so
// the views are as weakly conditioned as the real ones (the fit's standard
// deviation of fx is ~5 px per 0.04 px of corner RMS, as on the photos).
// On the photos the X-corner intrinsics land fx +3.4 %, cy -3.9 % from the
// published file (made from OpenCV's corners): these tests measure which
// corners recover the truth from such views, for two kinds of image:
// - smooth: 4x4 supersampled (area), Gaussian blur 0.5 px. Measured (2
//   seeds): corner error X-corner 0.013/0.015 px RMS, OpenCV 0.043/0.044
//   px; fx off the truth X-corner +0.03/-0.29 %, OpenCV -1.35/-2.5 %; cy
//   X-corner -0.2/+0.3 %, OpenCV +2.0/+3.9 %.
// - aliased: one sample per pixel, no blur, like the photos, whose edges
//   are 1-pixel staircases with almost no intermediate gray levels (the
//   X-corner fit's blur went to its 0.05 px floor there). See the second
//   test for the figures.

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include <opencv2/calib3d.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "calibration/board.h"
#include "calibration/intrinsics.h"

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
    AppendViewPoints(board, v, &object_points, &image_points);
  }
  cv::Mat K, dist;
  std::vector<cv::Mat> rvecs, tvecs;
  Fit fit;
  fit.rms_px = cv::calibrateCamera(object_points, image_points, cv::Size(640, 480), K, dist, rvecs,
                                   tvecs, 0);
  for (int j = 0; j < 4; ++j) fit.k[j] = K.at<double>(j < 2 ? j : j - 2, j < 2 ? j : 2);
  return fit;
}

// The four tutorial poses with their truth, rendered on demand.
class TutorialPoses {
 public:
  explicit TutorialPoses(const Board& board) : board_(board) {
    BoardDetectionOptions opencv_corners;
    opencv_corners.charuco_xcorner = false;
    // Truth: poses, intrinsics and distortion from the photos.
    std::vector<std::vector<cv::Point3f>> object_points;
    std::vector<std::vector<cv::Point2f>> image_points;
    for (int i = 0; i < 4; ++i) {
      const cv::Mat photo = cv::imread(kAruco + "img_0" + std::to_string(i) + ".jpg");
      EXPECT_FALSE(photo.empty()) << i;
      if (photo.empty()) return;
      const BoardView v = board.Detect(photo, opencv_corners);
      AppendViewPoints(board, v, &object_points, &image_points);
    }
    cv::calibrateCamera(object_points, image_points, cv::Size(640, 480), K_, dist_, rvecs_, tvecs_,
                        0);
    for (int j = 0; j < 4; ++j) truth_[j] = K_.at<double>(j < 2 ? j : j - 2, j < 2 ? j : 2);

    // Texture: 100 px per square; texel (pixel centre) coordinates -> board
    // metres by an affine map fitted to the texture's corners.
    texture_ = board.Draw(kSquarePx / 0.04, kMargin);
    const BoardView on_texture = board.Detect(texture_, opencv_corners);
    EXPECT_EQ(on_texture.ids.size(), 24u);
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
    board_from_texel_ = cv::Mat::eye(3, 3, CV_64F);
    affine.copyTo(board_from_texel_.rowRange(0, 2));
  }

  const double* truth() const { return truth_; }

  // View `i` at 640x480 from `sub` x `sub` samples per pixel (1: aliased),
  // then Gaussian blur `blur_px` (0: none), sensor noise, JPEG.
  cv::Mat Render(int i, int sub, double blur_px, cv::RNG* rng) const {
    // Ideal (undistorted) pixel of every sub-pixel sample of the image.
    const int w = 640 * sub, h = 480 * sub;
    std::vector<cv::Point2f> grid, ideal;
    grid.reserve(static_cast<size_t>(w) * h);
    for (int y = 0; y < h; ++y) {
      for (int x = 0; x < w; ++x) {
        grid.emplace_back((x + 0.5f) / sub - 0.5f, (y + 0.5f) / sub - 0.5f);
      }
    }
    cv::undistortPoints(grid, ideal, K_, dist_, cv::noArray(), K_,
                        cv::TermCriteria(cv::TermCriteria::COUNT, 20, 0));
    cv::Mat r;
    cv::Rodrigues(rvecs_[i], r);
    const cv::Mat cam_from_plane =
        (cv::Mat_<double>(3, 3) << r.at<double>(0, 0), r.at<double>(0, 1), tvecs_[i].at<double>(0),
         r.at<double>(1, 0), r.at<double>(1, 1), tvecs_[i].at<double>(1), r.at<double>(2, 0),
         r.at<double>(2, 1), tvecs_[i].at<double>(2));
    const cv::Mat h_mat = (K_ * cam_from_plane * board_from_texel_).inv();
    const cv::Matx33d texel_from_ideal(h_mat.ptr<double>());
    cv::Mat map_x(h, w, CV_32F), map_y(h, w, CV_32F);
    for (int y = 0; y < h; ++y) {
      for (int x = 0; x < w; ++x) {
        const cv::Point2f& u = ideal[static_cast<size_t>(y) * w + x];
        const cv::Vec3d t = texel_from_ideal * cv::Vec3d(u.x, u.y, 1.0);
        map_x.at<float>(y, x) = static_cast<float>(t[0] / t[2]);
        map_y.at<float>(y, x) = static_cast<float>(t[1] / t[2]);
      }
    }
    cv::Mat fine, coarse, level;
    cv::remap(texture_, fine, map_x, map_y, sub == 1 ? cv::INTER_NEAREST : cv::INTER_LINEAR,
              cv::BORDER_CONSTANT, cv::Scalar(160));
    if (sub > 1) {
      cv::resize(fine, coarse, cv::Size(640, 480), 0, 0, cv::INTER_AREA);
    } else {
      coarse = fine;
    }
    coarse.convertTo(level, CV_32F, 0.75, 30);  // the photos' paper ~220, ink ~30
    if (blur_px > 0) cv::GaussianBlur(level, level, cv::Size(0, 0), blur_px);
    cv::Mat noise(level.size(), CV_32F);
    rng->fill(noise, cv::RNG::NORMAL, 0, 4.0);
    level += noise;
    cv::Mat gray;
    level.convertTo(gray, CV_8U);
    std::vector<uchar> jpeg;
    cv::imencode(".jpg", gray, jpeg, {cv::IMWRITE_JPEG_QUALITY, 80});
    return cv::imdecode(jpeg, cv::IMREAD_GRAYSCALE);
  }

  // Sum of squared distances of a view's corners from their true projections.
  double ErrorSq(int i, const BoardView& v) const {
    double sum = 0;
    for (size_t k = 0; k < v.ids.size(); ++k) {
      const Eigen::Vector3d& p = board_.CornerInBoard(v.ids[k]);
      std::vector<cv::Point3f> object = {cv::Point3f(p.x(), p.y(), p.z())};
      std::vector<cv::Point2f> projected;
      cv::projectPoints(object, rvecs_[i], tvecs_[i], K_, dist_, projected);
      sum += (v.corners[k] - Eigen::Vector2d(projected[0].x, projected[0].y)).squaredNorm();
    }
    return sum;
  }

 private:
  static constexpr int kSquarePx = 100, kMargin = 60;
  const Board& board_;
  cv::Mat K_, dist_, texture_, board_from_texel_;
  std::vector<cv::Mat> rvecs_, tvecs_;
  double truth_[4] = {0, 0, 0, 0};
};

// Corners of the four rendered views with each detection option: RMS error
// against the truth and the intrinsics they calibrate to.
struct Outcome {
  double error_px = 0;
  Fit fit;
};

std::vector<Outcome> RenderAndDetect(const Board& board, const TutorialPoses& poses, int sub,
                                     double blur_px, uint64_t seed,
                                     const std::vector<BoardDetectionOptions>& options) {
  cv::RNG rng(seed);
  std::vector<std::vector<BoardView>> views(options.size());
  std::vector<double> error_sq(options.size(), 0.0);
  std::vector<int> n(options.size(), 0);
  for (int i = 0; i < 4; ++i) {
    const cv::Mat image = poses.Render(i, sub, blur_px, &rng);
    for (size_t m = 0; m < options.size(); ++m) {
      views[m].push_back(board.Detect(image, options[m]));
      EXPECT_GE(views[m].back().ids.size(), 22u) << i << " " << m;
      error_sq[m] += poses.ErrorSq(i, views[m].back());
      n[m] += static_cast<int>(views[m].back().ids.size());
    }
  }
  std::vector<Outcome> out(options.size());
  const char* names[4] = {"fx", "fy", "cx", "cy"};
  for (size_t m = 0; m < options.size(); ++m) {
    out[m].error_px = std::sqrt(error_sq[m] / std::max(n[m], 1));
    out[m].fit = Calibrate(board, views[m]);
    std::printf("option %zu: corner error vs truth %.4f px RMS (%d);", m, out[m].error_px, n[m]);
    for (int j = 0; j < 4; ++j) {
      std::printf(" %s %+.2f %%", names[j], 100 * (out[m].fit.k[j] / poses.truth()[j] - 1));
    }
    std::printf("\n");
  }
  return out;
}

TEST(RealViewsRenderedTest, XCornersRecoverIntrinsicsFromTheFourTutorialPoses) {
  const Board board(ParseBoardSpec("charuco:5x7:0.04:0.02:DICT_6X6_250"));
  const TutorialPoses poses(board);
  BoardDetectionOptions opencv_corners;
  opencv_corners.charuco_xcorner = false;
  const std::vector<Outcome> out =
      RenderAndDetect(board, poses, 4, 0.5, 100, {BoardDetectionOptions(), opencv_corners});
  const Outcome &xcorner = out[0], &opencv = out[1];
  EXPECT_LT(xcorner.error_px, 0.03);
  EXPECT_LT(xcorner.error_px, 0.5 * opencv.error_px);
  const char* names[4] = {"fx", "fy", "cx", "cy"};
  for (int j = 0; j < 4; ++j) {
    const double truth = poses.truth()[j];
    EXPECT_NEAR(xcorner.fit.k[j], truth, 0.015 * truth) << names[j];
    EXPECT_LE(std::abs(xcorner.fit.k[j] - truth), std::abs(opencv.fit.k[j] - truth) + 0.2)
        << names[j];
  }
}

// The same poses aliased, as the photos are, four noise seeds (100..103).
// Measured, X-corner (blur floor 1/sqrt(12) px) / X-corner with session 3's
// 0.05 px floor / OpenCV: corner error vs truth 0.100-0.106 / 0.126-0.163 /
// 0.191-0.193 px RMS; fx off the truth -0.40..+0.16 % / +0.65..+1.30 % /
// -5.52..+0.35 % (mean -2.2 %); cy +0.26..+1.01 % / -1.17..+1.20 % /
// -0.54..+6.76 % (mean +2.4 %). OpenCV's corners scatter fx and cy by
// several percent on such images, leaning fx low and cy high: the direction
// of the published file from our photo calibration (fx +3.4 %, cy -3.9 %;
// our OpenCV 4.6 corners on the photos: fx +0.9 %, cy -1.2 %).
TEST(RealViewsRenderedTest, AliasedViewsScatterOpenCvCornersNotXCorners) {
  const Board board(ParseBoardSpec("charuco:5x7:0.04:0.02:DICT_6X6_250"));
  const TutorialPoses poses(board);
  BoardDetectionOptions opencv_corners, low_floor;
  opencv_corners.charuco_xcorner = false;
  low_floor.xcorner.min_blur_px = 0.05;
  const char* names[4] = {"fx", "fy", "cx", "cy"};
  constexpr int kSeeds = 4;
  double mean_off[3][4] = {};  // per option, fx fy cx cy, percent
  for (int seed = 100; seed < 100 + kSeeds; ++seed) {
    const std::vector<Outcome> out = RenderAndDetect(
        board, poses, 1, 0.0, seed, {BoardDetectionOptions(), low_floor, opencv_corners});
    const Outcome &xcorner = out[0], &unfloored = out[1], &opencv = out[2];
    EXPECT_LT(xcorner.error_px, 0.12) << seed;
    EXPECT_LT(xcorner.error_px, 0.9 * unfloored.error_px) << seed;
    EXPECT_LT(xcorner.error_px, 0.7 * opencv.error_px) << seed;
    for (int j = 0; j < 4; ++j) {
      const double truth = poses.truth()[j];
      EXPECT_NEAR(xcorner.fit.k[j], truth, 0.015 * truth) << names[j] << " seed " << seed;
      for (int m = 0; m < 3; ++m) mean_off[m][j] += 100 * (out[m].fit.k[j] / truth - 1) / kSeeds;
    }
  }
  std::printf(
      "mean %% off the truth (fx fy cx cy): X-corner %+.2f %+.2f %+.2f %+.2f, 0.05 px "
      "floor %+.2f %+.2f %+.2f %+.2f, OpenCV %+.2f %+.2f %+.2f %+.2f\n",
      mean_off[0][0], mean_off[0][1], mean_off[0][2], mean_off[0][3], mean_off[1][0],
      mean_off[1][1], mean_off[1][2], mean_off[1][3], mean_off[2][0], mean_off[2][1],
      mean_off[2][2], mean_off[2][3]);
  // The floor removes a focal-length bias; OpenCV's corners lean fx low, cy high.
  EXPECT_LT(std::abs(mean_off[0][0]), std::abs(mean_off[1][0]));
  EXPECT_LT(mean_off[2][0], -1.0);
  EXPECT_GT(mean_off[2][3], 1.0);
  for (int j : {0, 3}) EXPECT_LT(std::abs(mean_off[0][j]), std::abs(mean_off[2][j])) << names[j];
}

}  // namespace
}  // namespace hl
