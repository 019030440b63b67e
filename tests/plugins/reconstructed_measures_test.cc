// Issue #6 acceptance 2: the measures the host computes from RECONSTRUCTED
// trajectories against the simulator's true measures (truth/measures.csv):
// dowel gap, hip displacement and knee travel within 3 mm, trunk inclination
// within 1 degree, asserted where met (Check::limit says what is not). The take goes through
// simulated detections (sim_pipeline.h: true corners, dropouts and corner noise measured on a few
// rendered frames) and the Reconstructor of `hingelab reconstruct`; the static trial carries the
// anatomical points a lab's static calibration locates.

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <limits>

#include "plugins/hingelab_plugin.h"
#include "plugins/host/measures.h"
#include "tests/plugins/sim_pipeline.h"

namespace hl {
namespace {

namespace fs = std::filesystem;

struct Worst {
  double error = 0.0;
  int frames = 0;
};

// Largest |host - truth| over the frames where the host's series is valid.
template <typename TruthFn>
Worst Compare(const Measures& m, const char* name, const sim::SimulatedMotion& truth, double scale,
              TruthFn truth_of) {
  Worst w;
  const MeasureSeries* s = m.Find(name);
  if (s == nullptr) {
    w.error = std::numeric_limits<double>::infinity();
    return w;
  }
  for (size_t f = 0; f < s->values.size() && f < truth.measures.size(); ++f) {
    if (!s->valid[f]) continue;
    w.error = std::max(w.error, std::abs(s->values[f] * scale - truth_of(truth.measures[f])));
    ++w.frames;
  }
  return w;
}

class ReconstructedMeasures : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = fs::path(HL_BINARY_DIR) / "test_tmp" / "reconstructed_measures";
    fs::remove_all(dir_);
    test::SimTakeOptions o;
    o.markers_path = fs::path(HL_SOURCE_DIR) / "data" / "markersets" / "default.yml";
    o.drill = "dowel_hinge";
    o.faults = {"knees_forward"};  // the largest knee travel (about 9 cm)
    o.reps = 1;
    // Detection rates and corner noise from rendered frame sets, one per second of the take.
    test::SimTakeOptions render = o;
    render.fps = 1.0;
    render.work_dir = dir_ / "render";
    test::MeasureDetectionModel(render, &model_);

    test::SimTakeOptions st = o;
    st.scene = "static";
    st.frames = 60;
    st.work_dir = dir_ / "static";
    const test::SimTake stat = test::RunSimTake(st, model_);
    static_ = new Trajectories(test::StaticWithLandmarks(stat, 0.001, 1));
    o.work_dir = dir_ / "drill";
    drill_ = new test::SimTake(test::RunSimTake(o, model_));
    segments_ = SegmentLabelsFromMarkerSet(drill_->set);
  }
  static void TearDownTestSuite() {
    delete drill_;
    delete static_;
    fs::remove_all(dir_);
  }
  static fs::path dir_;
  static test::DetectionModel model_;
  static Trajectories* static_;
  static test::SimTake* drill_;
  static SegmentLabels segments_;
};

fs::path ReconstructedMeasures::dir_;
test::DetectionModel ReconstructedMeasures::model_;
Trajectories* ReconstructedMeasures::static_ = nullptr;
test::SimTake* ReconstructedMeasures::drill_ = nullptr;
SegmentLabels ReconstructedMeasures::segments_;

TEST_F(ReconstructedMeasures, TheRenderedFramesGaveADetectionModel) {
  int seen = 0, found = 0;
  for (size_t i = 0; i < model_.seen.size(); ++i) seen += model_.seen[i], found += model_.found[i];
  EXPECT_GT(seen, 100);
  EXPECT_GT(found, seen / 3) << "rendered markers are mostly found";
  EXPECT_LT(model_.NoisePx(30.0), 1.0);
}

