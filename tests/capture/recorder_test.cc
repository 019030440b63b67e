#include "capture/recorder.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "capture/media_source.h"
#include "capture/session.h"
#include "core/error.h"
#include "core/file_util.h"

namespace hl {
namespace {
namespace fs = std::filesystem;

class RecorderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    session_ = fs::temp_directory_path() /
               ("hl_recorder_test_" + std::to_string(::getpid()) + "_" +
                ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(session_);
  }
  void TearDown() override { fs::remove_all(session_); }

  // Noise in 8x8 blocks (JPEG's block size): any change of a pixel shows, and
  // MJPG can still keep frames apart.
  static cv::Mat Noise(int seed, int type, cv::Size size = {64, 48}) {
    cv::Mat m(size / 8, type);
    cv::RNG rng(static_cast<uint64_t>(seed) + 1);
    rng.fill(m, cv::RNG::UNIFORM, 0, 256);
    cv::resize(m, m, size, 0, 0, cv::INTER_NEAREST);
    return m;
  }

  // Records 3 cameras over 12 sets (slot 7 dropped by every camera, cam1
  // absent from set 5) and returns the sets written.
  std::vector<FrameSet> RecordTake(const fs::path& take, MediaFormat format) {
    TakeInfo info;
    info.kind = "drill";
    info.drill = "dowel_hinge";
    info.fps = 30;
    info.cameras = {"cam0", "cam1", "cam2"};
    RecorderOptions options;
    options.format = format;
    Recorder recorder(take, info, options);
    std::vector<FrameSet> sets;
    for (int64_t idx = 0; idx < 13; ++idx) {
      if (idx == 7) continue;
      FrameSet set;
      set.index = idx;
      set.timestamp_s = 1000.0 + idx / 30.0;
      for (int c = 0; c < 3; ++c) {
        Frame f;
        f.index = idx;
        f.timestamp_s = set.timestamp_s + 0.001 * (c - 1) + 1e-7 * idx;
        f.image = Noise(static_cast<int>(idx * 10 + c), c == 1 ? CV_8UC3 : CV_8UC1);
        set.frames.push_back(f);
      }
      if (idx == 5) {
        set.frames[1].reset();
        set.missing = {"cam1: no frame near this time (dropped)"};
      }
      recorder.Write(set);
      sets.push_back(set);
    }
    EXPECT_EQ(recorder.frames_written(1), 11);
    recorder.Finish();
    return sets;
  }

