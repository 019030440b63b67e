#include "reconstruction/detection.h"

#include <map>
#include <set>

#include <gtest/gtest.h>
#include <opencv2/imgcodecs.hpp>

#include "capture/sim/renderer.h"
#include "capture/sim/rig_presets.h"
#include "core/marker_set.h"

namespace hl {
namespace {

MarkerSet Set4x4() {
  return ParseMarkerSet(
      "dictionary: DICT_4X4_50\nmarker_length_m: 0.05\nmarkers:\n"
      "  - {id: 0, segment: dowel}\n  - {id: 1, segment: dowel}\n"
      "  - {id: 10, segment: pelvis}\n  - {id: 11, segment: pelvis}\n",
      "test set");
}

DetectionOptions Options(CornerRefinement refinement = CornerRefinement::kSubpix) {
  DetectionOptions o;
  o.dictionary_id = cv::aruco::DICT_4X4_50;
  o.refinement = refinement;
  return o;
}

// A marker at `position` turned to face camera 0 of studio4 (off-axis by `tilt`).
sim::MarkerInstance Facing(const Camera& cam, int id, const Eigen::Vector3d& position, double tilt) {
  const Eigen::Vector3d z = (cam.CenterInWorld() - position).normalized();
  Eigen::Vector3d x = Eigen::Vector3d::UnitZ().cross(z).normalized();
  const Eigen::Vector3d y = z.cross(x);
  Eigen::Matrix3d R;
  R << x, y, z;
  sim::MarkerInstance m;
  m.id = id;
  m.length_m = 0.05;
  m.world_from_marker = Rigid3d(Eigen::Quaterniond(R) *
                                    Eigen::Quaterniond(Eigen::AngleAxisd(tilt, Eigen::Vector3d::UnitX())),
                                position);
  return m;
}

sim::RenderOptions Render() {
  sim::RenderOptions o = sim::RenderOptions::Sharp();
  o.marker_dictionary = cv::aruco::DICT_4X4_50;
  return o;
}

// Sum of squared corner errors (px^2) against the true projection.
double CornerSquaredError(const Camera& cam, const sim::MarkerInstance& m, const MarkerObservation& obs) {
  const auto corners = sim::MarkerCornersInWorld(m);
  double sum = 0;
  for (int i = 0; i < 4; ++i) {
    Eigen::Vector2d px;
    EXPECT_TRUE(cam.Project(corners[i], &px));
    sum += (px - obs.corners_px[i]).squaredNorm();
  }
  return sum;
}

TEST(DetectionTest, RenderedMarkersAreFoundWithSubpixelCorners) {
  const Camera cam = sim::MakeRigPreset("studio4").cameras[0];
  sim::SceneFrame scene;
  scene.markers.push_back(Facing(cam, 0, {0.0, 0.0, 1.0}, 0.3));
  scene.markers.push_back(Facing(cam, 1, {0.3, -0.2, 0.6}, -0.5));
  scene.markers.push_back(Facing(cam, 10, {-0.3, 0.3, 1.3}, 0.0));
  scene.markers.push_back(Facing(cam, 11, {0.2, 0.3, 1.5}, 0.9));
  std::map<CornerRefinement, double> rms;
  std::map<CornerRefinement, int> n;
  sim::RenderOptions render = sim::RenderOptions();  // blur, noise, flicker: as the studio
  render.marker_dictionary = cv::aruco::DICT_4X4_50;
  for (int seed = 1; seed <= 4; ++seed) {
    const cv::Mat image = sim::RenderView(cam, scene, render, seed);
    for (CornerRefinement r : {CornerRefinement::kNone, CornerRefinement::kSubpix,
                               CornerRefinement::kContour, CornerRefinement::kEdges}) {
      const ImageDetections det = DetectMarkersInImage(image, Set4x4(), Options(r));
      ASSERT_EQ(det.markers.size(), 4u);
      EXPECT_TRUE(det.full_frame);
      for (const auto& obs : det.markers) {
        const auto it = std::find_if(scene.markers.begin(), scene.markers.end(),
                                     [&](const auto& m) { return m.id == obs.id; });
        ASSERT_NE(it, scene.markers.end());
        rms[r] += CornerSquaredError(cam, *it, obs);
        n[r] += 4;
      }
    }
  }
  for (auto& [r, v] : rms) v = std::sqrt(v / n[r]);
  std::printf("corner RMS (cells ~4 px): none %.3f, subpix %.3f, contour %.3f, edges %.3f px\n",
              rms[CornerRefinement::kNone], rms[CornerRefinement::kSubpix],
              rms[CornerRefinement::kContour], rms[CornerRefinement::kEdges]);
  EXPECT_LT(rms[CornerRefinement::kEdges], rms[CornerRefinement::kNone]);
  EXPECT_LT(rms[CornerRefinement::kEdges], rms[CornerRefinement::kContour]);
  EXPECT_LT(rms[CornerRefinement::kEdges], rms[CornerRefinement::kSubpix]);
  EXPECT_LT(rms[CornerRefinement::kEdges], 0.6);  // measured 0.55
}

TEST(DetectionTest, UnknownIdsCountedAndDuplicatesExcluded) {
  const Camera cam = sim::MakeRigPreset("studio4").cameras[0];
  sim::SceneFrame scene;
  scene.markers.push_back(Facing(cam, 0, {0.0, 0.0, 1.0}, 0.0));
  scene.markers.push_back(Facing(cam, 1, {0.3, -0.2, 0.8}, 0.0));
  scene.markers.push_back(Facing(cam, 1, {-0.3, 0.2, 0.8}, 0.0));   // id 1 twice
  scene.markers.push_back(Facing(cam, 42, {0.0, 0.4, 1.2}, 0.0));   // not in the set
  const cv::Mat image = sim::RenderView(cam, scene, Render(), 1);
  const ImageDetections det = DetectMarkersInImage(image, Set4x4(), Options());
  ASSERT_EQ(det.markers.size(), 1u);
  EXPECT_EQ(det.markers[0].id, 0);
  EXPECT_EQ(det.unknown_ids, std::vector<int>{42});
  EXPECT_EQ(det.duplicate_ids, std::vector<int>{1});
}

TEST(DetectionTest, RealPhotographFromOpenCvTutorial) {
  const cv::Mat image = cv::imread(std::string(HL_SHARED_DIR) + "/data/real/aruco/singlemarkersoriginal.jpg");
  ASSERT_FALSE(image.empty());
  const MarkerSet set = ParseMarkerSet(
      "dictionary: DICT_6X6_250\nmarker_length_m: 0.05\nmarkers:\n"
      "  - {id: 23, segment: dowel}\n  - {id: 40, segment: dowel}\n  - {id: 62, segment: pelvis}\n",
      "photo set");
  DetectionOptions options;
  options.dictionary_id = set.dictionary_id;
  const ImageDetections det = DetectMarkersInImage(image, set, options);
  std::set<int> ids;
  for (const auto& m : det.markers) ids.insert(m.id);
  EXPECT_EQ(ids, (std::set<int>{23, 40, 62}));
  EXPECT_EQ(det.unknown_ids, (std::vector<int>{98, 124, 203}));
  EXPECT_TRUE(det.duplicate_ids.empty());
}

TEST(DetectionTest, MergeRegionsLeavesNoOverlap) {
  const auto merged = MergeRegions({{0, 0, 10, 10}, {5, 5, 10, 10}, {100, 100, 5, 5}, {14, 0, 3, 3},
                                    {-5, -5, 2, 2}},
                                   cv::Rect(0, 0, 200, 200));
  ASSERT_EQ(merged.size(), 2u);
  EXPECT_EQ(merged[0], cv::Rect(0, 0, 17, 15));
  EXPECT_EQ(merged[1], cv::Rect(100, 100, 5, 5));
}

// Two cameras watch two markers moving; marker 10 leaves the scene at frame 8.
TEST(DetectionTest, TrackerMatchesFullFrameDetectionWhileSearchingLess) {
  const Rig rig = sim::MakeRigPreset("studio4");
  const std::vector<Camera> cams = {rig.cameras[0], rig.cameras[3]};
  std::vector<sim::ViewRenderer> renderers;
  for (const Camera& c : cams) renderers.emplace_back(c, Render());
  TrackingOptions tracking;
  tracking.full_frame_interval = 6;
  tracking.min_lost_pass_interval = 1;  // a lost marker always gets its full pass here
  MarkerTracker tracker(cams, Set4x4(), Options(), tracking);
  int lost_frames = 0;
  for (int f = 0; f < 16; ++f) {
    sim::SceneFrame scene;
    // Facing +X (both cameras are on the +X side), moving 8 mm per frame.
    auto marker = [&](int id, Eigen::Vector3d p) {
      sim::MarkerInstance m;
      m.id = id;
      m.length_m = 0.05;
      m.world_from_marker =
          Rigid3d(Eigen::Quaterniond(Eigen::AngleAxisd(M_PI / 2, Eigen::Vector3d::UnitY())) *
                      Eigen::Quaterniond(Eigen::AngleAxisd(M_PI / 2, Eigen::Vector3d::UnitZ())),
                  p);
      return m;
    };
    scene.markers.push_back(marker(0, {0.0, 0.008 * f, 1.0}));
    if (f < 8) scene.markers.push_back(marker(10, {0.0, -0.2, 0.7 + 0.008 * f}));
    const std::vector<cv::Mat> images = sim::RenderViews(renderers, scene, f);
    const int64_t lost_before = tracker.stats().lost_passes;
    const FrameDetections tracked = tracker.Track(images);
    if (tracker.stats().lost_passes > lost_before) ++lost_frames;
    for (int c = 0; c < 2; ++c) {
      const ImageDetections full = DetectMarkersInImage(images[c], Set4x4(), Options());
      std::printf("frame %d camera %d: tracked", f, c);
      for (const auto& m : tracked[c].markers) std::printf(" %d", m.id);
      std::printf(" full");
      for (const auto& m : full.markers) std::printf(" %d", m.id);
      std::printf("\n");
      ASSERT_EQ(tracked[c].markers.size(), full.markers.size()) << "frame " << f << " camera " << c;
      for (const auto& t : tracked[c].markers) {
        const auto it = std::find_if(full.markers.begin(), full.markers.end(),
                                     [&](const auto& m) { return m.id == t.id; });
        ASSERT_NE(it, full.markers.end());
        for (int i = 0; i < 4; ++i) EXPECT_LT((t.corners_px[i] - it->corners_px[i]).norm(), 0.05);
      }
    }
  }
  const TrackingStats& s = tracker.stats();
  EXPECT_EQ(s.frame_sets, 16);
  EXPECT_GT(s.roi_passes, 15);
  // The marker that left: one lost pass in the frame it left, then suppressed.
  EXPECT_EQ(lost_frames, 1);
  EXPECT_LT(s.searched_pixel_fraction, 0.5);
}

}  // namespace
}  // namespace hl