TEST_F(ReconstructedMeasures, WithinThreeMillimetresAndOneDegreeOfTruth) {
  const Measures m = ComputeMeasures(drill_->reconstructed, segments_, static_);
  ASSERT_EQ(m.anatomical_landmarks.size(), 5u);
  const auto& truth = drill_->motion;
  const double kDegPerRad = 180.0 / M_PI;
  // `limit` is acceptance 2 (`bound`) where it holds. Measured on this take
  // (seed 1, one rep; three builds of the session): hip back 0.9-1.0 mm,
  // down 0.5-0.7, knees 2.3-2.8 / 1.0-1.5 mm (the left knee's margin is
  // small), trunk 0.11-0.41 deg. The dowel gap was 1.8-2.3 mm until
  // the tree of 06:10 (simulator postures/mounts and the reconstruction's
  // max_sample_sigma_m 0.5 -> 1 mm changed), then 6.7 mm, from the dowel's
  // bottom end carried 6.6 mm off at one frame; with the knee plates' and
  // thorax's third markers and markers the static trial misses placed from
  // the take (session 3, engineer U) 2.72 mm, inside the bound by 0.28 mm;
  // with the dowel's axis ends smoothed over time (landmarks::RobustSmooth:
  // that frame's reconstructed stick was tilted as a whole) 1.55 mm.
  // What brought hip and knee measures within the bound (session 3): the
  // pelvis belt's side plates give >= 3 markers off one line at the bottom
  // of the hinge, a marker the static trial missed no longer sinks the take,
  // and start positions come from a quadratic fitted at the first frame (a
  // mean over the first 0.2 s lagged by ~8 mm when the take starts moving).
  // bench/scoring_bench.cc measures the same over every drill.
  struct Check {
    const char* name;
    Worst w;
    double bound;
    double limit;
  };
  const Check checks[] = {
      {HL_MEASURE_DOWEL_GAP,
       Compare(m, HL_MEASURE_DOWEL_GAP, truth, 1.0,
               [](const sim::TrueMeasures& t) { return t.dowel_gap_sacrum_m; }),
       0.003, 0.003},
      {HL_MEASURE_HIP_BACK,
       Compare(m, HL_MEASURE_HIP_BACK, truth, 1.0,
               [](const sim::TrueMeasures& t) { return t.hip_back_m; }),
       0.003, 0.003},
      {HL_MEASURE_HIP_DOWN,
       Compare(m, HL_MEASURE_HIP_DOWN, truth, 1.0,
               [](const sim::TrueMeasures& t) { return t.hip_down_m; }),
       0.003, 0.003},
      {HL_MEASURE_HIP_DISPLACEMENT,
       Compare(m, HL_MEASURE_HIP_DISPLACEMENT, truth, 1.0,
               [](const sim::TrueMeasures& t) { return std::hypot(t.hip_back_m, t.hip_down_m); }),
       0.003, 0.003},
      {HL_MEASURE_KNEE_TRAVEL_LEFT,
       Compare(m, HL_MEASURE_KNEE_TRAVEL_LEFT, truth, 1.0,
               [](const sim::TrueMeasures& t) { return t.knee_forward_l_m; }),
       0.003, 0.003},
      {HL_MEASURE_KNEE_TRAVEL_RIGHT,
       Compare(m, HL_MEASURE_KNEE_TRAVEL_RIGHT, truth, 1.0,
               [](const sim::TrueMeasures& t) { return t.knee_forward_r_m; }),
       0.003, 0.003},
      {HL_MEASURE_TRUNK_INCLINATION,
       Compare(m, HL_MEASURE_TRUNK_INCLINATION, truth, kDegPerRad,
               [](const sim::TrueMeasures& t) { return t.trunk_inclination_deg; }),
       1.0, 1.0},
  };
  for (const Check& c : checks) {
    std::printf("%-24s max |error| %.5f over %d frames (acceptance %.3f: %s)\n", c.name, c.w.error,
                c.w.frames, c.bound, c.w.error <= c.bound ? "met" : "NOT met");
    EXPECT_GT(c.w.frames, truth.truth.num_frames() * 8 / 10) << c.name;
    EXPECT_LE(c.w.error, c.limit) << c.name;
  }
  // Where an error comes from: the landmarks against the true anatomical points.
  for (const char* name : {"SACRUM", "KNEE_L", "KNEE_R", "DOWEL_TOP", "DOWEL_BOTTOM"}) {
    const int hl_idx = m.landmarks.LabelIndex(name), tl = truth.truth.LabelIndex(name);
    if (hl_idx < 0 || tl < 0) continue;
    double worst = 0.0;
    int at = -1;
    for (int f = 0; f < m.landmarks.num_frames(); ++f) {
      if (!m.landmarks.at(f, hl_idx).valid()) continue;
      const double e =
          (m.landmarks.at(f, hl_idx).position_m - truth.truth.at(f, tl).position_m).norm();
      if (e > worst) worst = e, at = f;
    }
    std::printf("landmark %-13s max |error| %.5f at frame %d\n", name, worst, at);
  }
  // The fault is really in the take: the joint centres travel about 9 cm.
  double knee_max = 0;
  for (const auto& t : truth.measures) knee_max = std::max(knee_max, t.knee_forward_l_m);
  EXPECT_GT(knee_max, 0.06);
}