  fs::path session_;
};

TEST_F(RecorderTest, PngRoundTripIsExact) {
  const fs::path take = session_ / "take_01";
  const auto sets = RecordTake(take, MediaFormat::kPng);
  const double origin = sets[0].timestamp_s;

  const TakeInfo info = ReadTake(take);
  EXPECT_EQ(info.kind, "drill");
  EXPECT_EQ(info.drill, "dowel_hinge");
  EXPECT_EQ(info.fps, 30.0);
  EXPECT_EQ(info.cameras, (std::vector<std::string>{"cam0", "cam1", "cam2"}));
  EXPECT_EQ(info.media, "png");
  EXPECT_EQ(info.status, "complete");
  EXPECT_EQ(info.frame_sets, 12);
  EXPECT_EQ(info.start_time.size(), 20u);  // 2024-05-01T10:00:00Z
  EXPECT_EQ(info.end_time.size(), 20u);
  EXPECT_TRUE(fs::exists(take / "cam0" / "000012.png"));
  EXPECT_FALSE(fs::exists(take / "cam0" / "000007.png"));
  EXPECT_FALSE(fs::exists(take / "cam1" / "000005.png"));

  for (int c = 0; c < 3; ++c) {
    const std::string name = "cam" + std::to_string(c);
    auto source = OpenMedia(name, (take / name).string());
    ASSERT_TRUE(source->Open()) << source->failure();
    Frame f;
    for (const FrameSet& set : sets) {
      if (!set.frames[c]) continue;
      ASSERT_TRUE(source->Grab(&f)) << name << " set " << set.index << ": " << source->failure();
      EXPECT_EQ(f.index, set.index);
      EXPECT_EQ(f.timestamp_s, set.frames[c]->timestamp_s - origin);
      ASSERT_EQ(f.image.type(), set.frames[c]->image.type());
      EXPECT_EQ(cv::norm(f.image, set.frames[c]->image, cv::NORM_INF), 0.0) << set.index;
    }
    EXPECT_FALSE(source->Grab(&f));
    EXPECT_EQ(source->failure(), "");
  }
}

TEST_F(RecorderTest, VideoRoundTripKeepsIndicesAndTimes) {
  for (MediaFormat format : {MediaFormat::kFfv1, MediaFormat::kMjpg}) {
    const std::string fmt = MediaFormatName(format);
    SCOPED_TRACE(fmt);
    const fs::path take = session_ / ("take_" + fmt);
    const auto sets = RecordTake(take, format);
    EXPECT_EQ(ReadTake(take).media, fmt);
    for (int c = 0; c < 3; ++c) {
      const std::string name = "cam" + std::to_string(c);
      SourceOptions options;
      options.grayscale = c != 1;  // videos come back as BGR
      auto source = OpenMedia(name, (take / (name + ".mkv")).string(), options);
      ASSERT_TRUE(source->Open()) << source->failure();
      EXPECT_EQ(source->FrameCount(), c == 1 ? 11 : 12);
      Frame f;
      for (const FrameSet& set : sets) {
        if (!set.frames[c]) continue;
        ASSERT_TRUE(source->Grab(&f)) << name << " set " << set.index;
        EXPECT_EQ(f.index, set.index);
        EXPECT_EQ(f.timestamp_s, set.frames[c]->timestamp_s - sets[0].timestamp_s);
        const cv::Mat& want = set.frames[c]->image;
        ASSERT_EQ(f.image.type(), want.type());
        if (format == MediaFormat::kFfv1) {
          EXPECT_EQ(cv::norm(f.image, want, cv::NORM_INF), 0.0) << set.index;  // lossless
        } else {
          // Lossy, but this is frame `set.index` and no other.
          const cv::Mat other = Noise(static_cast<int>(set.index * 10 + c + 1), want.type());
          const double n = static_cast<double>(want.total() * want.channels());
          EXPECT_LT(cv::norm(f.image, want, cv::NORM_L1) / n, 8.0);  // measured up to 4.2
          EXPECT_GT(cv::norm(f.image, other, cv::NORM_L1) / n, 40.0);
        }
      }
      EXPECT_FALSE(source->Grab(&f));
    }
  }
}

TEST_F(RecorderTest, SessionFilesAndErrors) {
  SessionInfo s;
  s.subject = "S01";
  s.date = "2024-05-01";
  WriteSession(session_, s);
  EXPECT_TRUE(IsSessionFolder(session_));
  const SessionInfo back = ReadSession(session_);
  EXPECT_EQ(back.subject, "S01");
  EXPECT_EQ(back.date, "2024-05-01");
  EXPECT_EQ(back.rig_file, "rig.yml");
  EXPECT_EQ(back.markers_file, "markers.yml");
  EXPECT_NE(ReadFileText(session_ / "session.yml").find("format: hingelab-session-1"),
            std::string::npos);

  TakeInfo t;
  t.cameras = {"left"};
  t.fps = 60;
  for (const std::string name : {"take10", "take2", "calib"}) {
    Recorder r(session_ / name, t);
    r.Finish();
  }
  const TakeInfo calib = ReadTake(session_ / "calib");
  EXPECT_EQ(calib.drill, "");
  EXPECT_EQ(calib.fps, 60.0);
  EXPECT_EQ(calib.cameras, std::vector<std::string>{"left"});
  EXPECT_EQ(calib.frame_sets, 0);
  fs::create_directories(session_ / "notes");
  EXPECT_EQ(ListTakes(session_), (std::vector<std::string>{"calib", "take2", "take10"}));

  auto error_of = [](auto fn) -> std::string {
    try {
      fn();
    } catch (const Error& e) {
      return e.what();
    }
    return "";
  };
  EXPECT_NE(error_of([&] { Recorder r(session_ / "take2", t); }).find("already holds a take"),
            std::string::npos);
  TakeInfo bad_name = t;
  bad_name.cameras = {"../evil"};
  EXPECT_NE(error_of([&] { Recorder r(session_ / "take3", bad_name); }).find("camera name"),
            std::string::npos);
  std::ofstream(session_ / "take2" / "take.yml") << "%YAML:1.0\nkind: drill\nfps: fast\n";
  EXPECT_NE(
      error_of([&] { ReadTake(session_ / "take2"); }).find("take.yml: missing or non-numeric"),
      std::string::npos);
  std::ofstream(session_ / "take2" / "take.yml") << "%YAML:1.0\nkind: [unclosed\n";
  EXPECT_NE(error_of([&] { ReadTake(session_ / "take2"); }).find("take.yml"), std::string::npos);
  std::ofstream(session_ / "session.yml") << "%YAML:1.0\nformat: other-2\n";
  EXPECT_NE(error_of([&] { ReadSession(session_); }).find("expected 'hingelab-session-1'"),
            std::string::npos);
  EXPECT_NE(error_of([&] { ReadSession(session_ / "nope"); }).find("no such file"),
            std::string::npos);
}

// A take killed with SIGKILL: every frame with a timestamp line reads back,
// pixel for pixel, and no more than a second of what the child reported is lost.
TEST_F(RecorderTest, SigkillLosesAtMostTheFrameBeingWritten) {
  constexpr double kFps = 50.0;
  const fs::path take = session_ / "killed";
  fs::create_directories(session_);
  int pipe_fds[2];
  ASSERT_EQ(::pipe(pipe_fds), 0);
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    ::close(pipe_fds[0]);
    try {
      TakeInfo info;
      info.kind = "static";
      info.fps = kFps;
      info.cameras = {"cam0"};
      Recorder recorder(take, info);
      const auto start = std::chrono::steady_clock::now();
      for (int64_t k = 0;; ++k) {
        std::this_thread::sleep_until(start + std::chrono::microseconds(k * 20000));
        Frame f;
        f.image = Noise(static_cast<int>(k), CV_8UC1, {320, 240});
        f.timestamp_s = k / kFps;
        recorder.WriteFrame(0, f, k);
        if (::write(pipe_fds[1], &k, sizeof(k)) != sizeof(k)) ::_exit(4);
      }
    } catch (...) {
      ::_exit(3);
    }
  }
  ::close(pipe_fds[1]);
  int64_t last_reported = -1;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(1500);
  auto read_reports = [&](int timeout_ms) {
    pollfd p{pipe_fds[0], POLLIN, 0};
    if (::poll(&p, 1, timeout_ms) <= 0) return false;
    int64_t k = 0;
    const ssize_t n = ::read(pipe_fds[0], &k, sizeof(k));
    if (n == sizeof(k)) last_reported = std::max(last_reported, k);
    return n > 0;
  };
  while (std::chrono::steady_clock::now() < deadline) read_reports(20);
  ASSERT_EQ(::kill(child, SIGKILL), 0);
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFSIGNALED(status)) << "child exited with " << WEXITSTATUS(status);
  while (read_reports(0)) {
  }
  ::close(pipe_fds[0]);
  // The child ran about 1.5 s at 50 fps; demand it wrote a meaningful amount.
  ASSERT_GE(last_reported, 20);

  const TakeInfo info = ReadTake(take);
  EXPECT_EQ(info.status, "recording");  // never finished
  const auto rows = ReadTimestampsCsv(take / "cam0.timestamps.csv");
  // The child reported a frame after its line was written; at most the frame
  // it was writing when killed may also have made it.
  ASSERT_GE(static_cast<int64_t>(rows.size()), last_reported + 1);
  EXPECT_LE(static_cast<int64_t>(rows.size()), last_reported + 2);
  const int64_t lost = last_reported + 1 - static_cast<int64_t>(rows.size());
  EXPECT_LE(lost, static_cast<int64_t>(kFps * 1.0));
  auto source = OpenMedia("cam0", (take / "cam0").string());
  ASSERT_TRUE(source->Open()) << source->failure();
  EXPECT_EQ(source->FrameCount(), static_cast<int64_t>(rows.size()));
  Frame f;
  for (size_t k = 0; k < rows.size(); ++k) {
    ASSERT_TRUE(source->Grab(&f)) << "frame " << k << ": " << source->failure();
    EXPECT_EQ(f.index, static_cast<int64_t>(k));
    EXPECT_EQ(f.timestamp_s, k / kFps);
    ASSERT_EQ(cv::norm(f.image, Noise(static_cast<int>(k), CV_8UC1, {320, 240}), cv::NORM_INF), 0.0)
        << "frame " << k;
  }
  EXPECT_FALSE(source->Grab(&f));
  EXPECT_EQ(source->failure(), "");
  std::printf("[ info ] child reported %lld frames; %zu read back\n",
              static_cast<long long>(last_reported + 1), rows.size());
}

}  // namespace
}  // namespace hl
