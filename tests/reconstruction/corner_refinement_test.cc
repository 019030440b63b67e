// RefineCornersByEdges on sharp renders (capture/sim renderer, area-sampled
// edges) of markers rolled against the pixel grid. Before session 2 the
// gradient-peak edge points were off by up to half a pixel on sides parallel
// to the grid (this test: 0.44 px RMS at 0 deg roll, 0.04-0.10 px at 11-45
// deg): a sharp edge between two pixel centres has a flat bilinear gradient,
// so its peak is anywhere in that pixel. Area-based edge points: 0.034 px at
// 0 deg (the rest not analysed), <= 0.015 px at the other rolls.

#include "reconstruction/corner_refinement.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <map>
#include <vector>

#include <opencv2/aruco.hpp>

#include "capture/sim/renderer.h"
#include "capture/sim/rig_presets.h"

namespace hl {
namespace {

constexpr int kMarkerCells = 6;  // DICT_4X4: 4 code cells plus the black border

// A marker whose printed face looks straight back at the camera, centred on
// the ray through `pixel`, its x axis the image's x axis rolled by `roll`.
sim::MarkerInstance FacingMarker(const Camera& camera, int id, const Eigen::Vector2d& pixel,
                                 double depth_m, double length_m, double roll) {
  const Eigen::Vector3d center_in_cam((pixel.x() - camera.cx) / camera.fx * depth_m,
                                      (pixel.y() - camera.cy) / camera.fy * depth_m, depth_m);
  const double c = std::cos(roll), s = std::sin(roll);
  Eigen::Matrix3d cam_from_marker;
  cam_from_marker << c, s, 0, s, -c, 0, 0, 0, -1;  // columns x, y = z cross x, z = -z_cam
  sim::MarkerInstance m;
  m.id = id;
  m.length_m = length_m;
  m.world_from_marker = camera.cam_from_world.Inverse() *
                        Rigid3d(Eigen::Quaterniond(cam_from_marker), center_in_cam);
  return m;
}

struct RollResult {
  double rms_px = 0;
  int corners = 0;
  int failed = 0;
};

// Renders 12 markers (two sizes, sub-pixel offsets) near the image centre,
// detects them without refinement, refines and compares with the projection.
RollResult MeasureAtRoll(const Camera& camera, double roll) {
  sim::SceneFrame scene;
  const double length_m = 0.08;
  for (int i = 0; i < 12; ++i) {
    const double side_px = i < 6 ? 26.0 : 50.0;  // black square: cells of 4.3 and 8.3 px
    const Eigen::Vector2d pixel(camera.cx - 250 + 100 * (i % 6) + 0.13 * i,
                                camera.cy + (i < 6 ? -70 : 70) + 0.29 * i);
    scene.markers.push_back(
        FacingMarker(camera, i, pixel, length_m * camera.fx / side_px, length_m, roll));
  }
  const cv::Mat image = sim::RenderView(camera, scene, sim::RenderOptions::Sharp(), 0);
  auto params = cv::aruco::DetectorParameters::create();
  params->cornerRefinementMethod = cv::aruco::CORNER_REFINE_NONE;
  std::vector<int> ids;
  std::vector<std::vector<cv::Point2f>> found;
  cv::aruco::detectMarkers(image, cv::aruco::getPredefinedDictionary(cv::aruco::DICT_4X4_50),
                           found, ids, params);
  EXPECT_EQ(ids.size(), scene.markers.size()) << "roll " << roll;
  RollResult out;
  double sum = 0;
  for (size_t k = 0; k < ids.size(); ++k) {
    std::vector<cv::Point2f> q = found[k];
    double perimeter = 0;
    for (int i = 0; i < 4; ++i) perimeter += cv::norm(q[i] - q[(i + 1) % 4]);
    if (!RefineCornersByEdges(image, perimeter / 4.0 / kMarkerCells, &q)) {
      ++out.failed;
      continue;
    }
    const std::vector<Eigen::Vector3d> truth = sim::MarkerCornersInWorld(scene.markers[ids[k]]);
    // detectMarkers starts its polygon at the marker's first corner, as
    // MarkerCornersInWorld does, so corners pair up by index.
    for (int i = 0; i < 4; ++i) {
      Eigen::Vector2d p;
      EXPECT_TRUE(camera.Project(truth[i], &p));
      sum += (p - Eigen::Vector2d(q[i].x, q[i].y)).squaredNorm();
      ++out.corners;
    }
  }
  out.rms_px = out.corners > 0 ? std::sqrt(sum / out.corners) : 0.0;
  return out;
}

TEST(CornerRefinementTest, SubPixelCornersAtEveryRollToThePixelGrid) {
  const Camera camera = sim::MakeRigPreset("studio4").cameras[0];
  for (const double roll_deg : {0.0, 11.0, 22.5, 34.0, 45.0}) {
    const RollResult r = MeasureAtRoll(camera, roll_deg * M_PI / 180.0);
    std::printf("roll %4.1f deg: RMS %.4f px over %d corners, %d refinements failed\n", roll_deg,
                r.rms_px, r.corners, r.failed);
    EXPECT_EQ(r.failed, 0) << "roll " << roll_deg;
    EXPECT_EQ(r.corners, 48) << "roll " << roll_deg;
    EXPECT_LT(r.rms_px, 0.05) << "roll " << roll_deg;
  }
}

TEST(CornerRefinementTest, TooSmallOrOffImageQuadIsRejectedAndLeftAlone) {
  cv::Mat gray(40, 40, CV_8UC1, cv::Scalar(255));
  gray(cv::Rect(10, 10, 20, 20)).setTo(0);
  std::vector<cv::Point2f> tiny = {{10, 10}, {12, 10}, {12, 12}, {10, 12}};
  const std::vector<cv::Point2f> tiny_copy = tiny;
  EXPECT_FALSE(RefineCornersByEdges(gray, 3.0, &tiny));
  EXPECT_EQ(tiny, tiny_copy);
  // Sides along the image border: no run fits inside the image.
  std::vector<cv::Point2f> border = {{0, 0}, {39, 0}, {39, 39}, {0, 39}};
  EXPECT_FALSE(RefineCornersByEdges(gray, 5.0, &border));
  // The square itself, from corners half a pixel off: its pixel-centre
  // corners are (9.5, 9.5) and (29.5, 29.5).
  std::vector<cv::Point2f> square = {{10, 10}, {30, 10}, {30, 30}, {10, 30}};
  ASSERT_TRUE(RefineCornersByEdges(gray, 3.0, &square));
  const std::vector<cv::Point2f> expected = {{9.5f, 9.5f}, {29.5f, 9.5f}, {29.5f, 29.5f},
                                             {9.5f, 29.5f}};
  for (int i = 0; i < 4; ++i) {
    EXPECT_NEAR(square[i].x, expected[i].x, 1e-3) << i;
    EXPECT_NEAR(square[i].y, expected[i].y, 1e-3) << i;
  }
}

}  // namespace
}  // namespace hl