TEST_F(ReconstructedMeasures, KneeTravelWithinThreeMillimetresWhereOneCameraSeesThePlate) {
  // At the bottom of a rack pull the bar and hands hide each knee plate from
  // its front camera for up to 0.2 s; the one-camera plate fits are too deep
  // to keep (max_sample_sigma_m), so the reconstruction bridges the gap with
  // its spline. With the spline's ends taken from three samples (the end
  // sample and a second-order difference: GapFillOptions::tangent_window_s
  // 0) this take's left knee travel was 5.38 mm off, right 3.66 mm; with
  // ends fitted over 0.2 s 2.47 / 1.63 mm (session 4). Other takes are not
  // all inside: rack_pull back_flexion seed 2001 left 5.02 -> 3.59 mm.
  test::SimTakeOptions o;
  o.markers_path = fs::path(HL_SOURCE_DIR) / "data" / "markersets" / "default.yml";
  o.drill = "rack_pull";
  o.faults = {"bar_too_high"};
  o.reps = 2;
  o.seed = 1002;
  o.work_dir = dir_ / "rack_pull";
  const test::SimTake take = test::RunSimTake(o, model_);
  const Measures m = ComputeMeasures(take.reconstructed, segments_, static_);
  const Worst left = Compare(m, HL_MEASURE_KNEE_TRAVEL_LEFT, take.motion, 1.0,
                             [](const sim::TrueMeasures& t) { return t.knee_forward_l_m; });
  const Worst right = Compare(m, HL_MEASURE_KNEE_TRAVEL_RIGHT, take.motion, 1.0,
                              [](const sim::TrueMeasures& t) { return t.knee_forward_r_m; });
  std::printf("rack_pull knee travel max |error| left %.5f right %.5f m over %d / %d frames\n",
              left.error, right.error, left.frames, right.frames);
  EXPECT_GT(left.frames, take.motion.truth.num_frames() * 8 / 10);
  EXPECT_GT(right.frames, take.motion.truth.num_frames() * 8 / 10);
  EXPECT_LE(left.error, 0.003);
  EXPECT_LE(right.error, 0.003);
}

TEST_F(ReconstructedMeasures, PlateCentresAloneMissTheKneeJointsTravel) {
  // Without the static trial's anatomical points the knee plates' centres
  // stand in for the joints and travel less (what session 1 measured).
  std::vector<std::string> markers;
  for (const auto& l : static_->labels()) {
    if (l[0] == 'M') markers.push_back(l);
  }
  const Trajectories plain = static_->Slice(0, static_->num_frames(), markers);
  const Measures m = ComputeMeasures(drill_->reconstructed, segments_, &plain);
  EXPECT_TRUE(m.anatomical_landmarks.empty());
  const Worst knee = Compare(m, HL_MEASURE_KNEE_TRAVEL_LEFT, drill_->motion, 1.0,
                             [](const sim::TrueMeasures& t) { return t.knee_forward_l_m; });
  std::printf("knee travel from plate centres: max |error| %.4f m\n", knee.error);
  EXPECT_GT(knee.error, 0.003);
}

}  // namespace
}  // namespace hl
