#include "reconstruction/segment_layout.h"

#include <random>

#include <gtest/gtest.h>

#include "capture/sim/rig_presets.h"
#include "core/marker_set.h"
#include "tests/reconstruction/synthetic_views.h"

namespace hl {
namespace {

MarkerSet DowelSet() {
  return ParseMarkerSet(
      "dictionary: DICT_4X4_50\nmarker_length_m: 0.04\nmarkers:\n"
      "  - {id: 0, segment: dowel}\n  - {id: 1, segment: dowel}\n"
      "  - {id: 2, segment: dowel}\n  - {id: 3, segment: dowel}\n"
      "  - {id: 30, segment: head, length_m: 0.05}\n",
      "test set");
}

// A dowel swinging about a hinge at the hips for `frames` frames.
std::vector<FrameObservations> SwingingDowel(const std::vector<Camera>& cams,
                                             const RigidBodyLayout& truth, int frames,
                                             double noise, std::vector<Rigid3d>* poses) {
  std::mt19937 rng(17);
  std::vector<FrameObservations> out;
  for (int f = 0; f < frames; ++f) {
    const double lean = 0.7 * (0.5 - 0.5 * std::cos(2 * M_PI * f / 90.0));
    const double turn = 0.3 * std::sin(2 * M_PI * f / 130.0);
    const Rigid3d pose(Eigen::Quaterniond(Eigen::AngleAxisd(turn, Eigen::Vector3d::UnitZ())) *
                           Eigen::Quaterniond(Eigen::AngleAxisd(lean, Eigen::Vector3d::UnitY())),
                       Eigen::Vector3d(0.02 * std::sin(f / 20.0), 0.0, 0.5));
    if (poses) poses->push_back(pose);
    FrameObservations frame;
    for (int k = 0; k < truth.size(); ++k) {
      testing::AddSyntheticViews(cams, truth.ids[k], truth.length_m[k],
                                 pose * truth.segment_from_marker[k], noise, &rng, &frame);
    }
    out.push_back(std::move(frame));
  }
  return out;
}

TEST(SegmentLayoutTest, LearnsTheRelativePosesOfASegmentsMarkers) {
  const std::vector<Camera> cams = sim::MakeRigPreset("studio4").cameras;
  const RigidBodyLayout truth = testing::DowelLayout();
  const std::vector<FrameObservations> frames = SwingingDowel(cams, truth, 200, 0.25, nullptr);
  std::vector<LayoutSummary> summaries;
  const auto layouts = LearnLayouts(cams, DowelSet(), frames, LayoutLearningOptions(), &summaries);
  // The dowel (4 markers linked) and the head marker alone (never seen).
  ASSERT_EQ(layouts.size(), 2u);
  const RigidBodyLayout& dowel = layouts[0];
  ASSERT_EQ(dowel.size(), 4);
  EXPECT_EQ(dowel.segment, "dowel");
  EXPECT_EQ(layouts[1].size(), 1);
  EXPECT_EQ(layouts[1].ids[0], 30);
  ASSERT_EQ(summaries.size(), 1u);
  EXPECT_EQ(summaries[0].markers, 4);
  EXPECT_GT(summaries[0].frames_used, 50);
  EXPECT_LT(summaries[0].rms_px, 0.5);
  // Gauge-free check: every marker's pose relative to every other one.
  for (int a = 0; a < 4; ++a) {
    for (int b = a + 1; b < 4; ++b) {
      const int ka = static_cast<int>(std::find(dowel.ids.begin(), dowel.ids.end(), a) - dowel.ids.begin());
      const int kb = static_cast<int>(std::find(dowel.ids.begin(), dowel.ids.end(), b) - dowel.ids.begin());
      const Rigid3d learned = dowel.segment_from_marker[ka].Inverse() * dowel.segment_from_marker[kb];
      const Rigid3d expected = truth.segment_from_marker[a].Inverse() * truth.segment_from_marker[b];
      // Measured with this seed: up to 0.75 mm and 0.22 deg (pairs with marker 3, the top one,
      // mostly seen by one camera at a time); a wrong link would be centimetres off.
      EXPECT_LT((learned.translation - expected.translation).norm(), 1.0e-3) << a << "-" << b;
      EXPECT_LT(learned.rotation.angularDistance(expected.rotation), 0.3 * M_PI / 180) << a << "-" << b;
    }
  }
}

TEST(SegmentLayoutTest, MarkersNeverSeenTogetherStayAlone) {
  const std::vector<Camera> cams = sim::MakeRigPreset("studio4").cameras;
  const RigidBodyLayout truth = testing::DowelLayout();
  std::vector<FrameObservations> frames = SwingingDowel(cams, truth, 60, 0.2, nullptr);
  // Marker 3 only in frames where no other marker is seen.
  for (auto& f : frames) f.erase(3);
  std::vector<FrameObservations> more = SwingingDowel(cams, truth, 30, 0.2, nullptr);
  for (auto& f : more) {
    FrameObservations only;
    only[3] = f[3];
    frames.push_back(only);
  }
  const auto layouts = LearnLayouts(cams, DowelSet(), frames, LayoutLearningOptions());
  int dowel_markers = 0;
  bool three_alone = false;
  for (const auto& l : layouts) {
    if (l.size() > 1) dowel_markers = l.size();
    if (l.size() == 1 && l.ids[0] == 3) three_alone = true;
  }
  EXPECT_EQ(dowel_markers, 3);
  EXPECT_TRUE(three_alone);
}

}  // namespace
}  // namespace hl
